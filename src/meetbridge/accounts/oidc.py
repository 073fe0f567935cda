"""OpenID Connect sign-in on Authlib's Django client: the redirect out and the way back.

Authlib does the protocol: discovery from one URL, state kept in the session, PKCE (S256),
a nonce per attempt, the code exchange, and the ID token's signature checked against the
provider's published keys (refetched when a new `kid` appears), its nonce and expiry. The
`claims_options` pin `iss` and `aud` (passing them replaces Authlib's default issuer check, so
both are given). A provider's own rules on the claims then run (`claims.py`). Every failure
becomes a `SignInRefused` with a code and a sentence, never a 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.urls import reverse
from joserfc.errors import BadSignatureError, ExpiredTokenError, JoseError

from meetbridge.accounts.claims import SignInRefused, VerifiedIdentity, accepted_issuers
from meetbridge.accounts.joining import tenant_domain

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClientSettings:
    client_id: str
    client_secret: str
    discovery_url: str
    ca_bundle: str | None = None  # certificate authorities to trust instead of the system's


def issuer_and_audience(metadata_issuer: str, client_id: str) -> dict:
    """Authlib's `claims_options`: the discovery document's issuer (both of Google's forms)."""
    return {
        "iss": {"essential": True, "values": list(accepted_issuers(metadata_issuer))},
        "aud": {"essential": True, "value": client_id},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }


@dataclass(frozen=True)
class Provider:
    key: str  # also the URL segment: /sign-in/<key>/start and /sign-in/<key>/callback
    label: str
    client_settings: Callable[[], ClientSettings]
    # (claims, client_id, the issuer of the discovery document, now) -> a verified identity
    check_claims: Callable[[dict, str, str, float], VerifiedIdentity]
    # The tenant a verified identity belongs to, by the organisation its provider names.
    tenant_of: Callable[[VerifiedIdentity], object]
    # (the discovery document's issuer, client_id) -> Authlib's claims_options.
    claims_options: Callable[[str, str], dict] = issuer_and_audience
    # The organisation a tenant is at this provider (what a VerifiedIdentity's `organisation`
    # must equal): Google, the tenant's domain; Microsoft, its connected directory's id.
    organisation_of: Callable[[object], str] = tenant_domain
    token_endpoint_auth_method: str = "client_secret_basic"

    def is_configured(self) -> bool:
        conf = self.client_settings()
        return bool(conf.client_id and conf.client_secret and conf.discovery_url)


_clients: dict[tuple, object] = {}


def _client_key(provider: Provider, conf: ClientSettings) -> tuple:
    return (provider.key, conf.client_id, conf.client_secret, conf.discovery_url, conf.ca_bundle)


def client_for(provider: Provider):
    conf = provider.client_settings()
    key = _client_key(provider, conf)
    if key not in _clients:
        client_kwargs = {
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": provider.token_endpoint_auth_method,
            "timeout": 15,
        }
        if conf.ca_bundle:
            # requests lets REQUESTS_CA_BUNDLE override a session's own `verify` unless the
            # environment is ignored.
            client_kwargs |= {"verify": conf.ca_bundle, "trust_env": False}
        _clients[key] = OAuth().register(
            name=provider.key,
            client_id=conf.client_id,
            client_secret=conf.client_secret,
            server_metadata_url=conf.discovery_url,
            client_kwargs=client_kwargs,
        )
    return _clients[key]


def form_action_origins(providers) -> list[str]:
    """The origins a sign-in form's redirect goes to: each configured provider's authorization
    endpoint once discovery has been read, else its discovery URL's origin (the same host at
    Google and Microsoft). The Content-Security-Policy's `form-action` must name them: browsers
    stop a form's redirect to an origin it does not allow. Never fetches anything."""
    origins: list[str] = []
    for provider in providers:
        if not provider.is_configured():
            continue
        conf = provider.client_settings()
        client = _clients.get(_client_key(provider, conf))
        metadata = getattr(client, "server_metadata", None) or {}
        for url in (metadata.get("authorization_endpoint"), conf.discovery_url):
            parts = urlsplit(url or "")
            origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
            if origin and origin not in origins:
                origins.append(origin)
    return origins


def callback_url(request, provider: Provider) -> str:
    path = reverse("accounts:oidc-callback", kwargs={"provider": provider.key})
    base = settings.MEETBRIDGE.get("PUBLIC_URL", "")
    return base + path if base else request.build_absolute_uri(path)


def unreachable(provider: Provider) -> SignInRefused:
    return SignInRefused(
        "provider_unreachable",
        f"{provider.label} could not be reached just now. Try again in a minute, or sign in "
        "with your e-mail and password.",
    )


def start(request, provider: Provider):
    """The redirect to the provider; Authlib keeps state, nonce and PKCE verifier in the session."""
    client = client_for(provider)
    try:
        return client.authorize_redirect(request, callback_url(request, provider))
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        log.warning("%s discovery failed: %s", provider.label, type(exc).__name__)
        raise unreachable(provider) from exc


REFUSALS = {
    "access_denied": (
        "cancelled",
        "You cancelled the sign-in. Choose a way to sign in below to try again.",
    ),
    "invalid_grant": (
        "code_used",
        "This sign-in was already used or has expired. Start again.",
    ),
}


def finish(request, provider: Provider) -> VerifiedIdentity:
    """The way back: the code exchanged, the ID token verified, the provider's rules applied."""
    client = client_for(provider)
    conf = provider.client_settings()
    try:
        metadata = client.load_server_metadata()
        token = client.authorize_access_token(
            request,
            claims_options=provider.claims_options(metadata.get("issuer", ""), conf.client_id),
        )
    except MismatchingStateError as exc:
        raise SignInRefused(
            "wrong_state",
            "This sign-in was not started in this browser, or was already finished. "
            "Start again from the sign-in page.",
        ) from exc
    except AuthlibBaseError as exc:
        code, message = REFUSALS.get(
            exc.error or "",
            ("provider_refused", f"{provider.label} refused the sign-in ({exc.error}). Try again."),
        )
        raise SignInRefused(code, message) from exc
    except BadSignatureError as exc:
        raise SignInRefused(
            "bad_signature",
            f"The sign-in was not signed by {provider.label}'s keys, so it was not accepted.",
        ) from exc
    except ExpiredTokenError as exc:
        raise SignInRefused("expired", "The sign-in expired before it arrived. Try again.") from exc
    except JoseError as exc:
        claim = getattr(exc, "claim", "") or ""
        raise SignInRefused(
            f"invalid_{claim}" if claim else "invalid_token",
            f"The sign-in's {claim or 'token'} did not check out, so it was not accepted. "
            "Start again from meetbridge.",
        ) from exc
    except requests.RequestException as exc:
        raise unreachable(provider) from exc
    claims = dict(token.get("userinfo") or {})
    if not claims:
        raise SignInRefused("invalid_token", f"{provider.label} sent no ID token. Try again.")
    return provider.check_claims(claims, conf.client_id, metadata.get("issuer", ""), time.time())

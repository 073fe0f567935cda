"""A directory's (tenant's) ID from one of its domain names, as Microsoft itself tells it.

Entra ID takes a directory's GUID or any domain verified in it as the authority of a token
request, but an ID token names the person's directory by GUID only (`tid`), and Sign in with
Microsoft matches that against the integration's stored `tenant_id`. So a domain the admin
enters is replaced by its GUID before anything is stored: the authority's OpenID Connect
discovery document (`{login base}/{domain}/v2.0/.well-known/openid-configuration`) names the
GUID in its `issuer` and `token_endpoint`. An unknown domain is answered 400 with AADSTS90002.

The domain reaching `lookup` has passed `credential.DOMAIN` (letters, digits, dots and hyphens
only), so the URL built from it names nothing but that authority's document.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

from meetbridge.integrations.provider import CredentialError
from meetbridge.integrations.providers.microsoft.credential import GUID
from meetbridge.integrations.providers.microsoft.diagnosis import STEP_1, clean_text, entra_code

log = logging.getLogger(__name__)

PERSONAL_ACCOUNTS_TID = "9188040d-6c67-4c5b-b112-36a304b66dad"
MAX_DOCUMENT = 64 * 1024  # Microsoft's is about 2 KiB
TENANT_NOT_FOUND = 90002
LOOKUP_READ_TIMEOUT = 10.0  # seconds


def is_guid(value: str) -> bool:
    return bool(GUID.fullmatch(value))


def discovery_url(login_base: str, domain: str) -> str:
    return (
        f"{login_base.rstrip('/')}/{quote(domain, safe='')}/v2.0/.well-known/openid-configuration"
    )


def _segment_before(url: Any, marker: str) -> str:
    """The path segment of `url` just before `marker` (`/v2.0`, `/oauth2/`), lower-cased."""
    if not isinstance(url, str):
        return ""
    path = urlsplit(url).path
    head, found, _ = path.partition(marker)
    return head.rsplit("/", 1)[-1].lower() if found else ""


def directory_id(document: Any) -> str:
    """The GUID a discovery document names in both its issuer and its token endpoint;
    ValueError when they are missing, differ, or are not a GUID."""
    if not isinstance(document, Mapping):
        raise ValueError("not a JSON object")
    from_issuer = _segment_before(document.get("issuer"), "/v2.0")
    from_token = _segment_before(document.get("token_endpoint"), "/oauth2/")
    if not is_guid(from_issuer) or from_issuer != from_token:
        raise ValueError("no directory id in issuer and token_endpoint")
    return from_issuer


# --- what the admin is told (pure) ------------------------------------------------------------


def domain_unknown(domain: str, said: str) -> CredentialError:
    return CredentialError(
        "tenant_unknown",
        f"Microsoft does not know a directory with the domain {domain} ({said}). Nothing was "
        f"saved. Check {STEP_1}: copy the Directory (tenant) ID, a GUID, from the app "
        "registration's Overview page (or enter a domain listed under Domain names in the "
        "Entra admin center), then save again.",
    )


def personal_domain(domain: str) -> CredentialError:
    return CredentialError(
        "tenant_personal",
        f"{domain} is the domain of personal Microsoft accounts, not of an organisation's "
        "directory. Nothing was saved. Enter the Directory (tenant) ID, a GUID, from the app "
        "registration's Overview page.",
    )


def lookup_failed(domain: str, what: str) -> CredentialError:
    return CredentialError(
        "tenant_lookup_failed",
        f"meetbridge could not ask Microsoft which directory {domain} is ({what}). Nothing was "
        "saved. Try again in a few minutes, or enter the Directory (tenant) ID, a GUID, from the "
        "app registration's Overview page: it needs no lookup.",
    )


def refusal(domain: str, status: int, body: Any) -> CredentialError:
    """Microsoft's answer other than 200, as what the admin should do."""
    code = entra_code(body) if isinstance(body, Mapping) else 0
    error = clean_text(body.get("error"), 60) if isinstance(body, Mapping) else ""
    if code == TENANT_NOT_FOUND or error == "invalid_tenant":
        return domain_unknown(domain, f"AADSTS{code or TENANT_NOT_FOUND}: tenant not found")
    return lookup_failed(domain, f"Microsoft answered {status}")


def read_answer(domain: str, status: int, body: bytes) -> str:
    """The directory id in Microsoft's answer, or the refusal to raise."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if status != 200:
        raise refusal(domain, status, document)
    try:
        found = directory_id(document)
    except ValueError:
        raise lookup_failed(domain, "its answer named no directory ID") from None
    if found == PERSONAL_ACCOUNTS_TID:
        raise personal_domain(domain)
    return found


# --- the one request --------------------------------------------------------------------------


def _read_capped(response) -> bytes:
    """At most MAX_DOCUMENT + 1 bytes of the answer (enough to tell it is too large)."""
    body = b""
    for chunk in response.iter_content(8192):
        body += chunk
        if len(body) > MAX_DOCUMENT:
            break
    response.close()
    return body


def lookup(domain: str, config: Any) -> str:
    """The GUID of the directory `domain` is verified in, asked of Microsoft at
    `config.login_base` (a `MicrosoftConfig`); CredentialError saying what to fix otherwise."""
    import requests

    from meetbridge.integrations.providers.microsoft.calendar import _msal_session

    url = discovery_url(config.login_base, domain)
    # The admin waits for this answer: a slow Microsoft is told as such, not waited out.
    quick = replace(config, read_timeout=min(config.read_timeout, LOOKUP_READ_TIMEOUT))
    with _msal_session(quick) as session:
        try:
            response = session.get(url, allow_redirects=False, stream=True)
            body = _read_capped(response)
        except requests.RequestException:
            log.warning("Microsoft directory lookup of %s: no answer", domain)
            raise lookup_failed(domain, "no answer from Microsoft") from None
    if len(body) > MAX_DOCUMENT:
        raise lookup_failed(domain, "its answer was too large")
    found = read_answer(domain, response.status_code, body)
    log.info("Microsoft directory %s is %s", domain, found)
    return found

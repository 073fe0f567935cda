"""The checks an ID token's claims must pass before anyone is signed in. Pure: no Django.

The OpenID Connect library has already checked the signature against the provider's keys,
the nonce and the expiry; these checks are repeated here on the claims themselves (issuer,
audience, expiry) and extended with what only we know: a verified e-mail, and for Google the
`hd` claim naming a Workspace domain. Each refusal has a code and a sentence for the person.
"""

from __future__ import annotations

from dataclasses import dataclass

GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
LEEWAY_SECONDS = 120


class SignInRefused(Exception):
    """A sign-in that must not go through; `message` says what happened and what to do."""

    def __init__(self, code: str, message: str, *, tenant=None, email: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.tenant, self.email = code, message, tenant, email


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider vouches for: a stable subject, a verified e-mail, their organisation."""

    provider: str
    subject: str
    email: str
    organisation: str  # Google: the Workspace domain (`hd`); Microsoft: the directory (`tid`)
    name: str = ""
    # How the pages name the account and the organisation, e.g. "a Google account of the
    # Google Workspace domain acme.com".
    account_kind: str = "Google account"
    organisation_kind: str = "Google Workspace domain"

    @property
    def organisation_words(self) -> str:
        return f"the {self.organisation_kind} {self.organisation}"


def accepted_issuers(metadata_issuer: str) -> tuple[str, ...]:
    """Google issues both forms of its issuer; a stand-in issues its own URL only."""
    if metadata_issuer in GOOGLE_ISSUERS:
        return GOOGLE_ISSUERS
    return (metadata_issuer,)


def _is_true(value) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def check_google_claims(
    claims: dict, *, client_id: str, issuers: tuple[str, ...], now: float
) -> VerifiedIdentity:
    if claims.get("iss") not in issuers:
        raise SignInRefused(
            "wrong_issuer", "The sign-in did not come from Google. Start again from meetbridge."
        )
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise SignInRefused(
            "wrong_audience",
            "The sign-in was issued for another application. Start again from meetbridge.",
        )
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + LEEWAY_SECONDS < now:
        raise SignInRefused("expired", "The sign-in expired before it arrived. Try again.")
    subject, email = claims.get("sub"), claims.get("email")
    if (
        not isinstance(subject, str)
        or not subject
        or not isinstance(email, str)
        or "@" not in email
    ):
        raise SignInRefused(
            "incomplete", "Google did not share your account's e-mail address. Try again."
        )
    if not _is_true(claims.get("email_verified")):
        raise SignInRefused(
            "email_not_verified",
            f"Google has not verified {email}. Verify it with Google, then sign in again.",
            email=email.lower(),
        )
    hd = claims.get("hd")
    if not isinstance(hd, str) or not hd:
        raise SignInRefused(
            "not_workspace",
            f"{email} is a personal Google account, not one of an organisation's Google "
            "Workspace. Sign in with your work account, or with the e-mail and password your "
            "admin invited you with.",
            email=email.lower(),
        )
    return VerifiedIdentity(
        provider="google",
        subject=subject,
        email=email.lower(),
        organisation=hd.lower(),
        name=str(claims.get("name") or ""),
    )

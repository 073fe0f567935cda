"""What a tenant admin hands over for Microsoft 365, checked before anything is stored. Pure.

`{"tenant_id", "client_id", "client_secret", "expires_at"?}` or
`{"tenant_id", "client_id", "certificate", "private_key"}` (PEM). Every refusal says what to fix
and never repeats the secret. The certificate's own end date is its expiry; a secret's is the
date the admin read in the Entra admin center (`expires_at`, optional).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from meetbridge.integrations.provider import CredentialError

GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
MAX_PEM = 16 * 1024
MAX_SECRET = 256
FIELDS = {"provider", "tenant_id", "client_id", "client_secret", "expires_at", "certificate", "private_key"}  # fmt: skip


@dataclass(frozen=True)
class MicrosoftCredential:
    tenant_id: str
    client_id: str
    kind: str  # "secret" | "certificate"
    expires_at: datetime | None
    thumbprint: str = ""  # SHA-1, hex, as the Entra admin center shows it
    secret: dict[str, str] = field(default_factory=dict, repr=False)
    entered_as: str = ""  # the domain the admin entered, when `tenant_id` was looked up from it

    def with_directory_id(self, directory_id: str) -> MicrosoftCredential:
        """This credential naming its directory by `directory_id` (the GUID of the domain
        entered): what is stored, used for tokens and matched at sign-in."""
        return replace(
            self,
            tenant_id=directory_id,
            entered_as=self.tenant_id,
            secret={**self.secret, "tenant_id": directory_id},
        )

    def public(self) -> dict[str, str | None]:
        """What pages, the API and the audit log may show: the contract's `app` block."""
        return {
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "credential": self.kind,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }

    @property
    def secret_id(self) -> str:
        """Names the secret without revealing it: the thumbprint, or the app for a secret."""
        return self.thumbprint or f"secret:{self.client_id}"

    @property
    def summary(self) -> str:
        what = f"certificate {self.thumbprint}" if self.thumbprint else "client secret"
        directory = self.tenant_id + (f" ({self.entered_as})" if self.entered_as else "")
        return f"{what} of app {self.client_id} in directory {directory}"


def _text(raw: dict, name: str, limit: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise CredentialError("invalid_credential", f"`{name}` is required and must be text.")
    if len(value) > limit:
        raise CredentialError("invalid_credential", f"`{name}` is too long.")
    return value.strip()


def _tenant(raw: dict) -> str:
    value = _text(raw, "tenant_id", 253).lower()
    if not GUID.fullmatch(value) and not DOMAIN.fullmatch(value):
        raise CredentialError(
            "invalid_tenant_id",
            "tenant_id must be the Directory (tenant) ID, a GUID from the app registration's "
            "Overview page, or a domain verified in that directory such as contoso.com (meetbridge "
            "then looks up its ID).",
        )
    return value


def _client(raw: dict) -> str:
    value = _text(raw, "client_id", 36).lower()
    if not GUID.match(value):
        raise CredentialError(
            "invalid_client_id",
            "client_id must be the Application (client) ID, a GUID from the app registration's "
            "Overview page.",
        )
    return value


def _expiry(raw: dict) -> datetime | None:
    value = raw.get("expires_at")
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise CredentialError(
            "invalid_expiry", "expires_at must be a date such as 2027-05-31."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _secret(raw: dict, now: datetime) -> dict[str, Any]:
    secret = _text(raw, "client_secret", MAX_SECRET)
    if GUID.match(secret):
        raise CredentialError(
            "secret_id_not_value",
            "That is the client secret's ID, not its value. In the Entra admin center, under "
            "Certificates & secrets, the Value column is what meetbridge needs; it is shown only "
            "right after the secret is made, so make a new one if you cannot see it.",
        )
    expires_at = _expiry(raw)
    if expires_at is not None and expires_at <= now:
        raise CredentialError("credential_expired", "That client secret has already expired.")
    return {"client_secret": secret, "expires_at": expires_at}


def _certificate(raw: dict, now: datetime) -> dict[str, Any]:
    certificate_pem = _text(raw, "certificate", MAX_PEM)
    key_pem = _text(raw, "private_key", MAX_PEM)
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
    except ValueError:
        raise CredentialError(
            "invalid_certificate",
            "certificate must be the PEM text of an X.509 certificate (-----BEGIN CERTIFICATE-----).",
        ) from None
    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
    except (ValueError, TypeError):
        raise CredentialError(
            "invalid_private_key",
            "private_key must be the PEM text of an unencrypted private key "
            "(-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----).",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CredentialError("invalid_private_key", "Microsoft needs an RSA private key.")
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.PEM, public) != certificate.public_key().public_bytes(serialization.Encoding.PEM, public):  # fmt: skip
        raise CredentialError(
            "key_mismatch", "The private key does not belong to that certificate."
        )
    if certificate.not_valid_after_utc <= now:
        raise CredentialError("credential_expired", "That certificate has already expired.")
    return {
        "certificate": certificate_pem,
        "private_key": key_pem,
        "expires_at": certificate.not_valid_after_utc,
        "thumbprint": certificate.fingerprint(hashes.SHA1()).hex().upper(),  # noqa: S303
    }


def parse_credential(raw: Any, *, now: datetime | None = None) -> MicrosoftCredential:
    now = now or datetime.now(UTC)
    if not isinstance(raw, dict):
        raise CredentialError("invalid_credential", "The Microsoft credential must be a JSON object.")  # fmt: skip
    unknown = sorted(set(raw) - FIELDS)
    if unknown:
        raise CredentialError("invalid_credential", f"Unknown fields: {', '.join(unknown)[:200]}.")
    tenant_id, client_id = _tenant(raw), _client(raw)
    has_secret, has_certificate = bool(raw.get("client_secret")), bool(raw.get("certificate") or raw.get("private_key"))  # fmt: skip
    if has_secret == has_certificate:
        raise CredentialError(
            "invalid_credential",
            "Give either client_secret, or certificate and private_key (a certificate is "
            "recommended).",
        )
    base = {"tenant_id": tenant_id, "client_id": client_id}
    if has_secret:
        checked = _secret(raw, now)
        return MicrosoftCredential(
            tenant_id, client_id, "secret", checked["expires_at"],
            secret={**base, "client_secret": checked["client_secret"]},
        )  # fmt: skip
    checked = _certificate(raw, now)
    return MicrosoftCredential(
        tenant_id, client_id, "certificate", checked["expires_at"], checked["thumbprint"],
        secret={**base, "certificate": checked["certificate"], "private_key": checked["private_key"]},
    )  # fmt: skip

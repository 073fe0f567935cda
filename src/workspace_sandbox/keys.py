"""Service-account key files, shaped exactly like the JSON the Google Cloud console downloads."""

from __future__ import annotations

from urllib.parse import quote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .ids import new_private_key_id
from .state import ServiceAccount


def issue_key(account: ServiceAccount, token_uri: str) -> dict:
    """Creates a key pair, keeps the public half on the account, returns the key file.

    The private half exists only in the returned file, as at Google.
    """
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_id = new_private_key_id()
    account.public_keys[key_id] = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": account.project_id,
        "private_key_id": key_id,
        "private_key": pem,
        "client_email": account.client_email,
        "client_id": account.client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + quote(account.client_email, safe=""),
        "universe_domain": "googleapis.com",
    }

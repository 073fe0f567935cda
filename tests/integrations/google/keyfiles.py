"""Key files shaped exactly like the ones Google's console downloads, made locally."""

from __future__ import annotations

import functools
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PROJECT = "acme-calendar"
ACCOUNT = "meetbridge"


@functools.cache
def rsa_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


@functools.cache
def ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def key_file(**overrides) -> dict:
    email = f"{ACCOUNT}@{PROJECT}.iam.gserviceaccount.com"
    data = {
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "3f2a9c1e4b7d8a6f0e5c2b1a9d8c7e6f5a4b3c2d",
        "private_key": rsa_pem(),
        "client_email": email,
        "client_id": "104857600123456789012",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def key_text(**overrides) -> str:
    return json.dumps(key_file(**overrides), indent=2)


def pem_body(pem: str) -> str:
    """A distinctive slice of the key material, to search for where it must never appear."""
    lines = [line for line in pem.splitlines() if line and not line.startswith("-----")]
    return lines[len(lines) // 2]

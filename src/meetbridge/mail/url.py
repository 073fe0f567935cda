"""`EMAIL_URL` to Django's mail settings. Pure: no Django import.

    smtp://host:port                      plain SMTP (port 25 by default)
    smtp+tls://user:pass@host:587         STARTTLS (port 587 by default)
    smtp+ssl://user:pass@host:465         implicit TLS (port 465 by default)
    ?from=meetbridge@example.com          the sender address (DEFAULT_FROM_EMAIL)

User name and password are percent-decoded, so a password may contain any character.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}


class EmailUrlError(ValueError):
    """EMAIL_URL cannot be used; the message says what to write instead (never the password)."""


def parse_email_url(url: str) -> dict:
    """Django settings (EMAIL_BACKEND, EMAIL_HOST, ...) for an EMAIL_URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise EmailUrlError(
            "EMAIL_URL must start with smtp://, smtp+tls:// or smtp+ssl://, "
            "e.g. smtp+tls://user:password@smtp.example.com:587."
        )
    if not parts.hostname:
        raise EmailUrlError("EMAIL_URL names no host, e.g. smtp://mail.example.com:25.")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise EmailUrlError("EMAIL_URL has a port that is not a number.") from exc
    settings = {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": 20,
    }
    sender = parse_qs(parts.query).get("from")
    if sender:
        settings["DEFAULT_FROM_EMAIL"] = sender[-1]
    return settings

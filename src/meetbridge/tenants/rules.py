"""Pure rules about tenants and people: no Django, no database."""

from __future__ import annotations

import re

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
DOMAIN_PATTERN = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$"
)
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}$")


class RuleViolation(ValueError):
    """Input that breaks a rule; the message says what to fix."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively: store them lower-cased."""
    cleaned = email.strip().lower()
    if not EMAIL_PATTERN.match(cleaned):
        raise RuleViolation("invalid_email", f"{email.strip()!r} is not an e-mail address.")
    return cleaned


def normalise_domain(domain: str) -> str:
    cleaned = domain.strip().lower().rstrip(".")
    if not DOMAIN_PATTERN.match(cleaned):
        raise RuleViolation(
            "invalid_domain", f"{domain.strip()!r} is not a domain name like 'example.com'."
        )
    return cleaned


def normalise_slug(slug: str) -> str:
    cleaned = slug.strip().lower()
    if not SLUG_PATTERN.match(cleaned):
        raise RuleViolation(
            "invalid_slug",
            f"{slug.strip()!r} is not a valid tenant slug: use 1-50 lower-case letters, digits "
            "and hyphens, starting and ending with a letter or digit.",
        )
    return cleaned


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[1]


def check_email_in_domain(email: str, domain: str) -> None:
    """A person can join a tenant only with an address in the tenant's Workspace domain."""
    if email_domain(email) != domain:
        raise RuleViolation(
            "outside_domain",
            f"{email} is not in this tenant's domain {domain}; "
            f"only addresses ending in @{domain} can join it.",
        )

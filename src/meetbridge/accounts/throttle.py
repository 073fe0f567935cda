"""Throttling failed password sign-ins, per account (the e-mail typed) and per address (IP).

The rule is pure (`is_throttled`); failures are rows in the database so every server process
sees the same counts. Counting by the e-mail typed, whether or not such an account exists,
keeps the answer the same for both: nobody learns which addresses have accounts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 30


def is_throttled(account_failures: int, address_failures: int) -> bool:
    return account_failures >= PER_ACCOUNT or address_failures >= PER_ADDRESS


def failures_since(email: str, address: str, now: datetime) -> tuple[int, int]:
    from meetbridge.accounts.models import FailedSignIn

    recent = FailedSignIn.objects.filter(at__gt=now - WINDOW)
    return recent.filter(email=email).count(), recent.filter(address=address).count()


def throttled(email: str, address: str, now: datetime) -> bool:
    return is_throttled(*failures_since(email, address, now))


def record_failure(email: str, address: str, now: datetime) -> None:
    from meetbridge.accounts.models import FailedSignIn

    FailedSignIn.objects.create(email=email[:254], address=address, at=now)
    FailedSignIn.objects.filter(at__lt=now - 4 * WINDOW).delete()


def forget_failures(email: str) -> None:
    """A successful sign-in clears the account's count (not the address's)."""
    from meetbridge.accounts.models import FailedSignIn

    FailedSignIn.objects.filter(email=email).delete()

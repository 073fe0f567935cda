"""Claiming an `Idempotency-Key` before anything else looks at the request, as Stripe does.

The first request with a key writes its record at once, before any clash check. A request
that arrives with the same key while the first is still working waits a little for the
first answer and gives it, or answers 409 `request_in_progress`: never a refusal of its own
such as `slot_taken`, which would tell the client the opposite of what happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from meetbridge.meetings import states
from meetbridge.meetings.models import IdempotencyRecord
from meetbridge.meetings.reservations import lease_length

DEFAULT_WAIT_SECONDS = 8.0
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Waiting:
    """How long a repeat waits for the first request's answer, and how it passes the time."""

    seconds: float
    pause: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def configured(cls) -> Waiting:
        return cls(settings.MEETBRIDGE.get("IDEMPOTENCY_WAIT_SECONDS", DEFAULT_WAIT_SECONDS))


def claim(person, key: str, digest: str, *, now: datetime) -> IdempotencyRecord | None:
    """None when this request now holds the key; otherwise the record that holds it."""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(
                person=person, key=key, fingerprint=digest, created_at=now
            )
        return None
    except IntegrityError:
        return current(person, key) or claim(person, key, digest, now=now)


def current(person, key: str) -> IdempotencyRecord | None:
    return (
        IdempotencyRecord.objects.filter(person=person, key=key)
        .select_related("booking", "booking__organizer", "booking__tenant")
        .first()
    )


def still_working(record: IdempotencyRecord, *, now: datetime) -> bool:
    """Whether the request that holds the key is (as far as anyone can tell) still on it."""
    if record.status_code is not None:
        return False
    booking = record.booking
    if booking is None:
        # Claimed, not yet reserved: alive unless it has been so for longer than any request.
        return record.created_at > now - lease_length()
    return booking.state == states.INSERTING and bool(
        booking.lease_until and booking.lease_until > now
    )


def release(person, key: str | None) -> None:
    """Gives the key back when the request ends without an answer worth repeating."""
    if key:
        IdempotencyRecord.objects.filter(
            person=person, key=key, booking__isnull=True, status_code__isnull=True
        ).delete()


def wait_while_working(
    record: IdempotencyRecord, *, now: datetime, waiting: Waiting
) -> IdempotencyRecord | None:
    """The record once its holder has finished (None if it gave the key back), or the same
    record, still in progress, when the wait is over."""
    started = waiting.clock()
    person, key = record.person_id, record.key
    while still_working(record, now=now + timedelta(seconds=waiting.clock() - started)):
        if waiting.clock() - started >= waiting.seconds:
            return record
        waiting.pause(POLL_SECONDS)
        record = current(person, key)
        if record is None:
            return None
    return record

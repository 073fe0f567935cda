"""Booking latency: POST /api/v1/meetings against one direct events.insert round trip.

Both go to the same sandbox, under the same injected latency, with the same event (one
attendee invited, `sendUpdates=all`); samples are interleaved so drift hits both alike. A
booking is a free/busy re-check plus the insert; issue 12 targets at most 2.1x the insert.
`python -m bench` runs `measure(stack)` on its running stack, after the availability parts.
"""

from __future__ import annotations

import base64
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import requests

from bench.http_bench import Direct, percentile
from bench.stack import CALLER, COLLEAGUES, Stack

SAMPLES = 40
# Far enough ahead that the bench's seeded recurring meetings have ended: every slot is free.
FIRST_SLOT_DAYS = 200


def slots(count: int) -> Iterator[datetime]:
    """Back-to-back half hours, one per call, none overlapping another."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first += timedelta(days=FIRST_SLOT_DAYS)
    for n in range(count):
        yield first + timedelta(minutes=30 * n)


def event_body(start: datetime, attendee: str) -> dict:
    return {
        "attendees": [attendee],
        "start": start.isoformat(),
        "duration": 30,
        "title": "Bench booking",
    }


class DirectInsert:
    """events.insert straight to the sandbox, as the caller, with a token got beforehand."""

    def __init__(self, stack: Stack) -> None:
        direct = Direct(stack)
        self.http = direct.http
        self.headers = {"Authorization": f"Bearer {direct.token}"}
        calendar = quote(CALLER, safe="@")
        self.url = f"{stack.sandbox.url}/calendar/v3/calendars/{calendar}/events"

    def insert(self, start: datetime, attendee: str) -> float:
        body = {
            "id": base64.b32hexencode(uuid.uuid4().bytes).decode().rstrip("=").lower(),
            "summary": "Bench direct insert",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()},
            "attendees": [{"email": attendee}],
        }
        started = time.perf_counter()
        response = self.http.post(
            self.url, params={"sendUpdates": "all"}, json=body, headers=self.headers, timeout=30
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed


class Booking:
    def __init__(self, stack: Stack) -> None:
        self.url = f"{stack.meetbridge_url}/api/v1/meetings"
        self.headers = {"Authorization": f"Bearer {stack.tokens[CALLER]}"}
        self.http = requests.Session()

    def book(self, start: datetime, attendee: str) -> tuple[float, int]:
        started = time.perf_counter()
        response = self.http.post(
            self.url, json=event_body(start, attendee), headers=self.headers, timeout=60
        )
        return time.perf_counter() - started, response.status_code


def round_the_clock(emails: list[str] | None = None) -> None:
    """Bookings keep to everyone's working hours; back-to-back half hours need all of them."""
    from meetbridge.scheduling import consent
    from meetbridge.scheduling.rules import DAYS
    from meetbridge.tenants.models import Person

    hours = {day: [["00:00", "24:00"]] for day in DAYS}
    for person in Person.objects.filter(email__in=emails or [CALLER, *COLLEAGUES]):
        consent.grant(person, working_hours=hours)


def measure(stack: Stack, *, samples: int = SAMPLES) -> dict:
    round_the_clock()
    direct, booking = DirectInsert(stack), Booking(stack)
    times = slots(2 * samples + 2)
    # Warm both paths once (connections, meetbridge's token for the caller).
    direct.insert(next(times), COLLEAGUES[0])
    booking.book(next(times), COLLEAGUES[0])
    inserts, bookings, failures = [], [], 0
    for n in range(samples):
        colleague = COLLEAGUES[n % len(COLLEAGUES)]
        inserts.append(direct.insert(next(times), colleague))
        elapsed, status = booking.book(next(times), colleague)
        if status == 201:
            bookings.append(elapsed)
        else:
            failures += 1
    if len(bookings) < 2:
        raise RuntimeError(f"Only {len(bookings)} of {samples} bookings answered 201.")
    result = {
        "samples": samples,
        "failures": failures,
        "insert_ms_p50": 1000 * statistics.median(inserts),
        "insert_ms_p95": 1000 * percentile(inserts, 95),
        "booking_ms_p50": 1000 * statistics.median(bookings),
        "booking_ms_p95": 1000 * percentile(bookings, 95),
    }
    result["ratio_p50"] = result["booking_ms_p50"] / result["insert_ms_p50"]
    result["ratio_p95"] = result["booking_ms_p95"] / result["insert_ms_p95"]
    return result

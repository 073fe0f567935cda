"""Booking latency: POST /api/v1/meetings against one direct events.insert round trip.

Both go to the same sandbox, under the same injected latency, with the same event (one
attendee invited, `sendUpdates=all`); samples are interleaved so drift hits both alike. A
booking is a free/busy re-check plus the insert, so its target is at most 2.2x the insert.

The main bench calls `measure(target_from_stack(stack))` on its running stack and prints
`table(result)`; `python -m bench.booking` does the same against a stack it starts itself.
"""

from __future__ import annotations

import base64
import statistics
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import google.auth.transport.requests
import requests
from google.oauth2 import service_account

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
SAMPLES = 40
TARGET_RATIO = 2.2
# Far enough ahead that the bench's seeded recurring meetings have ended: every slot is free.
FIRST_SLOT_DAYS = 200


@dataclass(frozen=True)
class BookingTarget:
    """What booking needs from a running stack: both servers, an organizer, colleagues."""

    sandbox_url: str
    meetbridge_url: str
    token: str  # the organizer's meetbridge API token
    key: dict  # the tenant's service-account key, for the direct calls
    organizer: str
    colleagues: list[str]


def target_from_stack(stack) -> BookingTarget:
    """The main bench's `bench.stack.Stack`: its caller books with its colleagues."""
    from bench.stack import CALLER, COLLEAGUES

    return BookingTarget(
        sandbox_url=stack.sandbox.url,
        meetbridge_url=stack.meetbridge_url,
        token=stack.token,
        key=stack.key,
        organizer=CALLER,
        colleagues=list(COLLEAGUES),
    )


def slots(count: int) -> Iterator[datetime]:
    """Back-to-back half hours, one per sample, none overlapping another."""
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    first += timedelta(days=FIRST_SLOT_DAYS)
    for n in range(count):
        yield first + timedelta(minutes=30 * n)


class DirectInsert:
    """events.insert straight to the sandbox, with a token google-auth got for the organizer."""

    def __init__(self, target: BookingTarget) -> None:
        credentials = service_account.Credentials.from_service_account_info(
            target.key, scopes=[CALENDAR_SCOPE], subject=target.organizer
        )
        credentials.refresh(google.auth.transport.requests.Request())
        self.headers = {"Authorization": f"Bearer {credentials.token}"}
        calendar = quote(target.organizer, safe="@")
        self.url = f"{target.sandbox_url}/calendar/v3/calendars/{calendar}/events"
        self.http = requests.Session()

    def insert(self, start: datetime, attendee: str) -> float:
        event_id = base64.b32hexencode(uuid.uuid4().bytes).decode().rstrip("=").lower()
        body = {
            "id": event_id,
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
    def __init__(self, target: BookingTarget) -> None:
        self.url = f"{target.meetbridge_url}/api/v1/meetings"
        self.headers = {"Authorization": f"Bearer {target.token}"}
        self.http = requests.Session()

    def book(self, start: datetime, attendee: str) -> tuple[float, int]:
        body = {
            "attendees": [attendee],
            "start": start.isoformat(),
            "duration": 30,
            "title": "Bench booking",
        }
        started = time.perf_counter()
        response = self.http.post(self.url, json=body, headers=self.headers, timeout=60)
        return time.perf_counter() - started, response.status_code


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def measure(target: BookingTarget, *, samples: int = SAMPLES) -> dict:
    direct, booking = DirectInsert(target), Booking(target)
    times = slots(2 * samples + 2)
    # Warm both paths once (connections, meetbridge's token for the organizer).
    direct.insert(next(times), target.colleagues[0])
    booking.book(next(times), target.colleagues[0])
    inserts, bookings, failures = [], [], 0
    for n in range(samples):
        colleague = target.colleagues[n % len(target.colleagues)]
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
        "insert_ms_p50": statistics.median(inserts) * 1000,
        "insert_ms_p95": p95(inserts) * 1000,
        "booking_ms_p50": statistics.median(bookings) * 1000,
        "booking_ms_p95": p95(bookings) * 1000,
        "target_ratio": TARGET_RATIO,
    }
    result["ratio_p50"] = result["booking_ms_p50"] / result["insert_ms_p50"]
    result["ratio_p95"] = result["booking_ms_p95"] / result["insert_ms_p95"]
    return result


def table(result: dict) -> list[str]:
    met = "met" if max(result["ratio_p50"], result["ratio_p95"]) <= TARGET_RATIO else "MISSED"
    return [
        "| booking (POST /api/v1/meetings) | p50 | p95 |",
        "|---|---|---|",
        f"| one direct events.insert | {result['insert_ms_p50']:.0f} ms "
        f"| {result['insert_ms_p95']:.0f} ms |",
        f"| meetbridge booking | {result['booking_ms_p50']:.0f} ms "
        f"| {result['booking_ms_p95']:.0f} ms |",
        f"| ratio (target <= {TARGET_RATIO}x: {met}) | {result['ratio_p50']:.2f}x "
        f"| {result['ratio_p95']:.2f}x |",
        f"{result['samples']} samples interleaved, {result['failures']} bookings not 201.",
    ]


def main() -> None:
    from bench import stack as bench_stack

    running = bench_stack.start(print)
    try:
        running.sandbox.set_faults(latency_ms=100)
        result = measure(target_from_stack(running))
    finally:
        running.stop()
    print("\n".join(table(result)))


if __name__ == "__main__":
    main()

"""Holding people's time in our own database, so that two requests never win the same slot.

The calendar's free/busy shows only what is already on the calendars; a booking still on its way
there is invisible to it. So every booking that holds time (see `states.HOLDS_TIME`) is
checked here, under a per-person lock, before anyone asks the calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from meetbridge.integrations.provider import Interval
from meetbridge.meetings import states
from meetbridge.meetings.models import Booking, IdempotencyRecord, Participant, ScheduleLock

DEFAULT_LEASE_SECONDS = 120
DEFAULT_GRACE_SECONDS = 60


class SlotTaken(Exception):
    def __init__(self, person_id: int) -> None:
        super().__init__(person_id)
        self.person_id = person_id


class Overtaken(Exception):
    """Another request got there first: one with the same Idempotency-Key, or one that
    changed the booking meanwhile."""


def lease_length() -> timedelta:
    """Longer than any request can spend on the calendar, retries included."""
    seconds = settings.MEETBRIDGE.get("BOOKING_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)
    return timedelta(seconds=seconds)


def grace_period() -> timedelta:
    """How long after a calendar call that timed out its answer may still land: the row is
    held that long before anyone (the sweep) judges what the calendar has."""
    seconds = settings.MEETBRIDGE.get("BOOKING_SWEEP_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)
    return timedelta(seconds=seconds)


def _lock_people(person_ids: Sequence[int], now: datetime) -> None:
    """Blocks until no other reservation touches any of these people.

    One statement creates each person's lock row or, when it exists, updates it, which
    takes its row lock until the transaction ends (an upsert locks like an UPDATE). Rows are
    taken in id order, so two reservations sharing people cannot deadlock.
    """
    ScheduleLock.objects.bulk_create(
        [ScheduleLock(person_id=pid, locked_at=now) for pid in sorted(person_ids)],
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=["locked_at"],
    )


def first_clash(
    person_ids: Sequence[int], wanted: Interval, *, ignore: Booking | None = None
) -> int | None:
    """The first of `person_ids` (in that order) with a booking here that holds `wanted`."""
    seats = Participant.objects.filter(
        person_id__in=person_ids, booking__state__in=states.HOLDS_TIME
    ).filter(
        Q(booking__start__lt=wanted.end, booking__end__gt=wanted.start)
        | Q(booking__pending_start__lt=wanted.end, booking__pending_end__gt=wanted.start)
    )
    if ignore is not None:
        seats = seats.exclude(booking_id=ignore.pk)
    busy = set(seats.values_list("person_id", flat=True))
    return next((pid for pid in person_ids if pid in busy), None)


def reserve_new(
    booking: Booking,
    people: Sequence,
    *,
    now: datetime,
    key: str | None = None,
    fingerprint: str = "",
) -> None:
    """Saves the booking in `inserting`, holding its time for `people` (organizer first).

    Raises SlotTaken naming the first person whose time another booking here holds, and
    Overtaken when a concurrent request with the same Idempotency-Key reserved first.
    """
    ids = [person.pk for person in people]
    try:
        with transaction.atomic():
            _lock_people(ids, now)
            taken = first_clash(ids, booking.interval)
            if taken is not None:
                raise SlotTaken(taken)
            booking.state = states.INSERTING
            booking.lease_until = now + lease_length()
            booking.created_at = booking.changed_at = now
            booking.save(force_insert=True)
            Participant.objects.bulk_create(
                Participant(
                    booking=booking,
                    person=person,
                    email=person.email,
                    is_organizer=position == 0,
                    position=position,
                    response="accepted" if position == 0 else "needsAction",
                )
                for position, person in enumerate(people)
            )
            if key:
                # Usually the key's claim (see key_claims), now pointing at its booking.
                IdempotencyRecord.objects.update_or_create(
                    person=booking.organizer,
                    key=key,
                    defaults={"fingerprint": fingerprint, "booking": booking},
                )
    except IntegrityError as exc:
        if key and IdempotencyRecord.objects.filter(person=booking.organizer, key=key).exists():
            raise Overtaken from exc
        raise


def reserve_move(booking: Booking, wanted: Interval, *, now: datetime) -> None:
    """Moves a confirmed booking to `rescheduling`, holding `wanted` besides its current time.

    Raises SlotTaken, or Overtaken when another request changed the booking meanwhile.
    """
    ids = list(booking.participants.order_by("position").values_list("person_id", flat=True))
    with transaction.atomic():
        _lock_people(ids, now)
        taken = first_clash(ids, wanted, ignore=booking)
        if taken is not None:
            raise SlotTaken(taken)
        moved = advance(
            booking,
            states.RESCHEDULING,
            now=now,
            pending_start=wanted.start,
            pending_end=wanted.end,
            lease_until=now + lease_length(),
        )
        if not moved:
            raise Overtaken


def advance(booking: Booking, target: str, *, now: datetime | None = None, **fields) -> bool:
    """Moves the booking from the state this copy shows to `target`, only if it is still there.

    False when another request or the sweep moved the row first; the copy is then reloaded.
    """
    states.check_move(booking.state, target)
    now = now or timezone.now()
    # Each new state starts with a clean slate of the sweep's tries.
    fields = {"tries": 0, "next_try_at": None, "gave_up_at": None} | fields
    updated = Booking.objects.filter(pk=booking.pk, state=booking.state).update(
        state=target, changed_at=now, **fields
    )
    if not updated:
        booking.refresh_from_db()
        return False
    booking.state = target
    booking.changed_at = now
    for name, value in fields.items():
        setattr(booking, name, value)
    return True


def take_lease(booking: Booking, *, now: datetime) -> bool:
    """Claims the booking for this process; False while someone else works on it."""
    until = now + lease_length()
    claimed = (
        Booking.objects.filter(pk=booking.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        .update(lease_until=until)
    )
    if claimed:
        booking.lease_until = until
    return bool(claimed)


def release_lease(booking: Booking) -> None:
    if booking.lease_until is None:
        return
    Booking.objects.filter(pk=booking.pk, lease_until=booking.lease_until).update(lease_until=None)
    booking.lease_until = None


def hold_for_late_answer(booking: Booking, *, now: datetime | None = None) -> None:
    """This process lets go of the row, but a call of its that timed out may still land:
    nobody judges the row before the grace period has passed."""
    until = (now or timezone.now()) + grace_period()
    Booking.objects.filter(pk=booking.pk, lease_until=booking.lease_until).update(lease_until=until)
    booking.lease_until = None  # handed over: nothing left for `release_lease` to release


def stale_holders(person_ids: Sequence[int], wanted: Interval, *, now: datetime) -> list[Booking]:
    """Unsettled bookings nobody works on any more (their lease ran out) that hold `wanted`
    for any of these people: what a crashed request left behind."""
    holding = Q(start__lt=wanted.end, end__gt=wanted.start) | Q(
        pending_start__lt=wanted.end, pending_end__gt=wanted.start
    )
    return list(
        Booking.objects.filter(
            holding,
            state__in=states.UNSETTLED,
            participants__person_id__in=person_ids,
            lease_until__lte=now,
        )
        .select_related("organizer", "tenant")
        .distinct()
    )

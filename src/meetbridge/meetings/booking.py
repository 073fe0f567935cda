"""Booking a meeting exactly once, whatever the calendar or the network does.

1. The request is checked, and everyone's free/busy read again from the calendar, on another
   thread (`alongside.py`), while:
2. the time is reserved in our database under per-person locks, where bookings still on
   their way to the calendar count as busy too; the row is written in `inserting`. Nothing
   goes to the calendar before the re-check has answered: when it refuses, the reservation is
   deleted in one transaction with the key's answer, as if the refusal had come first.
3. The event is created under an id derived from the booking: the provider creates exactly
   once per id, so a retried create can only meet the event the first one made.
4. The row moves to `confirmed`.
A crash or an unanswered call leaves the row in `inserting`; a retry with the same
Idempotency-Key resumes it, and the sweep (`repair.py`) settles what nobody resumes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from meetbridge.audit import service as audit
from meetbridge.integrations.provider import CalendarProvider, EventView, Interval, ProviderError
from meetbridge.meetings import errors, key_claims, states
from meetbridge.meetings.alongside import Alongside
from meetbridge.meetings.calendar import (
    GONE_CODES,
    UNCERTAIN_CODES,
    calendar_for,
    draft_for,
    is_ours,
)
from meetbridge.meetings.errors import MeetingError, calendar_failure
from meetbridge.meetings.fitting import check_everyone_fits
from meetbridge.meetings.idempotency import check_key, fingerprint, key_reused_error
from meetbridge.meetings.meeting import Meeting
from meetbridge.meetings.models import Booking, IdempotencyRecord
from meetbridge.meetings.people import participants
from meetbridge.meetings.reading import record_event
from meetbridge.meetings.reservations import (
    Overtaken,
    SlotTaken,
    advance,
    hold_for_late_answer,
    release_lease,
    reserve_new,
    take_lease,
)
from meetbridge.meetings.resume import release_stale_holds
from meetbridge.meetings.rules import (
    check_booking,
    first_busy,
    hidden_under_own_time,
    recheck_window,
    request_payload,
)
from meetbridge.meetings.unfinished import withdraw
from meetbridge.scheduling.consent import rules_of, time_zone_of
from meetbridge.scheduling.limits import SchedulingRules, widest_buffers
from meetbridge.tenants.models import Person

log = logging.getLogger(__name__)


def book(
    organizer: Person,
    *,
    attendees: list[str],
    start: datetime,
    duration: int,
    title: str,
    description: str = "",
    video: bool = False,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> dict:
    """Books the meeting with `organizer` as organizer; answers the contract's meeting JSON.

    Raises RuleViolation (422) for a request that cannot be booked as given, MeetingError
    otherwise (409 when someone's time is taken).
    """
    now = now or timezone.now()
    key = check_key(idempotency_key)
    asked = {
        "attendees": attendees,
        "start": start,
        "duration": duration,
        "title": title,
        "description": description,
        "video": video,
    }
    digest = fingerprint("book", request_payload(**asked))
    if key:
        # The key is claimed before any check: a concurrent repeat then waits for this
        # request's answer instead of meeting its reservation as a clash.
        answer = _answer_of_key(organizer, key, digest, now=now)
        if answer is not None:
            return answer
    try:
        return _book_claimed(organizer, asked, key=key, digest=digest, now=now)
    except BaseException:
        key_claims.release(organizer, key)
        raise


def _answer_of_key(organizer: Person, key: str, digest: str, *, now: datetime) -> dict | None:
    """The answer a request with this key already gave (waiting briefly for one in flight),
    or None once this request holds the key and must book."""
    record = key_claims.claim(organizer, key, digest, now=now)
    while record is not None:
        if record.fingerprint != digest:
            raise key_reused_error()
        record = key_claims.wait_while_working(
            record, now=now, waiting=key_claims.Waiting.configured()
        )
        if record is None:
            record = key_claims.claim(organizer, key, digest, now=now)
            continue
        if key_claims.still_working(record, now=now):
            raise errors.in_progress()
        answer = _replay(record, digest, now=now)
        if answer is not None:
            return answer
        record = key_claims.claim(organizer, key, digest, now=now)
    return None


def _book_claimed(
    organizer: Person, asked: dict, *, key: str | None, digest: str, now: datetime
) -> dict:
    request = check_booking(organizer_email=organizer.email, now=now, **asked)
    people = participants(organizer, request.attendees)
    emails = [person.email for person in people]
    provider = calendar_for(organizer.tenant, organizer)
    booking = Booking(
        tenant=organizer.tenant,
        organizer=organizer,
        title=request.title,
        description=request.description,
        video=request.video,
        time_zone=time_zone_of(people[0]),
        start=request.start,
        end=request.end,
    )
    # The calendar's free/busy is read while our own database is checked and the time reserved:
    # its round trip overlaps the work that does not depend on it. Its verdict is taken before
    # anything goes to the calendar, and before any refusal of ours it would have come before.
    rules = {person.email: rules_of(person) for person in people}
    recheck = Alongside(
        partial(check_still_free, provider, organizer.email, emails, booking.interval, rules=rules),
        name="booking-recheck",
    )
    reserved = False
    try:
        try:
            release_stale_holds([person.pk for person in people], booking.interval, now=now)
            check_everyone_fits(people, booking.interval, now=now)
            try:
                reserve_new(booking, people, now=now, key=key, fingerprint=digest)
            except (SlotTaken, Overtaken):
                recheck.result()  # the calendar's refusal first, as when it was asked first
                raise
            reserved = True
        finally:
            recheck.wait()
        try:
            recheck.result()
        except Exception as problem:
            _give_back(booking, key, digest, problem)
            raise
    except MeetingError as refusal:
        if refusal.code == "slot_taken" and not reserved:
            _remember(organizer, key, digest, refusal)
        raise
    except SlotTaken as taken:
        email = next(p.email for p in people if p.pk == taken.person_id)
        refusal = errors.slot_taken(email, organizer.email)
        _remember(organizer, key, digest, refusal)
        raise refusal from None
    except Overtaken:
        raise errors.in_progress() from None
    return _carry_out(booking, provider, emails, key=key, resuming=False)


def _give_back(booking: Booking, key: str | None, digest: str, problem: Exception) -> None:
    """The re-check refused (or failed) after this request reserved the time: nothing was sent
    to the calendar, so the reservation goes as if never made, no row left, and the key keeps
    what a refusal before any reservation kept (a taken slot), in the same transaction."""
    with transaction.atomic():
        deleted, _ = Booking.objects.filter(
            pk=booking.pk, state=states.INSERTING, lease_until=booking.lease_until
        ).delete()
        if not deleted:
            # Only someone after this request's lease ran out could have taken the row over;
            # nothing was sent, so they find no event and give it up.
            log.warning("Booking %s was taken over before its re-check answered", booking.pk)
            return
        if isinstance(problem, MeetingError) and problem.code == "slot_taken":
            _remember(booking.organizer, key, digest, problem)


def _replay(record: IdempotencyRecord, digest: str, *, now: datetime) -> dict | None:
    """The first answer to this key, or None when there is none to give (book afresh)."""
    if record.fingerprint != digest:
        raise key_reused_error()
    if record.status_code is not None:
        if record.status_code < 400:
            return record.response
        raise MeetingError.from_body(record.status_code, record.response)
    booking = record.booking
    if booking is None or booking.state == states.FAILED:
        # The first attempt ended without an answer worth keeping: nothing was booked.
        record.delete()
        return None
    if booking.state == states.INSERTING:
        if not take_lease(booking, now=now):
            raise errors.in_progress()
        provider = calendar_for(booking.tenant, booking.organizer)
        emails = list(booking.participants.order_by("position").values_list("email", flat=True))
        return _carry_out(booking, provider, emails, key=record.key, resuming=True)
    # Booked, but the answer was lost before it was kept: answer from the booking.
    body = booking.as_meeting().to_json()
    _keep(record.person, record.key, 201, body)
    return body


def _carry_out(
    booking: Booking,
    provider: CalendarProvider,
    emails: list[str],
    *,
    key: str | None,
    resuming: bool,
) -> dict:
    """Takes a reserved booking to the calendar; this process holds its lease.

    `emails`: the organizer's, then the attendees'.
    """
    try:
        meeting = _to_calendar(booking, provider, emails, key=key, resuming=resuming)
    except MeetingError as refusal:
        if refusal.code == "slot_taken":
            _keep(booking.organizer, key, refusal.status, refusal.body())
        elif key and booking.state == states.FAILED:
            # A passing failure with nothing booked: the same key may be tried again.
            IdempotencyRecord.objects.filter(person=booking.organizer, key=key).delete()
        raise
    finally:
        release_lease(booking)
    return meeting.to_json()  # kept for the key by `confirm`


def _to_calendar(
    booking: Booking,
    provider: CalendarProvider,
    emails: list[str],
    *,
    key: str | None,
    resuming: bool,
) -> Meeting:
    if resuming:
        # The last attempt may have made the event: look before checking or inserting.
        found = look_up_after_doubt(booking, provider)
        if found is not None:
            return confirm(booking, found, provider, key=key)
        try:
            check_still_free(provider, booking.organizer.email, emails, booking.interval)
        except MeetingError as refusal:
            fail(booking, refusal)
            raise
    view = insert(booking, provider, attendee_emails=tuple(emails[1:]))
    return confirm(booking, view, provider, key=key)


def check_still_free(
    provider: CalendarProvider,
    organizer: str,
    emails: list[str],
    wanted: Interval,
    *,
    own_time: Interval | None = None,
    own_event_id: str = "",
    rules: Mapping[str, SchedulingRules] | None = None,
) -> None:
    """Reads everyone's free/busy again (the calendar's view: what is already on them);
    raises when someone is busy, or too close to busy time for their buffers (`rules`, by
    e-mail), or cannot be read. For a move, `own_time` and `own_event_id` are the meeting's:
    where free/busy cannot tell the meeting from what else lies in its time, those people's
    events are read one by one without it (`rules.hidden_under_own_time`)."""
    rules = rules or {}
    reach_back, reach_on = widest_buffers(rules.values())
    window = recheck_window(wanted, own_time)
    start, end = (
        min(window.start, wanted.start - reach_back),
        max(window.end, wanted.end + reach_on),
    )
    found = _read_busy(provider.free_busy, organizer, emails, start, end)
    buffers = {
        email: (
            timedelta(minutes=r.buffer_before_minutes),
            timedelta(minutes=r.buffer_after_minutes),
        )
        for email, r in rules.items()
    }
    busy, exact = found.busy, set()
    if own_time is not None and own_event_id:
        exact = set(hidden_under_own_time(wanted, busy, emails, own_time=own_time, buffers=buffers))
    if exact:
        besides = partial(provider.busy_besides, event_id=own_event_id)
        busy = {**busy, **_read_busy(besides, organizer, sorted(exact), start, end).busy}
    taken = first_busy(wanted, busy, emails, own_time=own_time, exact=exact)
    if taken is not None:
        raise errors.slot_taken(taken, organizer, moving=own_time is not None)
    crowded = first_busy(wanted, busy, emails, own_time=own_time, buffers=buffers, exact=exact)
    if crowded is not None:
        raise errors.too_close(crowded, organizer)


def _read_busy(read, organizer: str, emails: list[str], start: datetime, end: datetime):
    """`read` (free/busy, or busy time event by event) for everyone, or the refusal: a person
    whose calendar cannot be read is never free."""
    try:
        found = read(as_email=organizer, emails=emails, start=start, end=end)
    except ProviderError as error:
        raise calendar_failure(error) from error
    unknown = next((email for email in emails if email in found.unknown), None)
    if unknown is not None:
        raise errors.calendar_unreadable(unknown)
    return found


def insert(booking: Booking, provider: CalendarProvider, *, attendee_emails) -> EventView:
    """Inserts the event; after a failure, looks whether it was made anyway."""
    try:
        return provider.create_event(draft=draft_for(booking, attendee_emails))
    except ProviderError as error:
        log.info("Insert of booking %s failed: %s", booking.pk, error.code)
        if error.code in UNCERTAIN_CODES:
            # The calendar may still be making the event: only time (the sweep) can tell.
            hold_for_late_answer(booking)
            raise errors.pending() from error
        found = look_up_after_doubt(booking, provider)
        if found is not None:
            return found
        fail(booking, calendar_failure(error))
        raise calendar_failure(error) from error


def look_up_after_doubt(
    booking: Booking,
    provider: CalendarProvider,
    *,
    unknown: Callable[[], MeetingError] = errors.pending,
) -> EventView | None:
    """The booking's event if the calendar has it, None if not; raises `unknown()` if the
    calendar cannot tell right now."""
    try:
        view = provider.get_event(as_email=booking.organizer.email, event_id=booking.event_id)
    except ProviderError as error:
        if error.code in GONE_CODES:
            return None
        raise unknown() from error
    if not is_ours(view, booking):
        # Only a clash of random 128-bit ids could get here; never adopt a stranger's event.
        log.error("Event %s exists without booking %s's marker", booking.event_id, booking.pk)
        return None
    return view


def confirm(
    booking: Booking, view: EventView, provider: CalendarProvider, *, key: str | None = None
) -> Meeting:
    """Records that the event is on the calendar (the description is no longer kept) and, in
    the same commit, the answer for the request's Idempotency-Key and the audit entries it
    collected so far: the answer is that much closer, one disk flush instead of several."""
    meeting = Meeting.from_event(view, video_asked=booking.video)

    def record() -> bool:
        """True when the sweep gave the booking up meanwhile."""
        confirmed = advance(
            booking,
            states.CONFIRMED,
            status=view.status,
            html_link=view.html_link or "",
            video_link=view.video_link or "",
            description="",
            lease_until=None,
        )
        if not confirmed and booking.state == states.FAILED:
            return True
        if key:
            _keep(booking.organizer, key, 201, meeting.to_json())
        return False

    given_up = audit.committed_with_collected(record)
    if given_up:
        # The sweep gave the booking up while this request was still inserting: the
        # calendar must not keep a meeting our database says failed (retried until gone).
        withdraw(booking, provider)
        raise errors.pending()
    record_event(booking, view)
    return meeting


def fail(booking: Booking, refusal: MeetingError) -> None:
    """Gives the booking up; only ever called when the calendar does not have the event."""
    advance(
        booking,
        states.FAILED,
        problem_code=refusal.code[:64],
        problem_message=refusal.message[:500],
        description="",
    )


def _remember(organizer: Person, key: str | None, digest: str, refusal: MeetingError) -> None:
    """Keeps a refusal given before any booking row existed, to give again for this key."""
    if not key:
        return
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.update_or_create(
                person=organizer,
                key=key,
                defaults={
                    "fingerprint": digest,
                    "status_code": refusal.status,
                    "response": refusal.body(),
                },
            )
    except IntegrityError:
        log.info("Another request kept an answer for this Idempotency-Key first")


def _keep(organizer: Person, key: str | None, status: int, body: dict) -> None:
    """Keeps the answer on the record the reservation made for this key."""
    if key:
        IdempotencyRecord.objects.filter(
            person=organizer, key=key, status_code__isnull=True
        ).update(status_code=status, response=body)

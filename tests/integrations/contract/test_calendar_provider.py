"""What every calendar provider must do, whichever system is behind it.

Run once per provider (see `conftest.py`), against its stand-in over the real wire. The
meetings and scheduling apps rely on exactly these behaviours and nothing provider-specific.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations import registry
from meetbridge.integrations.provider import EventDraft, EventView, ProviderError
from meetbridge.meetings.event_ids import event_id_for
from tests.integrations.contract.conftest import ATTENDEE, ORGANIZER, OTHER, STRANGER, WORLDS

MONDAY = datetime(2030, 3, 4, 14, 0, tzinfo=UTC)
SAFE_FIELDS = {
    "event_id", "status", "title", "start", "end", "organizer_email", "attendees",
    "html_link", "video_link", "marker",
}  # fmt: skip
GONE = {"not_found", "gone"}


def draft(start: datetime = MONDAY, minutes: int = 30, **overrides) -> EventDraft:
    booking = uuid.uuid4()
    values = {
        "event_id": event_id_for(booking),
        "title": "Planning",
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "organizer_email": ORGANIZER,
        "attendee_emails": (ATTENDEE,),
        "time_zone": "Europe/Paris",
        "description": "Agenda: the confidential part",
        "marker": {"meetbridge_tenant": "acme", "meetbridge_booking": str(booking)},
    }
    values.update(overrides)
    return EventDraft(**values)


def busy_times(provider, email: str, start: datetime, end: datetime):
    found = provider.free_busy(as_email=ORGANIZER, emails=[email], start=start, end=end)
    return [(i.start, i.end) for i in found.busy[email]]


def test_every_registered_provider_runs_this_suite():
    assert set(WORLDS) == set(registry.KINDS)


# --- connect and diagnose ---------------------------------------------------------------------


def test_the_credential_an_admin_pastes_parses_into_public_fields_and_a_secret(world):
    kind = registry.kind(world.name)
    parsed = kind.parse_credential(world.raw_credential)
    public = kind.conf.model_validate(parsed.public).model_dump(mode="json")
    shown = repr(public) + parsed.summary + parsed.secret_id + kind.identity(parsed.public)
    assert parsed.secret and public
    assert not any(text in shown for text in world.secret_texts)


def test_a_good_setup_verifies(world):
    world.provider().verify(as_email=ORGANIZER)


def test_a_broken_setup_is_diagnosed_with_a_fix_and_heals_once_repaired(world):
    provider = world.provider()
    provider.verify(as_email=ORGANIZER)
    world.break_access()
    with pytest.raises(ProviderError) as failure:
        provider.verify(as_email=ORGANIZER)
    error = failure.value
    assert error.code not in ("unreachable", "provider_error") and error.fix
    assert not any(text in error.message + error.fix for text in world.secret_texts)

    world.repair_access()
    provider.verify(as_email=ORGANIZER)


def test_every_call_is_reported_for_the_audit_log(world):
    world.provider().verify(as_email=ORGANIZER)
    assert world.records and any(record.outcome == "ok" for record in world.records)
    assert all(record.operation and record.outcome for record in world.records)
    assert {record.subject_email for record in world.records} <= {ORGANIZER, ""}


# --- free/busy --------------------------------------------------------------------------------


def test_free_busy_shows_busy_time_and_never_calls_an_unreadable_person_free(world):
    world.seed_foreign_event(ATTENDEE, MONDAY, MONDAY + timedelta(hours=1))
    found = world.provider().free_busy(
        as_email=ORGANIZER,
        emails=[ORGANIZER, ATTENDEE, STRANGER],
        start=MONDAY - timedelta(hours=2),
        end=MONDAY + timedelta(hours=2),
    )
    assert [(i.start, i.end) for i in found.busy[ATTENDEE]] == [
        (MONDAY, MONDAY + timedelta(hours=1))
    ]
    assert found.busy[ORGANIZER] == []
    assert STRANGER in found.unknown and STRANGER not in found.busy


def test_free_busy_over_a_long_range_and_many_people_is_answered_whole(world):
    world.seed_foreign_event(
        OTHER, MONDAY + timedelta(days=80), MONDAY + timedelta(days=80, hours=1)
    )
    found = world.provider().free_busy(
        as_email=ORGANIZER,
        emails=[ORGANIZER, ATTENDEE, OTHER],
        start=MONDAY,
        end=MONDAY + timedelta(days=90),
    )
    assert set(found.busy) == {ORGANIZER, ATTENDEE, OTHER}
    assert len(found.busy[OTHER]) == 1


# --- events: exactly once, read back safely ---------------------------------------------------


def test_a_created_event_is_read_back_with_the_safe_fields_only(world):
    provider = world.provider()
    wanted = draft()
    made = provider.create_event(draft=wanted)
    read = provider.get_event(as_email=ORGANIZER, event_id=wanted.event_id)
    for view in (made, read):
        assert {f.name for f in fields(EventView)} == SAFE_FIELDS
        assert view.event_id == wanted.event_id and view.title == "Planning"
        assert (view.start, view.end) == (wanted.start, wanted.end)
        assert view.organizer_email == ORGANIZER
        assert ATTENDEE in {a.email for a in view.attendees}
        assert view.marker == wanted.marker
        assert "confidential" not in repr(view)
    # The organizer's time is taken (an attendee's may stay free until they answer).
    assert busy_times(provider, ORGANIZER, MONDAY, MONDAY + timedelta(hours=1)) == [
        (wanted.start, wanted.end)
    ]


def test_an_event_meetbridge_did_not_make_never_reads_as_ours(world):
    provider = world.provider()
    foreign = world.seed_foreign_event(ORGANIZER, MONDAY, MONDAY + timedelta(hours=1))
    try:
        view = provider.get_event(as_email=ORGANIZER, event_id=foreign)
    except ProviderError as error:
        assert error.code in GONE
    else:
        assert view.marker == {} and "private notes" not in repr(view)


def test_creating_twice_makes_one_event(world):
    provider = world.provider()
    wanted = draft()
    first = provider.create_event(draft=wanted)
    again = provider.create_event(draft=wanted)
    assert again.event_id == first.event_id == wanted.event_id
    assert len(world.events_on(ORGANIZER)) == 1


@pytest.mark.parametrize(
    "faults",
    [
        {"lose_response_rate": 1.0, "times": 1},
        {"error_rate": 1.0, "error_status": 503, "times": 2},
        {"error_rate": 1.0, "error_status": 429, "times": 1},
        {"error_rate": 1.0, "error_status": 500, "times": 1},
    ],
    ids=["answer lost", "503 twice", "429", "500"],
)
def test_a_create_that_meets_a_passing_fault_lands_exactly_once(world, faults):
    provider = world.provider()
    provider.verify(as_email=ORGANIZER)  # a token first: the faults are for the create
    wanted = draft()
    world.fail_creates(**faults)
    made = provider.create_event(draft=wanted)
    world.clear_faults()
    assert made.event_id == wanted.event_id and made.marker == wanted.marker
    assert len(world.events_on(ORGANIZER)) == 1


def test_many_creates_under_random_faults_each_land_exactly_once(world):
    """As booking does: a create that failed is asked again later (the sweep), never twice
    at once for one booking; whatever answers were lost, each booking has one event."""
    provider = world.provider()
    provider.verify(as_email=ORGANIZER)
    drafts = [draft(start=MONDAY + timedelta(hours=n)) for n in range(12)]
    world.fail_everything(error_rate=0.2, error_status=503, lose_response_rate=0.1)

    def until_made(wanted: EventDraft) -> EventView:
        for _ in range(10):
            try:
                return provider.create_event(draft=wanted)
            except ProviderError as error:
                assert error.retryable or error.code in ("unreachable", "timeout"), error.code
        raise AssertionError("never made")

    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(until_made, drafts))
    world.clear_faults()
    assert [view.event_id for view in made] == [d.event_id for d in drafts]
    assert len(world.events_on(ORGANIZER)) == len(drafts)


# --- changes and answers ----------------------------------------------------------------------


def test_reschedule_moves_the_event_and_the_busy_time(world):
    provider = world.provider()
    wanted = draft()
    provider.create_event(draft=wanted)
    later = MONDAY + timedelta(days=1)
    moved = provider.move_event(
        as_email=ORGANIZER,
        event_id=wanted.event_id,
        start=later,
        end=later + timedelta(minutes=45),
        time_zone="Europe/Paris",
    )
    assert (moved.start, moved.end) == (later, later + timedelta(minutes=45))
    assert moved.event_id == wanted.event_id and moved.marker == wanted.marker
    assert busy_times(provider, ORGANIZER, MONDAY, MONDAY + timedelta(hours=1)) == []
    assert busy_times(provider, ORGANIZER, later, later + timedelta(hours=1)) == [
        (later, later + timedelta(minutes=45))
    ]


def test_busy_time_besides_our_event_shows_what_free_busy_merges_under_it(world):
    """Free/busy shows one block where the meeting and other events of its time lie; read
    event by event without the meeting, the others show: one of exactly its time, one inside
    it, one reaching over its edge. Ours is left out on every copy of it, answered or not."""
    provider = world.provider()
    ours = draft(minutes=60, attendee_emails=(ATTENDEE, OTHER))
    provider.create_event(draft=ours)
    world.answer(ATTENDEE, ours.event_id, "accepted")
    end = MONDAY + timedelta(hours=1)
    world.seed_foreign_event(ATTENDEE, MONDAY, end)
    world.seed_foreign_event(
        ATTENDEE, MONDAY + timedelta(minutes=20), MONDAY + timedelta(minutes=30)
    )
    world.seed_foreign_event(OTHER, MONDAY - timedelta(minutes=15), MONDAY + timedelta(minutes=15))
    window = (MONDAY - timedelta(hours=1), end + timedelta(hours=1))
    shown = busy_times(provider, ATTENDEE, *window)  # merged, or one item per event
    assert (MONDAY, end) in shown and all(s >= MONDAY and e <= end for s, e in shown)

    found = provider.busy_besides(
        as_email=ORGANIZER,
        emails=[ORGANIZER, ATTENDEE, OTHER, STRANGER],
        start=window[0],
        end=window[1],
        event_id=ours.event_id,
    )
    assert found.busy[ORGANIZER] == []
    assert sorted((i.start, i.end) for i in found.busy[ATTENDEE]) == [
        (MONDAY, end),
        (MONDAY + timedelta(minutes=20), MONDAY + timedelta(minutes=30)),
    ]
    assert [(i.start, i.end) for i in found.busy[OTHER]] == [
        (MONDAY - timedelta(minutes=15), MONDAY + timedelta(minutes=15))
    ]
    assert STRANGER in found.unknown and STRANGER not in found.busy


def test_cancel_frees_the_time_and_the_event_reads_as_cancelled_or_gone(world):
    provider = world.provider()
    wanted = draft()
    provider.create_event(draft=wanted)
    provider.cancel_event(as_email=ORGANIZER, event_id=wanted.event_id)
    try:
        view = provider.get_event(as_email=ORGANIZER, event_id=wanted.event_id)
    except ProviderError as error:
        assert error.code in GONE
    else:
        assert view.status == "cancelled"
    assert busy_times(provider, ORGANIZER, MONDAY, MONDAY + timedelta(hours=1)) == []
    assert world.events_on(ORGANIZER) == []


def test_cancelling_twice_is_harmless(world):
    """A cancel whose answer was lost is sent again: the second finds nothing left to do."""
    provider = world.provider()
    wanted = draft()
    provider.create_event(draft=wanted)
    provider.cancel_event(as_email=ORGANIZER, event_id=wanted.event_id)
    try:
        provider.cancel_event(as_email=ORGANIZER, event_id=wanted.event_id)
    except ProviderError as error:
        assert error.code in GONE
    assert world.events_on(ORGANIZER) == []


@pytest.mark.parametrize("response", ["accepted", "declined", "tentative"])
def test_attendee_answers_are_read_back(world, response):
    provider = world.provider()
    wanted = draft(attendee_emails=(ATTENDEE, OTHER))
    provider.create_event(draft=wanted)
    world.answer(ATTENDEE, wanted.event_id, response)
    view = provider.get_event(as_email=ORGANIZER, event_id=wanted.event_id)
    answers = {a.email: a.response for a in view.attendees}
    assert answers[ATTENDEE] == response
    assert answers[OTHER] == "needsAction"

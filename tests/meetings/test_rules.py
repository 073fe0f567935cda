"""Booking requests are checked before anything is reserved; each refusal says what to fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from meetbridge.integrations.provider import Interval
from meetbridge.meetings.rules import (
    check_booking,
    first_busy,
    hidden_under_own_time,
    overlaps,
    recheck_window,
    request_payload,
)
from meetbridge.tenants.rules import RuleViolation

NOW = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
TORONTO = timezone(timedelta(hours=-5))


def book(**overrides):
    values = {
        "organizer_email": "ana@acme.test",
        "attendees": ["ben@acme.test"],
        "start": datetime(2030, 3, 5, 9, 0, tzinfo=TORONTO),
        "duration": 30,
        "title": "Planning",
        "description": "",
        "video": False,
        "now": NOW,
    }
    return check_booking(**(values | overrides))


def refusal(**overrides) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        book(**overrides)
    return caught.value


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2030, 3, 5, hour, minute, tzinfo=UTC)


def test_a_good_request_is_normalised_to_utc_and_lower_case():
    request = book(attendees=[" Ben@ACME.test "], title="  Planning  ")
    assert request.attendees == ("ben@acme.test",)
    assert request.start == datetime(2030, 3, 5, 14, 0, tzinfo=UTC)
    assert request.end - request.start == timedelta(minutes=30)
    assert request.title == "Planning"


def test_a_start_without_offset_is_refused_with_an_example():
    error = refusal(start=datetime(2030, 3, 5, 9, 0))
    assert error.code == "start_without_offset"
    assert "UTC offset" in error.message


@pytest.mark.parametrize("start", [NOW, NOW - timedelta(minutes=1)])
def test_a_start_now_or_in_the_past_is_refused(start):
    assert refusal(start=start).code == "start_in_past"


def test_a_start_more_than_a_year_ahead_is_refused():
    assert refusal(start=NOW + timedelta(days=400)).code == "start_too_far"


@pytest.mark.parametrize("duration", [0, 4, 721, -30])
def test_durations_outside_the_bounds_are_refused_with_the_bounds(duration):
    error = refusal(duration=duration)
    assert error.code == "invalid_duration"
    assert "between 5 and 720 minutes" in error.message


@pytest.mark.parametrize("duration", [5, 720])
def test_the_bounds_themselves_are_allowed(duration):
    assert book(duration=duration).end - book(duration=duration).start == timedelta(
        minutes=duration
    )


@pytest.mark.parametrize("title", ["", "   "])
def test_a_blank_title_is_refused(title):
    assert refusal(title=title).code == "title_required"


def test_a_title_longer_than_200_characters_is_refused_with_its_length():
    error = refusal(title="x" * 201)
    assert error.code == "title_too_long"
    assert "201" in error.message


def test_a_title_over_several_lines_is_refused():
    assert refusal(title="one\ntwo").code == "title_invalid"


def test_a_description_may_span_lines_but_not_carry_control_characters():
    assert book(description="line one\nline two").description == "line one\nline two"
    assert refusal(description="bell\x07").code == "description_invalid"
    assert refusal(description="x" * 8001).code == "description_too_long"


def test_no_attendees_is_refused():
    assert refusal(attendees=[]).code == "attendees_required"


def test_more_than_49_attendees_is_refused():
    many = [f"p{i}@acme.test" for i in range(50)]
    assert refusal(attendees=many).code == "too_many_attendees"


def test_an_attendee_listed_twice_in_any_case_is_refused():
    error = refusal(attendees=["ben@acme.test", "BEN@acme.test"])
    assert error.code == "duplicate_attendee"
    assert "ben@acme.test" in error.message


def test_the_organizer_among_the_attendees_is_refused():
    error = refusal(attendees=["Ana@acme.test"])
    assert error.code == "organizer_in_attendees"


def test_an_attendee_that_is_not_an_address_is_refused():
    assert refusal(attendees=["not-an-address"]).code == "invalid_email"


def test_the_payload_is_the_same_for_the_same_request_in_another_offset():
    a = request_payload(attendees=["Ben@acme.test"], start=at(14), duration=30, title="x ")
    b = request_payload(
        attendees=["ben@acme.test"],
        start=datetime(2030, 3, 5, 9, tzinfo=TORONTO),
        duration=30,
        title="x",
    )
    assert a == b


def test_meetings_that_touch_do_not_overlap():
    assert not overlaps(Interval(at(9), at(10)), Interval(at(10), at(11)))
    assert overlaps(Interval(at(9), at(10, 1)), Interval(at(10), at(11)))


def test_the_first_busy_person_is_named_in_the_order_given():
    busy = {
        "ben@acme.test": [Interval(at(9), at(10))],
        "cy@acme.test": [Interval(at(9, 30), at(11))],
    }
    wanted = Interval(at(9, 45), at(10, 15))
    assert first_busy(wanted, busy, ["cy@acme.test", "ben@acme.test"]) == "cy@acme.test"
    assert first_busy(Interval(at(11), at(12)), busy, ["ben@acme.test", "cy@acme.test"]) is None


def test_a_meeting_being_moved_does_not_conflict_with_itself():
    busy = {"ben@acme.test": [Interval(at(9), at(10))]}
    own = Interval(at(9), at(10))
    assert (
        first_busy(Interval(at(9, 30), at(10, 30)), busy, ["ben@acme.test"], own_time=own) is None
    )


def test_a_meeting_being_moved_still_conflicts_with_what_joins_it():
    # freeBusy merges adjacent blocks: the meeting 9-10 and another 10-11 come back as 9-11.
    busy = {"ben@acme.test": [Interval(at(9), at(11))]}
    own = Interval(at(9), at(10))
    wanted = Interval(at(9, 30), at(10, 30))
    assert first_busy(wanted, busy, ["ben@acme.test"], own_time=own) == "ben@acme.test"


def test_a_move_is_rechecked_over_the_old_time_with_a_margin():
    own = Interval(at(9), at(9, 30))
    assert recheck_window(Interval(at(9, 10), at(9, 40)), own) == Interval(at(8, 59), at(9, 40))
    assert recheck_window(Interval(at(14), at(15)), own) == Interval(at(8, 59), at(15))
    assert recheck_window(Interval(at(14), at(15))) == Interval(at(14), at(15))


def test_an_outside_event_reaching_into_the_meetings_time_is_not_missed():
    # Outside 8:45-9:15 merges with the meeting 9:00-9:30 into 8:59-9:30 (read from 8:59);
    # moved to 9:10-9:40 the meeting might meet it inside its old time: free/busy cannot say
    # how far in it reaches, so that person's events are read one by one.
    own = Interval(at(9), at(9, 30))
    busy = {"ben@acme.test": [Interval(at(8, 59), at(9, 30))]}
    wanted = Interval(at(9, 10), at(9, 40))
    assert first_busy(wanted, busy, ["ben@acme.test"], own_time=own) is None
    assert hidden_under_own_time(wanted, busy, ["ben@acme.test"], own_time=own) == ["ben@acme.test"]
    # What reaches out of the meeting's time is someone else's for sure.
    assert first_busy(Interval(at(8, 50), at(9, 20)), busy, ["ben@acme.test"], own_time=own)


def test_the_meeting_alone_does_not_stop_its_own_move():
    own = Interval(at(9), at(9, 30))
    busy = {"ben@acme.test": [own, Interval(at(11), at(12))]}
    assert first_busy(Interval(at(9, 15), at(9, 45)), busy, ["ben@acme.test"], own_time=own) is None
    assert first_busy(Interval(at(11, 30), at(12)), busy, ["ben@acme.test"], own_time=own)


def test_a_block_of_exactly_the_meetings_time_may_hide_another_event():
    # Free/busy shows one block whether the meeting is alone there or another event of the
    # same time (or inside it) lies under it: only a move into that time needs to know.
    own = Interval(at(9), at(9, 30))
    busy = {"ben@acme.test": [own], "cy@acme.test": [Interval(at(13), at(14))]}
    people = ["ben@acme.test", "cy@acme.test"]
    assert hidden_under_own_time(Interval(at(9, 15), at(9, 45)), busy, people, own_time=own) == [
        "ben@acme.test"
    ]
    assert hidden_under_own_time(Interval(at(10), at(10, 30)), busy, people, own_time=own) == []
    # A buffer reaching back into the old time needs to know too.
    buffers = {"ben@acme.test": (timedelta(minutes=15), timedelta(0))}
    assert hidden_under_own_time(
        Interval(at(9, 40), at(10)), busy, people, own_time=own, buffers=buffers
    ) == ["ben@acme.test"]


def test_busy_time_read_without_the_meeting_counts_whole():
    # Read event by event without our own event, a block of exactly the old time is someone
    # else's event: it counts.
    own = Interval(at(9), at(9, 30))
    busy = {"ben@acme.test": [own]}
    wanted = Interval(at(9, 15), at(9, 45))
    assert first_busy(wanted, busy, ["ben@acme.test"], own_time=own) is None
    assert (
        first_busy(wanted, busy, ["ben@acme.test"], own_time=own, exact={"ben@acme.test"})
        == "ben@acme.test"
    )

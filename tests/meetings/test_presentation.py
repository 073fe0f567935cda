"""How the pages word and parse times: in the reader's zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations.provider import Attendee
from meetbridge.meetings.meeting import Meeting
from meetbridge.meetings.presentation import (
    local_input_value,
    meeting_card,
    parse_local_input,
    parse_slot_query,
    split_upcoming,
    suggested_title,
    when_text,
)
from meetbridge.scheduling.grid import local_clock
from meetbridge.tenants.rules import RuleViolation


def test_a_meeting_reads_in_the_reader_s_zone():
    start = datetime(2030, 3, 5, 14, 0, tzinfo=UTC)
    assert when_text(start, start + timedelta(minutes=30), "America/Toronto") == (
        "Tue 5 Mar 2030, 09:00–09:30"
    )
    assert when_text(start, start + timedelta(minutes=30), "Asia/Tokyo") == (
        "Tue 5 Mar 2030, 23:00–23:30"
    )


def test_a_meeting_past_midnight_names_the_day_it_ends():
    start = datetime(2030, 3, 5, 14, 30, tzinfo=UTC)
    assert when_text(start, start + timedelta(hours=1), "Asia/Tokyo") == (
        "Tue 5 Mar 2030, 23:30 – Wed 6 Mar, 00:30"
    )


def test_a_typed_time_is_wall_clock_time_in_the_reader_s_zone_on_both_sides_of_dst():
    before = parse_local_input("2030-03-09T09:00", "America/Toronto")
    after = parse_local_input("2030-03-11T09:00", "America/Toronto")
    assert before.astimezone(UTC).hour == 14  # EST, UTC-5
    assert after.astimezone(UTC).hour == 13  # EDT, UTC-4
    assert local_input_value(after, "America/Toronto") == "2030-03-11T09:00"


def test_a_typed_time_that_is_not_one_is_refused():
    with pytest.raises(RuleViolation, match="date and a time"):
        parse_local_input("tomorrow", "UTC")


def test_a_slot_link_survives_an_unencoded_plus_in_its_offset():
    start, minutes = parse_slot_query("2030-03-05T09:00:00 01:00", "30")
    assert start == datetime(2030, 3, 5, 8, 0, tzinfo=UTC)
    assert minutes == 30


@pytest.mark.parametrize(
    ("start", "duration", "code"),
    [
        ("soon", "30", "invalid_start"),
        ("2030-03-05T09:00:00", "30", "start_without_offset"),
        ("2030-03-05T09:00:00Z", "half an hour", "invalid_duration"),
    ],
)
def test_a_broken_slot_link_is_explained(start, duration, code):
    with pytest.raises(RuleViolation) as caught:
        parse_slot_query(start, duration)
    assert caught.value.code == code


def meeting(hour: int, **overrides) -> Meeting:
    start = datetime(2030, 3, 5, hour, tzinfo=UTC)
    values = {
        "id": f"m{hour:04d}",
        "status": "confirmed",
        "title": "Sync",
        "start": start,
        "end": start + timedelta(minutes=30),
        "organizer": "ben@acme.test",
        "attendees": (Attendee("cy@acme.test", "declined"),),
        "html_link": None,
        "video_link": None,
    }
    return Meeting(**(values | overrides))


def test_only_the_organizer_of_an_upcoming_meeting_may_change_it():
    now = datetime(2030, 3, 5, 12, tzinfo=UTC)
    card = meeting_card(meeting(13), viewer_email="BEN@acme.test", zone="UTC", now=now)
    assert card.can_change
    assert card.attendees[0].label == "declined"
    assert card.duration == 30
    assert not meeting_card(
        meeting(13), viewer_email="cy@acme.test", zone="UTC", now=now
    ).can_change
    assert not meeting_card(
        meeting(9), viewer_email="ben@acme.test", zone="UTC", now=now
    ).can_change
    cancelled = meeting(13, status="cancelled")
    assert not meeting_card(cancelled, viewer_email="ben@acme.test", zone="UTC", now=now).can_change


def test_upcoming_come_soonest_first_and_past_most_recent_first():
    now = datetime(2030, 3, 5, 12, tzinfo=UTC)
    cards = [
        meeting_card(meeting(h), viewer_email="ben@acme.test", zone="UTC", now=now)
        for h in (8, 10, 13, 15)
    ]
    called_off = meeting_card(
        meeting(14, status="cancelled"), viewer_email="ben@acme.test", zone="UTC", now=now
    )
    upcoming, past, cancelled = split_upcoming([*cards, called_off])
    assert [c.meeting.id for c in upcoming] == ["m0013", "m0015"]
    assert [c.meeting.id for c in past] == ["m0010", "m0008"]
    assert [c.meeting.id for c in cancelled] == ["m0014"]


def test_attendees_are_named_with_their_own_clock_and_a_title_is_suggested():
    now = datetime(2030, 3, 5, 12, tzinfo=UTC)
    card = meeting_card(
        meeting(13),
        viewer_email="ben@acme.test",
        zone="America/Toronto",
        now=now,
        people={"cy@acme.test": ("Cy", "Europe/Paris"), "ben@acme.test": ("Ben", "UTC")},
    )
    [cy] = card.attendees
    assert (cy.name, cy.local_when) == ("Cy", "14:00–14:30 Paris (CET)")
    assert card.organizer_name == "Ben"
    assert card.organizer_local == "13:00–13:30 UTC"
    assert suggested_title(["Ben", "Cy", "Dee"]) == "Ben, Cy and Dee"
    assert suggested_title(["Ben", "Cy"]) == "Ben and Cy"


EVERYONE = ("cy@acme.test", "dee@acme.test", "guest@example.com")


def test_everyone_s_own_clock_is_shown_and_an_outsider_s_is_not_made_up():
    now = datetime(2030, 3, 5, 12, tzinfo=UTC)
    card = meeting_card(
        meeting(13, attendees=tuple(Attendee(e, "needsAction") for e in EVERYONE)),
        viewer_email="ben@acme.test",
        zone="America/Toronto",
        now=now,
        people={
            "cy@acme.test": ("Cy", "Europe/Paris"),
            "dee@acme.test": ("Dee", "America/Toronto"),
        },
    )
    local = {a.email: a.local_when for a in card.attendees}
    assert local == {
        "cy@acme.test": "14:00–14:30 Paris (CET)",
        "dee@acme.test": "08:00–08:30 Toronto (EST)",  # the reader's clock too, in words
        "guest@example.com": "",  # no zone known: nothing invented
    }


@pytest.mark.parametrize(
    ("moment", "zone", "end", "text"),
    [
        (datetime(2030, 1, 7, 14, tzinfo=UTC), "Europe/Paris", None, "15:00 Paris (CET)"),
        (datetime(2030, 7, 8, 13, tzinfo=UTC), "Europe/Paris", None, "15:00 Paris (CEST)"),
        (datetime(2030, 7, 8, 13, tzinfo=UTC), "Asia/Kolkata", None, "18:30 Kolkata (IST)"),
        (datetime(2030, 7, 8, 13, tzinfo=UTC), "Europe/Istanbul", None, "16:00 Istanbul (UTC+03)"),
        (datetime(2030, 7, 8, 13, tzinfo=UTC), "UTC", None, "13:00 UTC"),
        (
            datetime(2030, 7, 8, 13, tzinfo=UTC),
            "America/New_York",
            datetime(2030, 7, 8, 13, 30, tzinfo=UTC),
            "09:00–09:30 New York (EDT)",
        ),
    ],
)
def test_a_local_clock_names_the_city_and_the_abbreviation_in_force(moment, zone, end, text):
    assert local_clock(moment, zone, end) == text

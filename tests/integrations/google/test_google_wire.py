"""Google Calendar JSON to and from the provider interface's plain data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations.provider import EventDraft, EventView, FreeBusy, Interval
from meetbridge.integrations.providers.google import wire

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_long_ranges_are_cut_into_pieces_google_accepts():
    pieces = wire.split_range(T0, T0 + timedelta(days=200))
    assert [p.end - p.start for p in pieces] == [timedelta(days=60)] * 3 + [timedelta(days=20)]
    assert pieces[0].start == T0 and pieces[-1].end == T0 + timedelta(days=200)
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:], strict=False))


def test_at_most_50_calendars_per_query():
    emails = [f"p{i}@acme.test" for i in range(120)]
    assert [len(b) for b in wire.batches(emails)] == [50, 50, 20]


def test_emails_are_compared_case_insensitively_and_deduplicated():
    assert wire.normalise_emails(["Ana@Acme.test", "ana@acme.test ", "ben@acme.test"]) == [
        "ana@acme.test",
        "ben@acme.test",
    ]


def test_freebusy_request_is_in_utc():
    body = wire.freebusy_request(["ana@acme.test"], T0, T0 + timedelta(hours=1))
    assert body == {
        "timeMin": "2026-03-02T09:00:00Z",
        "timeMax": "2026-03-02T10:00:00Z",
        "timeZone": "UTC",
        "items": [{"id": "ana@acme.test"}],
    }


def test_a_calendar_google_could_not_read_is_unknown_not_free():
    answer = {
        "kind": "calendar#freeBusy",
        "calendars": {
            "ana@acme.test": {
                "busy": [{"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T09:30:00Z"}]
            },
            "ben@acme.test": {"busy": [], "errors": [{"domain": "global", "reason": "notFound"}]},
        },
    }
    found = wire.read_freebusy(answer, ["ana@acme.test", "ben@acme.test", "cy@acme.test"])
    assert found.busy == {"ana@acme.test": [Interval(T0, T0 + timedelta(minutes=30))]}
    assert found.unknown == {"ben@acme.test": "notFound", "cy@acme.test": "missing"}


@pytest.mark.parametrize(
    "answer",
    [
        None,
        {"calendars": []},
        {"calendars": {"ana@acme.test": {"busy": [{"start": 5, "end": "x"}]}}},
        {"calendars": {"ana@acme.test": {"busy": [{"start": "2026-03-02T09:00:00"}]}}},
    ],
)
def test_an_unreadable_answer_is_an_error(answer):
    with pytest.raises(ValueError):
        wire.read_freebusy(answer, ["ana@acme.test"])


def test_pieces_are_merged_and_touching_busy_times_joined():
    first = FreeBusy(busy={"a": [Interval(T0, T0 + timedelta(hours=1))]})
    second = FreeBusy(
        busy={"a": [Interval(T0 + timedelta(hours=1), T0 + timedelta(hours=2))], "b": []},
        unknown={"c": "notFound"},
    )
    third = FreeBusy(busy={"c": [Interval(T0, T0 + timedelta(hours=1))]})
    merged = wire.merge_freebusy([first, second, third])
    assert merged.busy == {"a": [Interval(T0, T0 + timedelta(hours=2))], "b": []}
    assert merged.unknown == {"c": "notFound"}


def test_a_person_answered_for_once_keeps_the_list_as_given():
    answered = [Interval(T0, T0 + timedelta(hours=1)), Interval(T0, T0 + timedelta(hours=2))]
    first = FreeBusy(busy={"a": answered})
    second = FreeBusy(busy={"b": [Interval(T0, T0 + timedelta(hours=1))]})

    merged = wire.merge_freebusy([first, second])

    assert merged.busy["a"] == answered  # not joined again: the slots merge busy time


def draft(**overrides) -> EventDraft:
    values = {
        "event_id": "mb0123456789abcdef",
        "title": "Planning",
        "start": T0,
        "end": T0 + timedelta(minutes=30),
        "organizer_email": "Ana@acme.test",
        "attendee_emails": ("ben@acme.test", "ana@acme.test"),
        "time_zone": "America/Toronto",
        "marker": {"meetbridge_booking": "42"},
    }
    values.update(overrides)
    return EventDraft(**values)


def test_event_body_carries_id_marker_local_times_and_attendees():
    body = wire.event_body(draft())
    assert body["id"] == "mb0123456789abcdef"
    assert body["start"] == {"dateTime": "2026-03-02T04:00:00-05:00", "timeZone": "America/Toronto"}
    assert body["extendedProperties"] == {"private": {"meetbridge_booking": "42"}}
    assert [a["email"] for a in body["attendees"]] == ["ana@acme.test", "ben@acme.test"]
    assert "conferenceData" not in body


def test_a_video_meeting_asks_for_a_meet_link():
    body = wire.event_body(draft(video=True))
    assert body["conferenceData"]["createRequest"]["conferenceSolutionKey"] == {
        "type": "hangoutsMeet"
    }


@pytest.mark.parametrize("event_id", ["abc", "UPPERCASE1", "has_underscore", "w" * 10])
def test_event_ids_must_be_base32hex(event_id):
    with pytest.raises(ValueError):
        wire.event_body(draft(event_id=event_id))


def test_event_view_keeps_only_the_fields_meetbridge_shows():
    view = wire.event_view(
        {
            "id": "mb0123456789abcdef",
            "status": "confirmed",
            "summary": "Planning",
            "description": "secret agenda",
            "location": "Room 1",
            "htmlLink": "https://calendar.example/e",
            "start": {"dateTime": "2026-03-02T04:00:00-05:00"},
            "end": {"dateTime": "2026-03-02T04:30:00-05:00"},
            "organizer": {"email": "ana@acme.test"},
            "attendees": [
                {"email": "Ana@acme.test", "responseStatus": "accepted"},
                {"email": "ben@acme.test", "responseStatus": "weird"},
            ],
            "conferenceData": {
                "entryPoints": [{"entryPointType": "video", "uri": "https://meet/x"}]
            },
            "extendedProperties": {"private": {"meetbridge_booking": "42"}},
        }
    )
    assert view.start == T0 and view.end == T0 + timedelta(minutes=30)
    assert [(a.email, a.response) for a in view.attendees] == [
        ("ana@acme.test", "accepted"),
        ("ben@acme.test", "needsAction"),
    ]
    assert view.video_link == "https://meet/x"
    assert view.marker == {"meetbridge_booking": "42"}
    assert "secret agenda" not in repr(view) and "Room 1" not in repr(view)


def test_all_day_events_start_at_midnight_utc():
    view = wire.event_view(
        {"id": "abcde", "start": {"date": "2026-03-02"}, "end": {"date": "2026-03-03"}}
    )
    assert view.start == datetime(2026, 3, 2, tzinfo=UTC)


def test_an_event_is_ours_only_when_it_carries_our_whole_marker():
    def marked(marker: dict) -> EventView:
        return EventView("abcde", "confirmed", "", T0, T0, "", (), None, None, marker)

    assert marked({"meetbridge_booking": "42", "x": "y"}).carries({"meetbridge_booking": "42"})
    assert not marked({"meetbridge_booking": "41"}).carries({"meetbridge_booking": "42"})
    assert not marked({}).carries({})


def _event(event_id: str, **extra) -> dict:
    return {
        "id": event_id,
        "start": {"dateTime": "2026-03-02T09:00:00Z"},
        "end": {"dateTime": "2026-03-02T09:30:00Z"},
        **extra,
    }


def test_busy_events_leave_out_ours_and_what_free_busy_would_not_count():
    owner = "cy@acme.test"
    body = {
        "items": [
            _event("ours"),  # the attendee's copy of our meeting: same id
            _event("same_time"),  # someone else's, exactly our time: busy
            _event("cancelled", status="cancelled"),
            _event("available", transparency="transparent"),
            _event("declined", attendees=[{"email": owner, "responseStatus": "declined"}]),
            _event("declined_self", attendees=[{"self": True, "responseStatus": "declined"}]),
            _event("accepted", attendees=[{"email": owner, "responseStatus": "accepted"}]),
        ],
        "nextPageToken": "p2",
    }
    busy, page = wire.read_busy_events(body, owner, "ours")
    assert busy == [Interval(T0, T0 + timedelta(minutes=30))] * 2
    assert page == "p2"
    assert wire.read_busy_events({"items": []}, owner, "ours") == ([], None)
    with pytest.raises(ValueError):
        wire.read_busy_events({"items": "nope"}, owner, "ours")


def test_reading_events_for_busy_time_asks_for_times_and_the_owners_answer_only():
    """Free/busy only, never event contents: no title, description, location or guest list."""
    fields = wire.events_request(datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC))["fields"]  # fmt: skip
    for content in ("summary", "description", "location", "email", "organizer", "creator"):
        assert content not in fields
    assert "attendees(self,responseStatus)" in fields


def test_busy_times_read_again_are_the_same_instants_and_bad_ones_still_refused():
    body = {
        "calendars": {
            "a": {"busy": [{"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"}]},
            "b": {"busy": [{"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00+01:00"}]},
        }
    }
    first = wire.read_freebusy(body, ["a", "b"])
    again = wire.read_freebusy(body, ["a", "b"])
    assert first == again
    assert first.busy["b"][0].end == T0  # the offset is kept: 10:00+01:00 is 09:00Z
    bad = {"calendars": {"a": {"busy": [{"start": "2026-03-02T09:00:00", "end": "x"}]}}}
    with pytest.raises(ValueError):
        wire.read_freebusy(bad, ["a"])


def test_the_busy_times_kept_stay_bounded():
    for minute in range(wire._BUSY_KEPT + 10):
        moment = T0 + timedelta(minutes=minute)
        assert wire._busy_time(moment.strftime("%Y-%m-%dT%H:%M:%SZ")) == moment
    assert len(wire._BUSY_TIMES) <= wire._BUSY_KEPT
    for minute in range(wire._BUSY_KEPT + 10):
        moment = T0 + timedelta(minutes=minute)
        text = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert wire._busy_interval({"start": text, "end": text}) == Interval(moment, moment)
    assert len(wire._BUSY_INTERVALS) <= wire._BUSY_KEPT

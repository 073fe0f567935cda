"""Graph's JSON to plain data and back, without a network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations.provider import EventDraft, Interval
from meetbridge.integrations.providers.microsoft import wire

T = datetime(2030, 3, 4, 10, tzinfo=UTC)


def _item(status, start="2030-03-04T10:00:00.0000000", end="2030-03-04T11:00:00.0000000"):
    return {"status": status, "start": {"dateTime": start, "timeZone": "UTC"}, "end": {"dateTime": end, "timeZone": "UTC"}}  # fmt: skip


def test_statuses_compare_case_insensitively_and_unknown_is_busy():
    body = {
        "value": [
            {"scheduleId": "A@x.test", "scheduleItems": [_item("Busy"), _item("Tentative"), _item("free"), _item("workingElsewhere"), _item("unknown"), _item("OOF")]},
        ]
    }  # fmt: skip
    found = wire.read_schedule(body, ["a@x.test"])
    assert len(found.busy["a@x.test"]) == 4


def test_errors_and_missing_people_are_unknown_never_free():
    body = {
        "value": [{"scheduleId": "a@x.test", "error": {"message": "no", "responseCode": "5009"}}]
    }
    found = wire.read_schedule(body, ["a@x.test", "b@x.test"])
    assert found.unknown == {"a@x.test": "5009", "b@x.test": "missing"}
    assert found.busy == {}


@pytest.mark.parametrize(
    "bad", [{}, {"value": "x"}, {"value": [{"scheduleId": "a@x.test", "scheduleItems": [1]}]}]
)
def test_malformed_answers_raise_value_error(bad):
    with pytest.raises(ValueError):
        wire.read_schedule(bad, ["a@x.test"])


def test_times_in_other_zones_and_seven_digits():
    moment = wire.parse_time(
        {"dateTime": "2030-03-04T11:00:00.1234567", "timeZone": "Europe/Berlin"}
    )
    assert moment == datetime(2030, 3, 4, 10, 0, 0, 123456, tzinfo=UTC)


def test_ranges_and_batches():
    assert len(wire.split_range(T, T + timedelta(days=61))) == 2
    assert [len(b) for b in wire.batches([str(n) for n in range(41)])] == [20, 20, 1]


def test_event_body_carries_transaction_id_marker_and_teams():
    draft = EventDraft(
        event_id="ev1", title="T", start=T, end=T + timedelta(hours=1), organizer_email="O@x.test",
        attendee_emails=("o@x.test", "A@x.test", "a@x.test"), time_zone="America/Toronto",
        video=True, marker={"k": "v"},
    )  # fmt: skip
    body = wire.event_body(draft)
    assert body["transactionId"] == "ev1"
    assert body["start"] == {"dateTime": "2030-03-04T05:00:00", "timeZone": "America/Toronto"}
    assert [a["emailAddress"]["address"] for a in body["attendees"]] == ["a@x.test"]
    assert body["onlineMeetingProvider"] == "teamsForBusiness"
    assert wire.marker_of(body) == {"k": "v"}
    assert wire.properties(body)[wire.EVENT_ID_PROPERTY] == "ev1"


def test_event_view_keeps_only_safe_fields():
    body = {
        "id": "AAMk1", "subject": "T", "isCancelled": True,
        "body": {"content": "private agenda"}, "location": {"displayName": "Room 1"},
        "start": {"dateTime": "2030-03-04T10:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-04T11:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"address": "O@x.test"}},
        "attendees": [{"emailAddress": {"address": "a@x.test"}, "status": {"response": "TentativelyAccepted"}}],
        "onlineMeeting": {"joinUrl": "https://teams.example/j"},
    }  # fmt: skip
    view = wire.event_view(body, "ev1", {"k": "v"})
    assert view.status == "cancelled"
    assert [(a.email, a.response) for a in view.attendees] == [
        ("o@x.test", "accepted"),
        ("a@x.test", "tentative"),
    ]
    assert view.video_link == "https://teams.example/j"
    assert view.marker == {"k": "v"}
    assert "private agenda" not in repr(view) and "Room 1" not in repr(view)


def test_only_our_property_set_is_read():
    body = {"singleValueExtendedProperties": [
        {"id": "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name meetbridge_marker", "value": "{}"},
        {"id": wire.property_id(wire.MARKER_PROPERTY).upper().replace("NAME MEETBRIDGE_MARKER", "Name meetbridge_marker"), "value": '{"a": "b"}'},
    ]}  # fmt: skip
    assert wire.marker_of(body) == {"a": "b"}


def test_filter_quotes_are_escaped():
    assert "''" in wire.find_filter("it's")


def test_calendar_view_leaves_out_our_meeting_by_its_icaluid_and_free_time():
    def event(uid, show_as="busy", **extra):
        return {"iCalUId": uid, "showAs": show_as, "start": {"dateTime": "2030-03-04T10:00:00.0000000", "timeZone": "UTC"}, "end": {"dateTime": "2030-03-04T11:00:00.0000000", "timeZone": "UTC"}, **extra}  # fmt: skip

    body = {
        "value": [
            event("OURS", "tentative"),  # an attendee's unanswered copy of our meeting
            event("OTHER"),  # exactly our time, someone else's: busy
            event("FREE", "free"),
            event("ELSEWHERE", "workingElsewhere"),
            event("GONE", isCancelled=True),
            event("MAYBE", "Tentative"),
        ]
    }
    assert wire.read_calendar_view(body, "OURS") == [
        Interval(T, T + timedelta(hours=1)),
        Interval(T, T + timedelta(hours=1)),
    ]
    assert len(wire.read_calendar_view(body, None)) == 3
    with pytest.raises(ValueError):
        wire.read_calendar_view({"value": None}, "OURS")

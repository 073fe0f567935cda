"""PATCH /api/v1/meetings/{id}: the organizer moves a meeting, with the same checks."""

from __future__ import annotations

from datetime import datetime, timedelta

from meetbridge.meetings.models import Booking
from tests.conftest import api_as
from tests.meetings.helpers import booking_body, meetbridge_events, next_weekday_at


def book(organizer, attendees, start):
    response = api_as(organizer).post("/meetings", booking_body(attendees, start))
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_organizer_moves_the_meeting_on_every_calendar(team):
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    new_start = next_weekday_at(11)
    response = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": new_start.isoformat(), "duration": 45}
    )
    assert response.status_code == 200, response.json()
    moved = response.json()
    assert moved["id"] == meeting["id"]
    booking = Booking.objects.get()
    for person in (ben, cy):
        [event] = meetbridge_events(team.sandbox, person.email)
        assert datetime.fromisoformat(event["start"]["dateTime"]) == new_start
        # The moved event keeps the organizer's zone, as booked: Google shows it there.
        assert event["start"]["timeZone"] == event["end"]["timeZone"] == booking.time_zone
    assert booking.time_zone != "UTC"
    assert (booking.state, booking.start, booking.end) == (
        "confirmed",
        new_start,
        new_start + timedelta(minutes=45),
    )
    assert booking.pending_start is None


def test_moving_only_the_length_keeps_the_start(team):
    ben, cy = team.members[:2]
    start = next_weekday_at(9)
    meeting = book(ben, [cy], start)
    moved = api_as(ben).patch(f"/meetings/{meeting['id']}", {"duration": 60}).json()
    assert Booking.objects.get().end == start + timedelta(minutes=60)
    assert moved["id"] == meeting["id"]


def test_a_move_onto_a_colleague_s_busy_time_is_409_and_changes_nothing(team):
    ben, cy, dee = team.members[:3]
    meeting = book(ben, [cy], next_weekday_at(9))
    book(dee, [cy], next_weekday_at(11))
    response = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": next_weekday_at(11, 15).isoformat()}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "slot_taken"
    assert cy.email in response.json()["error"]["message"]
    booking = Booking.objects.get(event_id=meeting["id"])
    assert (booking.state, booking.start, booking.pending_start) == (
        "confirmed",
        next_weekday_at(9),
        None,
    )


def test_a_move_that_overlaps_the_meeting_s_own_time_is_not_a_conflict(team):
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    response = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": next_weekday_at(9, 15).isoformat()}
    )
    assert response.status_code == 200, response.json()


def test_a_move_onto_an_event_booked_outside_meetbridge_is_409(team):
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    team.sandbox.seed_event(
        cy.email,
        {
            "summary": "Doctor",
            "start": {"dateTime": next_weekday_at(14).isoformat()},
            "end": {"dateTime": next_weekday_at(15).isoformat()},
        },
    )
    response = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": next_weekday_at(14, 30).isoformat()}
    )
    assert response.status_code == 409


def test_attendees_cannot_move_a_meeting_and_strangers_cannot_see_it(team):
    ben, cy, dee = team.members[:3]
    meeting = book(ben, [cy], next_weekday_at(9))
    body = {"start": next_weekday_at(10).isoformat()}
    attendee = api_as(cy).patch(f"/meetings/{meeting['id']}", body)
    assert attendee.status_code == 403
    assert attendee.json()["error"]["code"] == "organizer_only"
    assert api_as(dee).patch(f"/meetings/{meeting['id']}", body).status_code == 404


def test_a_move_into_the_past_or_of_a_bad_length_is_422(team):
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    api = api_as(ben)
    past = api.patch(
        f"/meetings/{meeting['id']}",
        {"start": (next_weekday_at(9) - timedelta(days=30)).isoformat()},
    )
    assert past.json()["error"]["code"] == "start_in_past"
    assert api.patch(f"/meetings/{meeting['id']}", {"duration": 0}).status_code == 422


def test_a_cancelled_meeting_cannot_be_moved(team):
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    api = api_as(ben)
    api.delete(f"/meetings/{meeting['id']}")
    response = api.patch(f"/meetings/{meeting['id']}", {"start": next_weekday_at(10).isoformat()})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "meeting_cancelled"


def test_a_move_is_refused_for_an_outside_event_overlapping_the_meetings_old_time(team):
    """Cy's dentist (8:45-9:15, added after the booking) overlaps the meeting at 9:00-9:30:
    moving it to 9:10 would meet the dentist at 9:10-9:15, inside the old time."""
    ben, cy = team.members[:2]
    meeting = api_as(ben).post("/meetings", booking_body([cy], next_weekday_at(9))).json()
    team.sandbox.seed_event(
        cy.email,
        {
            "summary": "Dentist",
            "start": {"dateTime": next_weekday_at(8, 45).isoformat()},
            "end": {"dateTime": next_weekday_at(9, 15).isoformat()},
        },
    )
    refused = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": next_weekday_at(9, 10).isoformat()}
    )
    assert refused.status_code == 409, refused.json()
    assert refused.json()["error"]["code"] == "slot_taken"
    assert refused.json()["error"]["email"] == cy.email
    # Clear of the dentist, the move goes through.
    moved = api_as(ben).patch(
        f"/meetings/{meeting['id']}", {"start": next_weekday_at(10).isoformat()}
    )
    assert moved.status_code == 200, moved.json()


def seed_outside_event(team, person, start: datetime, end: datetime) -> None:
    team.sandbox.seed_event(
        person.email,
        {
            "summary": "Booked elsewhere",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": end.isoformat()},
        },
    )


def move_to(organizer, meeting: dict, start: datetime):
    return api_as(organizer).patch(f"/meetings/{meeting['id']}", {"start": start.isoformat()})


def assert_refused_for(response, person) -> None:
    assert response.status_code == 409, response.json()
    error = response.json()["error"]
    assert (error["code"], error["email"]) == ("slot_taken", person.email)
    assert error["message"] == f"{person.email} is busy at the new time; pick another time."


def assert_unmoved(meeting: dict, start: datetime) -> None:
    booking = Booking.objects.get(event_id=meeting["id"])
    assert (booking.state, booking.start, booking.pending_start) == ("confirmed", start, None)


def test_an_outside_event_lying_inside_the_meetings_old_time_is_not_missed(team):
    """Free/busy merges Cy's 9:10-9:20 into the meeting's 9:00-9:30 block: only Cy's events,
    read one by one without the meeting, show it."""
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    seed_outside_event(team, cy, next_weekday_at(9, 10), next_weekday_at(9, 20))
    refused = move_to(ben, meeting, next_weekday_at(9, 15))
    assert_refused_for(refused, cy)
    assert_unmoved(meeting, next_weekday_at(9))
    # 9:20-9:50 meets only the meeting's own old time: allowed.
    assert move_to(ben, meeting, next_weekday_at(9, 20)).status_code == 200


def test_an_outside_event_over_the_old_times_edge_counts_only_where_it_lies(team):
    """Cy's 8:45-9:15 merges with the meeting 9:00-9:30 into one block: a move into 9:10
    meets it, a move to 9:15 only meets the meeting's own time."""
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    seed_outside_event(team, cy, next_weekday_at(8, 45), next_weekday_at(9, 15))
    assert_refused_for(move_to(ben, meeting, next_weekday_at(9, 10)), cy)
    assert_unmoved(meeting, next_weekday_at(9))
    moved = move_to(ben, meeting, next_weekday_at(9, 15))
    assert moved.status_code == 200, moved.json()
    assert datetime.fromisoformat(moved.json()["start"]) == next_weekday_at(9, 15)


def test_an_outside_event_of_exactly_the_old_time_still_counts(team):
    """Free/busy shows one 9:00-9:30 block for the meeting and Cy's other event at exactly that
    time; it is someone else's event all the same, and a move into it is refused."""
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    seed_outside_event(team, cy, next_weekday_at(9), next_weekday_at(9, 30))
    assert_refused_for(move_to(ben, meeting, next_weekday_at(9, 15)), cy)
    assert_unmoved(meeting, next_weekday_at(9))
    # Clear of it (starting as it ends), the move goes through.
    assert move_to(ben, meeting, next_weekday_at(9, 30)).status_code == 200


def test_the_organizer_s_own_event_under_the_meeting_is_named_as_theirs(team):
    ben, cy = team.members[:2]
    meeting = book(ben, [cy], next_weekday_at(9))
    seed_outside_event(team, ben, next_weekday_at(9), next_weekday_at(9, 30))
    refused = move_to(ben, meeting, next_weekday_at(9, 15))
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "You are busy at the new time; pick another time."


def test_a_meeting_alone_in_its_time_moves_over_itself_on_every_calendar(team):
    ben, cy, dee = team.members[:3]
    meeting = (
        api_as(ben)
        .post("/meetings", booking_body([cy, dee], next_weekday_at(9), duration=60))
        .json()
    )
    moved = move_to(ben, meeting, next_weekday_at(9, 30))
    assert moved.status_code == 200, moved.json()
    for person in (ben, cy, dee):
        [event] = meetbridge_events(team.sandbox, person.email)
        assert datetime.fromisoformat(event["start"]["dateTime"]) == next_weekday_at(9, 30)

"""The member's Meetings page and the booking page the Availability page links to."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.test import Client
from icalendar import Calendar

from meetbridge.meetings.models import Booking
from meetbridge.scheduling.grid import local_clock
from meetbridge.tenants.service import add_person
from tests.meetings.helpers import TORONTO, meetbridge_events, next_weekday_at


def signed_in(person, **options) -> Client:
    client = Client(**options)
    client.force_login(person)
    return client


def booking_link(start, duration, *people) -> str:
    query = [("start", start.isoformat()), ("duration", duration)]
    query += [("with", person.email) for person in people]
    return "/meetings/new?" + urlencode(query)


def book_on_the_page(client, link, **fields) -> tuple:
    page = client.get(link)
    assert page.status_code == 200
    key = page.context["form"]["idempotency_key"].value()
    data = {
        "start": page.context["start"],
        "duration": page.context["duration"],
        "with": [p.email for p in page.context["attendees"]],
        "idempotency_key": key,
        "title": "Coffee chat",
        **fields,
    }
    return client.post("/meetings/new", data), data


def test_a_member_books_from_a_slot_link_and_sees_the_colleague_decline(team):
    ben, cy = team.members[:2]
    client = signed_in(ben)
    link = booking_link(next_weekday_at(14), 30, cy)

    page = client.get(link)
    html = page.content.decode()
    assert "Book a meeting" in html and cy.email in html and "Cy" in html
    assert 'name="csrfmiddlewaretoken"' in html

    response, _ = book_on_the_page(client, link, video="on")
    assert response.status_code == 302
    assert response["Location"] == "/meetings"
    [on_ben] = meetbridge_events(team.sandbox, ben.email)
    [on_cy] = meetbridge_events(team.sandbox, cy.email)
    assert on_ben["id"] == on_cy["id"]

    team.sandbox.respond(cy.email, on_cy["id"], "declined")
    listing = client.get("/meetings").content.decode()
    assert "Coffee chat" in listing
    assert "Booked “Coffee chat”" in listing  # the confirmation message
    assert (
        f'<span class="email">{cy.email}</span> <span class="response declined">declined' in listing
    )
    assert "Join the video call" in listing
    assert "Reschedule" in listing and "Cancel meeting" in listing
    # The colleague sees it too, without the organizer's actions.
    theirs = signed_in(cy).get("/meetings").content.decode()
    assert "Coffee chat" in theirs and "Cancel meeting" not in theirs


def test_submitting_the_booking_form_twice_books_once(team):
    ben, cy = team.members[:2]
    client = signed_in(ben)
    first, data = book_on_the_page(client, booking_link(next_weekday_at(10), 30, cy))
    again = client.post("/meetings/new", data)
    assert first.status_code == again.status_code == 302
    assert len(meetbridge_events(team.sandbox, ben.email)) == 1


def test_a_slot_taken_meanwhile_shows_who_and_offers_another(team):
    ben, cy, dee = team.members[:3]
    start = next_weekday_at(10)
    link = booking_link(start, 30, cy)
    book_on_the_page(signed_in(dee), link)
    response, _ = book_on_the_page(signed_in(ben), link)
    assert response.status_code == 409
    html = response.content.decode()
    assert "cy@acme.test is no longer free at that time" in html
    assert 'role="alert"' in html


def test_a_link_naming_someone_who_cannot_be_invited_says_so(team):
    ben = team.members[0]
    shy = add_person(tenant=team.tenant, email="shy@acme.test", name="Shy")
    response = signed_in(ben).get(booking_link(next_weekday_at(10), 30, shy))
    assert response.status_code == 422
    assert "shy@acme.test is not a colleague who granted" in response.content.decode()


def test_a_broken_link_is_explained(team):
    ben = team.members[0]
    response = signed_in(ben).get("/meetings/new?start=soon&duration=30&with=cy@acme.test")
    assert response.status_code == 422
    assert "not a time" in response.content.decode()


def test_the_organizer_reschedules_and_cancels_from_the_page(team):
    ben, cy = team.members[:2]
    client = signed_in(ben)
    book_on_the_page(client, booking_link(next_weekday_at(9), 30, cy))
    booking = Booking.objects.get()
    # Picked on Find a time: the confirmation gives the new time on each person's own clock.
    eleven = next_weekday_at(11)
    confirm = client.get(
        f"/meetings/{booking.event_id}/reschedule?"
        + urlencode({"start": eleven.isoformat(), "duration": 45})
    )
    assert confirm.status_code == 200
    cy_clock = local_clock(eleven, "America/Toronto", eleven + timedelta(minutes=45))
    assert f'{cy.display_name}</span> — <span class="local-time">{cy_clock}' in (
        confirm.content.decode()
    )
    moved = client.post(
        f"/meetings/{booking.event_id}/reschedule",
        {
            "start": next_weekday_at(11).astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M"),
            "duration": 45,
        },
    )
    assert moved.status_code == 302
    booking.refresh_from_db()
    # Ben's zone is his tenant's, Toronto: the time typed is Toronto wall-clock time.
    assert booking.start.astimezone(ZoneInfo("America/Toronto")).hour == 11
    assert (booking.end - booking.start).total_seconds() == 45 * 60

    cancelled = client.post(f"/meetings/{booking.event_id}/cancel")
    assert cancelled.status_code == 302
    assert Booking.objects.get().state == "cancelled"
    assert "Cancelled “Coffee chat”" in client.get("/meetings").content.decode()


def test_changes_from_the_page_need_the_csrf_token(team):
    ben, cy = team.members[:2]
    book_on_the_page(signed_in(ben), booking_link(next_weekday_at(9), 30, cy))
    booking = Booking.objects.get()
    strict = signed_in(ben, enforce_csrf_checks=True)
    assert strict.post(f"/meetings/{booking.event_id}/cancel").status_code == 403
    assert Booking.objects.get().state == "confirmed"


def test_each_meeting_downloads_as_an_ics_file_for_its_people_only(team):
    ben, cy, dee = team.members[:3]
    book_on_the_page(signed_in(ben), booking_link(next_weekday_at(9), 30, cy))
    booking = Booking.objects.get()
    response = signed_in(cy).get(f"/meetings/{booking.event_id}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Coffee chat"
    assert signed_in(dee).get(f"/meetings/{booking.event_id}.ics").status_code == 404


def test_the_pages_ask_strangers_to_sign_in(team):
    for path in ("/meetings", "/meetings/new"):
        response = Client().get(path)
        assert response.status_code == 302
        assert "/sign-in" in response["Location"]


def test_an_empty_meetings_page_says_how_to_book(team):
    html = signed_in(team.members[0]).get("/meetings").content.decode()
    assert "No upcoming meetings" in html

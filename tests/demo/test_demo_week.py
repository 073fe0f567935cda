"""The demo organisation's calendars, as plain data: the cases free/busy must get right are there."""

from datetime import date, datetime

from meetbridge.demo_week import PEOPLE, PLAN, calendar_plan, event_body, first_monday

WEDNESDAY = date(2026, 3, 11)


def test_the_calendars_start_on_the_monday_of_this_week():
    assert first_monday(WEDNESDAY) == date(2026, 3, 9)
    assert first_monday(date(2026, 3, 9)) == date(2026, 3, 9)
    assert first_monday(date(2026, 3, 15)) == date(2026, 3, 9)


def test_people_work_in_three_time_zones():
    assert {p.time_zone for p in PEOPLE} == {"America/Toronto", "Europe/Paris", "Asia/Kolkata"}


def test_exactly_one_admin_and_some_people_who_have_not_granted_access():
    assert [p.email for p in PEOPLE if p.admin] == ["ana@northwind.test"]
    assert any(not p.granted for p in PEOPLE)


def test_the_plan_holds_free_marked_declined_recurring_and_all_day_events():
    bodies = [body for _, body in calendar_plan(WEDNESDAY)]
    assert any(b.get("transparency") == "transparent" for b in bodies)
    assert any(a["responseStatus"] == "declined" for b in bodies for a in b.get("attendees", []))
    assert any(b.get("recurrence") for b in bodies)
    assert any("date" in b["start"] for b in bodies)


def test_an_event_is_written_in_its_organizers_zone_on_weekdays():
    for event, body in calendar_plan(WEDNESDAY):
        if "dateTime" not in body["start"]:
            continue
        start = datetime.fromisoformat(body["start"]["dateTime"])
        assert body["start"]["timeZone"] == event.organizer.time_zone
        assert start.weekday() < 5, event.summary
        assert datetime.fromisoformat(body["end"]["dateTime"]) > start


def test_a_declined_invitation_marks_only_the_decliner():
    event = next(e for e in PLAN if e.declined_by)
    body = event_body(event, first_monday(WEDNESDAY))
    answers = {a["email"]: a["responseStatus"] for a in body["attendees"]}
    assert answers[event.organizer.email] == "accepted"
    for person in event.attendees:
        expected = "declined" if person in event.declined_by else "accepted"
        assert answers[person.email] == expected

"""The console's calendar pages: what is on a user's calendar, and answering an invitation."""

from __future__ import annotations

import requests

EVENT = {
    "summary": "Roadmap",
    "start": {"dateTime": "2030-01-07T10:00:00-05:00"},
    "end": {"dateTime": "2030-01-07T10:30:00-05:00"},
    "attendees": [{"email": "ben@acme.test"}],
}


def test_the_console_links_each_user_to_their_calendar(sandbox):
    sandbox.create_workspace("acme.test", ["ana@acme.test", "ben@acme.test"])
    sandbox.seed_event("ana@acme.test", EVENT)
    assert 'href="/console/calendars/ben%40acme.test"' in requests.get(sandbox.url + "/").text
    page = requests.get(sandbox.url + "/console/calendars/ben@acme.test").text
    assert "Roadmap" in page
    assert "ben@acme.test: needsAction" in page


def test_an_attendee_declines_from_their_calendar_page(sandbox):
    sandbox.create_workspace("acme.test", ["ana@acme.test", "ben@acme.test"])
    event = sandbox.seed_event("ana@acme.test", EVENT)
    answer = requests.post(
        sandbox.url + "/console/calendars/ben@acme.test/respond",
        data={"event_id": event["id"], "response": "declined"},
    )
    assert "Answer saved." in answer.text
    organizer_copy = sandbox.events_of("ana@acme.test")[0]
    assert {a["email"]: a["responseStatus"] for a in organizer_copy["attendees"]}[
        "ben@acme.test"
    ] == "declined"


def test_an_unknown_user_has_no_calendar_page(sandbox):
    assert requests.get(sandbox.url + "/console/calendars/zed@nowhere.test").status_code == 404

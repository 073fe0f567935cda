"""Graph's events and getSchedule as the stand-in answers them."""

from __future__ import annotations

ADELE, MEGAN, LEE = "adele@contoso.test", "megan@contoso.test", "lee@contoso.test"
EVENTS = f"/users/{ADELE}/events"
MARK = "String {1b9a2b6e-4a51-4f7e-9a39-6a0f2d4f3c11} Name meetbridge_booking"


def _event(**extra) -> dict:
    return {
        "subject": "Plan",
        "start": {"dateTime": "2030-03-04T11:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2030-03-04T11:30:00", "timeZone": "W. Europe Standard Time"},
        "attendees": [
            {"emailAddress": {"address": MEGAN}, "type": "required"},
            {"emailAddress": {"address": "guest@elsewhere.test"}, "type": "required"},
        ],
        **extra,
    }


def test_create_answers_201_in_utc_unless_a_zone_is_preferred(graph):
    created = graph.call("POST", EVENTS, _event())
    assert created.status_code == 201
    body = created.json()
    assert body["start"] == {"dateTime": "2030-03-04T10:00:00.0000000", "timeZone": "UTC"}
    assert body["originalStartTimeZone"] == "W. Europe Standard Time"
    assert body["responseStatus"]["response"] == "organizer"
    assert body["attendees"][0]["status"] == {"response": "none", "time": "0001-01-01T00:00:00Z"}
    assert "transactionId" not in body
    fetched = graph.call(
        "GET",
        f"{EVENTS}/{body['id']}",
        headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'},
    )
    assert fetched.json()["start"] == {
        "dateTime": "2030-03-04T02:00:00.0000000", "timeZone": "Pacific Standard Time"
    }  # fmt: skip


def test_same_transaction_id_gives_the_same_event_once(graph, microsoft):
    first = graph.call("POST", EVENTS, _event(transactionId="booking-1"))
    again = graph.call("POST", EVENTS, _event(transactionId="booking-1"))
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["transactionId"] == "booking-1"
    assert len(microsoft.events_of(ADELE)) == 1


def test_a_lost_answer_then_a_retry_with_the_transaction_id_makes_one_event(
    graph, microsoft, sandbox
):
    sandbox.set_faults(lose_response_rate=1, paths=[f"/microsoft/graph/v1.0{EVENTS}"], times=1)
    assert graph.call("POST", EVENTS, _event(transactionId="booking-2")).status_code == 503
    assert graph.call("POST", EVENTS, _event(transactionId="booking-2")).status_code == 201
    assert len(microsoft.events_of(ADELE)) == 1


def test_extended_property_finds_and_expands(graph):
    prop = [{"id": MARK, "value": "b-42"}]
    made = graph.call("POST", EVENTS, _event(singleValueExtendedProperties=prop)).json()
    graph.call("POST", EVENTS, _event())
    assert "singleValueExtendedProperties" not in made
    # GUID in another case, value in another case: both still match; the name must not.
    upper = MARK.replace("1b9a2b6e", "1B9A2B6E")
    found = graph.call(
        "GET",
        EVENTS,
        **{
            "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{upper}' and ep/value eq 'B-42')",
            "$expand": f"singleValueExtendedProperties($filter=id eq '{MARK}')",
        },
    ).json()["value"]
    assert [e["id"] for e in found] == [made["id"]]
    assert found[0]["singleValueExtendedProperties"] == prop
    other_name = MARK.replace("meetbridge_booking", "MEETBRIDGE_BOOKING")
    none = graph.call(
        "GET",
        EVENTS,
        **{
            "$filter": f"singleValueExtendedProperties/Any(ep: ep/id eq '{other_name}' and ep/value eq 'b-42')"
        },
    ).json()["value"]
    assert none == []


def test_teams_link_or_a_plain_meeting(graph, microsoft):
    teams = graph.call(
        "POST", EVENTS, _event(isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness")
    ).json()
    assert teams["onlineMeeting"]["joinUrl"].startswith(
        "https://teams.microsoft.com/l/meetup-join/"
    )
    microsoft.change_mailbox(ADELE, teams=False)
    plain = graph.call(
        "POST", EVENTS, _event(isOnlineMeeting=True, onlineMeetingProvider="teamsForBusiness")
    )
    assert plain.status_code == 201
    assert plain.json()["isOnlineMeeting"] is False
    assert plain.json()["onlineMeetingProvider"] == "unknown"
    assert plain.json()["onlineMeeting"] is None


def test_patch_moves_and_asks_attendees_again(graph, microsoft):
    made = graph.call("POST", EVENTS, _event()).json()
    microsoft.respond(MEGAN, made["id"], "accepted")
    moved = graph.call(
        "PATCH",
        f"{EVENTS}/{made['id']}",
        {"start": {"dateTime": "2030-03-05T09:00:00", "timeZone": "UTC"},
         "end": {"dateTime": "2030-03-05T09:45:00", "timeZone": "UTC"}},
    )  # fmt: skip
    assert moved.status_code == 200
    assert moved.json()["end"]["dateTime"] == "2030-03-05T09:45:00.0000000"
    assert moved.json()["attendees"][0]["status"]["response"] == "none"


def test_stale_change_key_is_412(graph):
    made = graph.call("POST", EVENTS, _event()).json()
    graph.call("PATCH", f"{EVENTS}/{made['id']}", {"subject": "New"})
    stale = graph.call(
        "PATCH",
        f"{EVENTS}/{made['id']}",
        {"subject": "Newer"},
        headers={"If-Match": made["@odata.etag"]},
    )
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "ErrorIrresolvableConflict"


def test_attendee_answers_are_seen_by_the_organizer(graph, microsoft):
    made = graph.call("POST", EVENTS, _event()).json()
    assert (
        graph.call("POST", f"/users/{MEGAN}/events/{made['id']}/tentativelyAccept", {}).status_code
        == 202
    )
    organizer_view = graph.call("GET", f"{EVENTS}/{made['id']}").json()
    assert organizer_view["attendees"][0]["status"]["response"] == "tentativelyAccepted"


def test_cancel_by_organizer_then_gone_for_them_cancelled_for_attendees(graph):
    made = graph.call("POST", EVENTS, _event()).json()
    refused = graph.call("POST", f"/users/{MEGAN}/events/{made['id']}/cancel", {"comment": "no"})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == (
        "Your request can't be completed. You need to be an organizer to cancel a meeting."
    )
    assert (
        graph.call("POST", f"{EVENTS}/{made['id']}/cancel", {"comment": "Sorry"}).status_code == 202
    )
    gone = graph.call("GET", f"{EVENTS}/{made['id']}")
    assert gone.status_code == 404
    assert gone.json()["error"] == {
        **gone.json()["error"],
        "code": "ErrorItemNotFound",
        "message": "The specified object was not found in the store.",
    }
    assert graph.call("GET", f"/users/{MEGAN}/events/{made['id']}").json()["isCancelled"] is True


def test_delete_is_204_then_404(graph):
    made = graph.call("POST", EVENTS, _event()).json()
    assert graph.call("DELETE", f"{EVENTS}/{made['id']}").status_code == 204
    assert graph.call("DELETE", f"{EVENTS}/{made['id']}").status_code == 404


def _schedule(graph, schedules, **extra):
    body = {
        "schedules": schedules,
        "startTime": {"dateTime": "2030-03-04T08:00:00", "timeZone": "UTC"},
        "endTime": {"dateTime": "2030-03-04T12:00:00", "timeZone": "UTC"},
        "availabilityViewInterval": 60,
        **extra,
    }
    return graph.call("POST", f"/users/{ADELE}/calendar/getSchedule", body)


def test_get_schedule_reports_busy_and_per_schedule_errors(graph, microsoft):
    graph.call("POST", EVENTS, _event())  # 10:00-10:30 UTC
    microsoft.respond(MEGAN, microsoft.events_of(ADELE)[0]["id"], "accepted")
    answer = _schedule(graph, [ADELE, MEGAN, LEE, "ghost@contoso.test"])
    assert answer.status_code == 200
    adele, megan, lee, ghost = answer.json()["value"]
    assert adele["availabilityView"] == "0020"
    assert adele["scheduleItems"][0]["status"] == "busy"
    assert adele["scheduleItems"][0]["start"] == {
        "dateTime": "2030-03-04T10:00:00.0000000",
        "timeZone": "UTC",
    }
    assert megan["scheduleItems"][0]["status"] == "busy"
    assert lee["scheduleItems"] == [] and lee["availabilityView"] == "0000"
    assert ghost["error"] == {
        "message": "Unable to resolve e-mail address ghost@contoso.test to an Active Directory object.",
        "responseCode": "5009",
    }
    assert "scheduleItems" not in ghost


def test_get_schedule_unanswered_invitation_is_tentative_declined_is_gone(graph, microsoft):
    made = graph.call("POST", EVENTS, _event()).json()
    megan = _schedule(graph, [MEGAN]).json()["value"][0]
    assert [i["status"] for i in megan["scheduleItems"]] == ["tentative"]
    microsoft.respond(MEGAN, made["id"], "declined")
    assert _schedule(graph, [MEGAN]).json()["value"][0]["scheduleItems"] == []


def test_get_schedule_limits(graph):
    too_many = _schedule(graph, [f"u{i}@contoso.test" for i in range(101)])
    assert too_many.status_code == 400
    assert too_many.json()["error"] == {
        **too_many.json()["error"],
        "code": "ErrorMailboxDataArrayTooBig",
        "message": "There are too many target users in the EmailAddress array. The allowed size = 100; the actual size = 101.",
    }
    assert _schedule(graph, [ADELE] * 100).status_code == 200
    assert _schedule(graph, [ADELE], availabilityViewInterval=4).status_code == 400
    long = _schedule(graph, [ADELE], endTime={"dateTime": "2030-05-06T08:00:00", "timeZone": "UTC"})
    assert long.status_code == 400


def test_get_schedule_in_the_preferred_zone(graph):
    graph.call("POST", EVENTS, _event())
    answer = graph.call(
        "POST",
        f"/users/{ADELE}/calendar/getSchedule",
        {"schedules": [ADELE],
         "startTime": {"dateTime": "2030-03-04T00:00:00", "timeZone": "Eastern Standard Time"},
         "endTime": {"dateTime": "2030-03-05T00:00:00", "timeZone": "Eastern Standard Time"}},
        headers={"Prefer": 'outlook.timezone="Eastern Standard Time"'},
    )  # fmt: skip
    item = answer.json()["value"][0]["scheduleItems"][0]
    assert item["start"] == {
        "dateTime": "2030-03-04T05:00:00.0000000",
        "timeZone": "Eastern Standard Time",
    }

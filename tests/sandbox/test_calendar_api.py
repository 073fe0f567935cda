"""Calendar v3 through google-api-python-client, built from its bundled discovery document and
pointed at the sandbox; every answer checked against that document's response schemas."""

from __future__ import annotations

import json

import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from tests.sandbox.google_clients import assert_matches_schema, calendar

ANA, BEN, CAROL = "ana@acme.test", "ben@acme.test", "carol@acme.test"
MEETING = {
    "summary": "Coffee",
    "start": {"dateTime": "2030-01-07T10:00:00-05:00", "timeZone": "America/Toronto"},
    "end": {"dateTime": "2030-01-07T10:30:00-05:00", "timeZone": "America/Toronto"},
}
JAN_7 = {"timeMin": "2030-01-07T00:00:00-05:00", "timeMax": "2030-01-08T00:00:00-05:00"}


@pytest.fixture
def setup(sandbox):
    return sandbox.quick_setup("acme.test", [ANA, BEN, CAROL], time_zone="America/Toronto")


@pytest.fixture
def ana(sandbox, setup):
    return calendar(sandbox, setup.key, ANA)


@pytest.fixture
def ben(sandbox, setup):
    return calendar(sandbox, setup.key, BEN)


def error_of(call) -> dict:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return {**json.loads(caught.value.content)["error"], "http": caught.value.resp.status}


def reason(error: dict) -> str:
    return error["errors"][0]["reason"]


def free_busy(service, *ids, **extra) -> dict:
    body = JAN_7 | {"items": [{"id": i} for i in ids]} | extra
    answer = service.freebusy().query(body=body).execute()
    assert_matches_schema(answer, "FreeBusyResponse")
    return answer["calendars"]


# --- events ------------------------------------------------------------------------------


def test_insert_with_a_meet_request_returns_a_meet_link(ana):
    body = MEETING | {"conferenceData": {"createRequest": {"requestId": "req-1"}}}
    event = (
        ana.events()
        .insert(calendarId="primary", body=body, conferenceDataVersion=1, sendUpdates="all")
        .execute()
    )
    assert_matches_schema(event, "Event")
    assert event["hangoutLink"].startswith("https://meet.google.com/")
    video = event["conferenceData"]["entryPoints"][0]
    assert video["entryPointType"] == "video" and video["uri"] == event["hangoutLink"]
    assert event["conferenceData"]["conferenceSolution"]["key"]["type"] == "hangoutsMeet"
    assert event["organizer"] == {"email": ANA, "self": True}
    assert event["status"] == "confirmed"


def test_without_conference_data_version_no_meeting_link_is_made(ana):
    body = MEETING | {"conferenceData": {"createRequest": {"requestId": "req-1"}}}
    event = ana.events().insert(calendarId="primary", body=body).execute()
    assert "hangoutLink" not in event and "conferenceData" not in event


def test_get_returns_what_insert_stored(ana):
    created = (
        ana.events().insert(calendarId="primary", body=MEETING | {"id": "meeting00001"}).execute()
    )
    fetched = ana.events().get(calendarId=ANA, eventId="meeting00001").execute()
    assert_matches_schema(fetched, "Event")
    assert fetched["id"] == created["id"] == "meeting00001"
    assert fetched["summary"] == "Coffee" and fetched["start"] == MEETING["start"]


def test_a_reused_client_id_is_a_409_duplicate(ana):
    ana.events().insert(calendarId="primary", body=MEETING | {"id": "meeting00001"}).execute()
    error = error_of(
        ana.events().insert(calendarId="primary", body=MEETING | {"id": "meeting00001"})
    )
    assert error["http"] == 409 and reason(error) == "duplicate"
    assert error["message"] == "The requested identifier already exists."


@pytest.mark.parametrize("bad_id", ["abc", "UPPER12345", "has-hyphen", "wxyz12345"])
def test_an_invalid_client_id_is_refused(ana, bad_id):
    error = error_of(ana.events().insert(calendarId="primary", body=MEETING | {"id": bad_id}))
    assert error["http"] == 400 and reason(error) == "invalid"
    assert error["message"] == "Invalid resource id value."


def test_list_filters_by_private_extended_property(ana):
    tagged = MEETING | {"extendedProperties": {"private": {"meetbridge": "m1", "tenant": "acme"}}}
    ana.events().insert(calendarId="primary", body=tagged | {"id": "tagged00001"}).execute()
    ana.events().insert(calendarId="primary", body=MEETING | {"id": "plain00001"}).execute()
    other = MEETING | {"extendedProperties": {"private": {"meetbridge": "m2"}}}
    ana.events().insert(calendarId="primary", body=other | {"id": "other00001"}).execute()
    listing = (
        ana.events()
        .list(calendarId="primary", privateExtendedProperty=["meetbridge=m1", "tenant=acme"])
        .execute()
    )
    assert_matches_schema(listing, "Events")
    assert [e["id"] for e in listing["items"]] == ["tagged00001"]
    everything = ana.events().list(calendarId="primary").execute()["items"]
    assert {e["id"] for e in everything} == {"tagged00001", "plain00001", "other00001"}


def test_list_honours_the_time_window_and_pages(ana):
    for day in (6, 7, 8):
        body = {
            "start": {"dateTime": f"2030-01-0{day}T10:00:00-05:00"},
            "end": {"dateTime": f"2030-01-0{day}T11:00:00-05:00"},
        }
        ana.events().insert(calendarId="primary", body=body | {"id": f"evt0000{day}"}).execute()
    listing = ana.events().list(calendarId="primary", **JAN_7).execute()
    assert [e["id"] for e in listing["items"]] == ["evt00007"]
    first = ana.events().list(calendarId="primary", maxResults=2).execute()
    second = (
        ana.events()
        .list(calendarId="primary", maxResults=2, pageToken=first["nextPageToken"])
        .execute()
    )
    assert [e["id"] for e in first["items"] + second["items"]] == [
        "evt00006",
        "evt00007",
        "evt00008",
    ]
    assert "nextPageToken" not in second


def test_single_events_expands_recurring_ones(ana):
    weekly = MEETING | {"recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"], "id": "series00001"}
    ana.events().insert(calendarId="primary", body=weekly).execute()
    listing = (
        ana.events().list(calendarId="primary", singleEvents=True, orderBy="startTime").execute()
    )
    assert_matches_schema(listing, "Events")
    assert [e["id"] for e in listing["items"]] == [
        "series00001_20300107T150000Z",
        "series00001_20300114T150000Z",
        "series00001_20300121T150000Z",
    ]


def test_patch_changes_only_the_given_fields(ana):
    ana.events().insert(
        calendarId="primary", body=MEETING | {"id": "meeting00001", "description": "d"}
    ).execute()
    later = {
        "start": {"dateTime": "2030-01-07T14:00:00-05:00"},
        "end": {"dateTime": "2030-01-07T14:30:00-05:00"},
    }
    patched = (
        ana.events()
        .patch(calendarId="primary", eventId="meeting00001", body=later, sendUpdates="all")
        .execute()
    )
    assert_matches_schema(patched, "Event")
    # Patch semantics: nested objects merge, so the zone given at insert stays.
    assert patched["start"] == later["start"] | {"timeZone": "America/Toronto"}
    assert patched["summary"] == "Coffee" and patched["description"] == "d"
    assert patched["sequence"] == 1


def test_update_replaces_the_event(ana):
    ana.events().insert(
        calendarId="primary", body=MEETING | {"id": "meeting00001", "description": "d"}
    ).execute()
    replaced = (
        ana.events()
        .update(calendarId="primary", eventId="meeting00001", body=MEETING | {"summary": "Tea"})
        .execute()
    )
    assert replaced["summary"] == "Tea" and "description" not in replaced


def test_delete_cancels_and_get_still_shows_the_cancelled_event(ana):
    ana.events().insert(calendarId="primary", body=MEETING | {"id": "meeting00001"}).execute()
    assert (
        ana.events()
        .delete(calendarId="primary", eventId="meeting00001", sendUpdates="all")
        .execute()
        == ""
    )
    assert (
        ana.events().get(calendarId="primary", eventId="meeting00001").execute()["status"]
        == "cancelled"
    )
    assert ana.events().list(calendarId="primary").execute()["items"] == []
    assert len(ana.events().list(calendarId="primary", showDeleted=True).execute()["items"]) == 1
    again = error_of(ana.events().delete(calendarId="primary", eventId="meeting00001"))
    assert again["http"] == 410 and reason(again) == "deleted"
    reused = error_of(
        ana.events().insert(calendarId="primary", body=MEETING | {"id": "meeting00001"})
    )
    assert reused["http"] == 409


def test_unknown_events_are_404_not_found(ana):
    for call in (
        ana.events().get(calendarId="primary", eventId="nosuchevent"),
        ana.events().patch(calendarId="primary", eventId="nosuchevent", body={}),
        ana.events().delete(calendarId="primary", eventId="nosuchevent"),
    ):
        error = error_of(call)
        assert (
            error["http"] == 404 and reason(error) == "notFound" and error["message"] == "Not Found"
        )


def test_another_persons_events_are_not_visible(ana):
    error = error_of(ana.events().list(calendarId=BEN))
    assert error["http"] == 404 and reason(error) == "notFound"


def test_missing_end_and_empty_range_are_400(ana):
    error = error_of(ana.events().insert(calendarId="primary", body={"start": MEETING["start"]}))
    assert error["http"] == 400 and error["message"] == "Missing end time."
    backwards = MEETING | {"end": {"dateTime": "2030-01-07T09:00:00-05:00"}}
    error = error_of(ana.events().insert(calendarId="primary", body=backwards))
    assert error["http"] == 400 and reason(error) == "timeRangeEmpty"


def test_a_meeting_across_the_autumn_clock_change_is_accepted(ana):
    # 01:45 EDT, then 30 minutes later the clocks show 01:15 EST: later, though earlier by clock.
    body = MEETING | {
        "start": {"dateTime": "2030-11-03T01:45:00-04:00", "timeZone": "America/Toronto"},
        "end": {"dateTime": "2030-11-03T01:15:00-05:00", "timeZone": "America/Toronto"},
    }
    made = ana.events().insert(calendarId="primary", body=body).execute()
    assert made["start"]["dateTime"].startswith("2030-11-03T01:45:00")


# --- attendees ---------------------------------------------------------------------------


def test_attendees_get_a_copy_and_their_answer_reaches_the_organizer(sandbox, ana, ben):
    invite = MEETING | {"id": "meeting00001", "attendees": [{"email": ANA}, {"email": BEN}]}
    ana.events().insert(calendarId="primary", body=invite, sendUpdates="all").execute()

    copy = ben.events().get(calendarId="primary", eventId="meeting00001").execute()
    assert_matches_schema(copy, "Event")
    assert copy["organizer"] == {"email": ANA}
    assert {"email": BEN, "responseStatus": "needsAction", "self": True} in copy["attendees"]
    assert free_busy(ana, BEN)[BEN]["busy"] == [
        {"start": "2030-01-07T15:00:00Z", "end": "2030-01-07T15:30:00Z"}
    ]

    ben.events().patch(
        calendarId="primary",
        eventId="meeting00001",
        body={"attendees": [{"email": BEN, "responseStatus": "declined"}]},
    ).execute()
    seen_by_ana = ana.events().get(calendarId="primary", eventId="meeting00001").execute()
    answers = {a["email"]: a["responseStatus"] for a in seen_by_ana["attendees"]}
    assert answers == {ANA: "accepted", BEN: "declined"}
    assert free_busy(ana, BEN)[BEN]["busy"] == []


def test_a_response_set_through_the_control_api_reaches_the_organizer(sandbox, ana):
    invite = MEETING | {"id": "meeting00001", "attendees": [{"email": BEN}]}
    ana.events().insert(calendarId="primary", body=invite).execute()
    sandbox.respond(BEN, "meeting00001", "accepted")
    attendees = (
        ana.events().get(calendarId="primary", eventId="meeting00001").execute()["attendees"]
    )
    assert attendees == [{"email": BEN, "responseStatus": "accepted"}]


def test_the_organizers_cancellation_frees_the_attendees(ana, ben):
    invite = MEETING | {"id": "meeting00001", "attendees": [{"email": BEN}]}
    ana.events().insert(calendarId="primary", body=invite).execute()
    ana.events().delete(calendarId="primary", eventId="meeting00001").execute()
    assert (
        ben.events().get(calendarId="primary", eventId="meeting00001").execute()["status"]
        == "cancelled"
    )
    assert free_busy(ana, BEN)[BEN]["busy"] == []


def test_removing_an_attendee_removes_their_copy(ana, ben):
    invite = MEETING | {"id": "meeting00001", "attendees": [{"email": BEN}, {"email": CAROL}]}
    ana.events().insert(calendarId="primary", body=invite).execute()
    ana.events().patch(
        calendarId="primary", eventId="meeting00001", body={"attendees": [{"email": CAROL}]}
    ).execute()
    assert error_of(ben.events().get(calendarId="primary", eventId="meeting00001"))["http"] == 404


def test_a_service_account_without_a_subject_cannot_invite(sandbox, setup):
    itself = calendar(sandbox, setup.key, None)
    error = error_of(
        itself.events().insert(calendarId="primary", body=MEETING | {"attendees": [{"email": BEN}]})
    )
    assert error["http"] == 403 and reason(error) == "forbiddenForServiceAccounts"
    assert (
        error["message"]
        == "Service accounts cannot invite attendees without Domain-Wide Delegation of Authority."
    )
    itself.events().insert(calendarId="primary", body=MEETING).execute()


# --- freeBusy ----------------------------------------------------------------------------


def test_free_busy_is_computed_from_events(sandbox, ana):
    def seed(email, **event):
        sandbox.seed_event(email, event)

    at = lambda h, m=0: {"dateTime": f"2030-01-07T{h:02d}:{m:02d}:00-05:00"}  # noqa: E731
    seed(ANA, start=at(9), end=at(10))
    seed(ANA, start=at(9, 30), end=at(11))
    seed(ANA, start=at(12), end=at(13), transparency="transparent")
    seed(ANA, start=at(13), end=at(14), status="cancelled")
    seed(ANA, start=at(15), end=at(16), attendees=[{"email": ANA, "responseStatus": "declined"}])
    seed(BEN, start={"date": "2030-01-07"}, end={"date": "2030-01-08"})
    seed(
        CAROL,
        start={"dateTime": "2030-01-01T08:00:00", "timeZone": "America/Toronto"},
        end={"dateTime": "2030-01-01T08:30:00", "timeZone": "America/Toronto"},
        recurrence=["RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"],
    )
    calendars = free_busy(ana, ANA, BEN, CAROL)
    assert calendars[ANA] == {
        "busy": [{"start": "2030-01-07T14:00:00Z", "end": "2030-01-07T16:00:00Z"}]
    }
    assert calendars[BEN]["busy"] == [
        {"start": "2030-01-07T05:00:00Z", "end": "2030-01-08T05:00:00Z"}
    ]
    assert calendars[CAROL]["busy"] == [
        {"start": "2030-01-07T13:00:00Z", "end": "2030-01-07T13:30:00Z"}
    ]


def test_free_busy_answers_in_the_requested_time_zone(sandbox, ana):
    sandbox.seed_event(ANA, MEETING)
    calendars = free_busy(ana, "primary", timeZone="America/Toronto")
    assert calendars["primary"]["busy"] == [
        {"start": "2030-01-07T10:00:00-05:00", "end": "2030-01-07T10:30:00-05:00"}
    ]


def test_unreadable_calendars_are_errors_inside_a_200(sandbox, ana):
    sandbox.create_workspace("globex.test", ["gus@globex.test"])
    calendars = free_busy(ana, BEN, "nobody@acme.test", "gus@globex.test")
    assert calendars[BEN] == {"busy": []}
    for unreadable in ("nobody@acme.test", "gus@globex.test"):
        assert calendars[unreadable] == {
            "busy": [],
            "errors": [{"domain": "global", "reason": "notFound"}],
        }


def test_more_than_fifty_calendars(ana):
    ids = [f"user{n}@acme.test" for n in range(51)]
    calendars = free_busy(ana, *ids)
    assert len(calendars) == 51
    assert calendars[ids[50]]["errors"] == [
        {"domain": "global", "reason": "tooManyCalendarsRequested"}
    ]
    assert calendars[ids[49]]["errors"][0]["reason"] == "notFound"


def test_free_busy_time_range_errors(ana):
    empty = error_of(
        ana.freebusy().query(
            body={"timeMin": JAN_7["timeMax"], "timeMax": JAN_7["timeMin"], "items": []}
        )
    )
    assert empty["http"] == 400 and reason(empty) == "timeRangeEmpty"
    assert empty["message"] == "The specified time range is empty."
    long = {"timeMin": "2030-01-01T00:00:00Z", "timeMax": "2030-06-01T00:00:00Z", "items": []}
    too_long = error_of(ana.freebusy().query(body=long))
    assert (
        too_long["http"] == 400 and too_long["message"] == "The requested time range is too long."
    )


# --- access, API switch, scopes, rate limits ---------------------------------------------

API_OFF = (
    "Google Calendar API has not been used in project {n} before or it is disabled. Enable it by visiting "
    "https://console.developers.google.com/apis/api/calendar-json.googleapis.com/overview?project={n} then "
    "retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems "
    "and retry."
)


def test_calendar_api_disabled_is_googles_403(sandbox, setup, ana):
    number = next(
        p["project_number"]
        for p in sandbox.state()["projects"]
        if p["project_id"] == setup.project_id
    )
    sandbox.set_calendar_api(setup.project_id, False)
    for call in (
        ana.freebusy().query(body=JAN_7 | {"items": []}),
        ana.events().list(calendarId="primary"),
    ):
        error = error_of(call)
        assert error["http"] == 403 and error["status"] == "PERMISSION_DENIED"
        assert error["message"] == API_OFF.format(n=number)
        assert (
            error["errors"][0]["domain"] == "usageLimits" and reason(error) == "accessNotConfigured"
        )
        assert error["details"][0]["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
        assert error["details"][0]["reason"] == "SERVICE_DISABLED"
        assert error["details"][0]["metadata"]["service"] == "calendar-json.googleapis.com"
        assert error["details"][0]["metadata"]["consumer"] == f"projects/{number}"
    sandbox.set_calendar_api(setup.project_id, True)
    ana.events().list(calendarId="primary").execute()


def test_a_bad_access_token_is_401_invalid_credentials(sandbox):
    service = build(
        "calendar",
        "v3",
        http=httplib2.Http(),
        static_discovery=True,
        client_options={"api_endpoint": sandbox.api_endpoint},
    )
    request = service.events().list(calendarId="primary")
    request.headers["authorization"] = "Bearer ya29.not-issued"
    error = error_of(request)
    assert error["http"] == 401 and error["message"] == "Invalid Credentials"
    assert error["errors"][0]["domain"] == "global" and reason(error) == "authError"


def test_google_clients_refresh_a_token_the_sandbox_no_longer_honours(sandbox, ana):
    ana.events().list(calendarId="primary").execute()
    sandbox.revoke_access_tokens()
    ana.events().list(calendarId="primary").execute()  # google-auth refreshes on 401 and retries


def test_a_read_only_token_cannot_write(sandbox, setup):
    readonly = calendar(
        sandbox, setup.key, ANA, ["https://www.googleapis.com/auth/calendar.readonly"]
    )
    sandbox.grant_delegation(
        "acme.test", setup.client_id, ["https://www.googleapis.com/auth/calendar.readonly"]
    )
    readonly.events().list(calendarId="primary").execute()
    free_busy(readonly, ANA)
    error = error_of(readonly.events().insert(calendarId="primary", body=MEETING))
    assert error["http"] == 403 and reason(error) == "insufficientPermissions"


@pytest.mark.parametrize(
    ("scope", "can_free_busy", "can_write"),
    [
        ("calendar.events", False, True),
        ("calendar.freebusy", True, False),
        ("calendar.readonly", True, False),
    ],
)
def test_narrower_scopes_allow_what_the_discovery_document_says(
    sandbox, setup, scope, can_free_busy, can_write
):
    full = f"https://www.googleapis.com/auth/{scope}"
    sandbox.grant_delegation("acme.test", setup.client_id, [full])
    service = calendar(sandbox, setup.key, ANA, [full])
    call = service.freebusy().query(body=JAN_7 | {"items": [{"id": ANA}]})
    assert (call.execute() is not None) if can_free_busy else error_of(call)["http"] == 403
    call = service.events().insert(calendarId="primary", body=MEETING)
    assert (call.execute() is not None) if can_write else error_of(call)["http"] == 403


def test_per_user_rate_limit(sandbox, ana, ben):
    sandbox.set_limits(user_requests_per_minute=3)
    for _ in range(3):
        ana.events().list(calendarId="primary").execute()
    error = error_of(ana.events().list(calendarId="primary"))
    assert error["http"] == 403 and error["message"] == "Rate Limit Exceeded"
    assert error["errors"][0] == {
        "domain": "usageLimits",
        "reason": "userRateLimitExceeded",
        "message": "Rate Limit Exceeded",
    }
    ben.events().list(calendarId="primary").execute()  # the limit is per impersonated user


def test_the_per_user_limit_counts_a_minute_on_the_sandbox_clock(sandbox, ana):
    sandbox.set_limits(user_requests_per_minute=2)
    for _ in range(2):
        ana.events().list(calendarId="primary").execute()
    sandbox.advance_clock(30)  # inside the minute, however slowly the machine runs
    assert reason(error_of(ana.events().list(calendarId="primary"))) == "userRateLimitExceeded"
    sandbox.advance_clock(30)
    ana.events().list(calendarId="primary").execute()


def test_an_access_token_expires_an_hour_later_on_the_sandbox_clock(sandbox, ana):
    ana.events().list(calendarId="primary").execute()  # the client fetched a token
    sandbox.advance_clock(1800)
    ana.events().list(calendarId="primary").execute()
    sandbox.advance_clock(1800)
    revoked = sandbox.calls("oauth2.token")
    # google-api-python-client renews a token Google answers 401 for, once, by itself
    ana.events().list(calendarId="primary").execute()
    assert sandbox.calls("oauth2.token") == revoked + 1


def test_the_sandbox_counts_the_calls_it_answers(sandbox, ana):
    ana.events().list(calendarId="primary").execute()
    free_busy(ana, ANA)
    free_busy(ana, ANA)
    assert sandbox.calls("calendar.freebusy.query") == 2
    assert sandbox.calls("calendar.events.list") == 1
    assert sandbox.calls("oauth2.token") == 1


def test_the_default_per_user_limit_is_600_a_minute(sandbox):
    assert sandbox.state()["limits"] == {
        "user_requests_per_minute": 600,
        "project_requests_per_minute": 10000,
        "user_changes_per_day": 10000,
    }


def test_per_project_rate_limit(sandbox, ana, ben):
    sandbox.set_limits(project_requests_per_minute=2)
    ana.events().list(calendarId="primary").execute()
    ben.events().list(calendarId="primary").execute()
    error = error_of(ana.events().list(calendarId="primary"))
    assert error["http"] == 403 and reason(error) == "rateLimitExceeded"


def test_calendar_usage_limit_is_quota_exceeded(sandbox, ana):
    sandbox.set_limits(user_changes_per_day=2)
    ana.events().insert(calendarId="primary", body=MEETING | {"id": "first00001"}).execute()
    ana.events().patch(
        calendarId="primary", eventId="first00001", body={"summary": "Tea"}
    ).execute()
    error = error_of(ana.events().insert(calendarId="primary", body=MEETING))
    assert error["http"] == 403 and error["message"] == "Calendar usage limits exceeded."
    assert error["errors"][0]["domain"] == "usageLimits" and reason(error) == "quotaExceeded"
    ana.events().list(calendarId="primary").execute()  # reading is not a change


def test_an_attendee_deleting_their_copy_declines(ana, ben):
    invite = MEETING | {"id": "meeting00001", "attendees": [{"email": BEN}]}
    ana.events().insert(calendarId="primary", body=invite).execute()
    ben.events().delete(calendarId="primary", eventId="meeting00001").execute()
    assert error_of(ben.events().get(calendarId="primary", eventId="meeting00001"))["http"] == 404
    attendees = (
        ana.events().get(calendarId="primary", eventId="meeting00001").execute()["attendees"]
    )
    assert attendees == [{"email": BEN, "responseStatus": "declined"}]


def test_unknown_calendar_methods_are_json_404(sandbox, setup):
    import requests

    answer = requests.get(sandbox.api_endpoint + "users/me/calendarList")
    assert answer.status_code == 404 and answer.json()["error"]["errors"][0]["reason"] == "notFound"


def test_the_schemas_used_are_strict_enough_to_catch_a_stray_field():
    from jsonschema import ValidationError

    with pytest.raises(ValidationError):
        assert_matches_schema({"kind": "calendar#event", "notAGoogleField": 1}, "Event")


def test_free_busy_answers_changes_made_since_the_last_one(ana, ben):
    at = lambda hour: {"dateTime": f"2030-01-07T{hour}:00", "timeZone": "America/Toronto"}  # noqa: E731
    weekly = ["RRULE:FREQ=WEEKLY;BYDAY=MO"]
    standup = {"id": "standup00001", "start": at("09:00"), "end": at("09:30")}
    ana.events().insert(
        calendarId="primary", body=standup | {"recurrence": weekly, "attendees": [{"email": BEN}]}
    ).execute()

    def busy() -> dict:
        return {email: entry["busy"] for email, entry in free_busy(ana, ANA, BEN).items()}

    nine = [{"start": "2030-01-07T14:00:00Z", "end": "2030-01-07T14:30:00Z"}]
    assert busy() == {ANA: nine, BEN: nine}
    move = {"start": at("11:00"), "end": at("11:30")}
    ana.events().patch(calendarId="primary", eventId="standup00001", body=move).execute()
    eleven = [{"start": "2030-01-07T16:00:00Z", "end": "2030-01-07T16:30:00Z"}]
    assert busy() == {ANA: eleven, BEN: eleven}
    declined = {"attendees": [{"email": BEN, "responseStatus": "declined"}]}
    ben.events().patch(calendarId="primary", eventId="standup00001", body=declined).execute()
    assert busy() == {ANA: eleven, BEN: []}
    skipped = {"recurrence": [*weekly, "EXDATE;TZID=America/Toronto:20300107T110000"]}
    ana.events().patch(calendarId="primary", eventId="standup00001", body=skipped).execute()
    assert busy() == {ANA: [], BEN: []}
    ana.events().patch(
        calendarId="primary", eventId="standup00001", body=move | {"recurrence": weekly}
    ).execute()
    assert busy() == {ANA: eleven, BEN: []}
    ana.events().delete(calendarId="primary", eventId="standup00001").execute()
    assert busy() == {ANA: [], BEN: []}


def test_free_busy_bytes_are_what_starlettes_json_response_writes(sandbox, ana):
    from starlette.responses import JSONResponse

    sandbox.seed_event(ANA, MEETING)
    odd = 'zoë "the" \\ back\tslash ☃ 😀\x01@acme.test'
    request = ana.freebusy().query(
        body=JAN_7 | {"timeZone": "Asia/Kolkata", "items": [{"id": ANA}, {"id": odd}]}
    )
    request.postproc = lambda response, content: content  # the bytes, not parsed
    answer = request.execute()
    parsed = json.loads(answer)
    assert parsed["calendars"][odd]["errors"][0]["reason"] == "notFound"
    assert parsed["calendars"][ANA]["busy"] == [
        {"start": "2030-01-07T20:30:00+05:30", "end": "2030-01-07T21:00:00+05:30"}
    ]
    assert answer == JSONResponse(parsed).body

"""Granting and revoking calendar access through the API; every change in the audit log."""

from __future__ import annotations

from meetbridge.audit.models import AuditEvent

DEFAULT_HOURS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def consent_log(tenant) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(tenant=tenant, kind="consent_change")
        .order_by("id")
        .values_list("operation", "subject_email")
    )


def test_nobody_has_granted_access_to_begin_with(member_api):
    me = member_api.get("/me").json()
    assert me["calendar_access"] is False


def test_granting_with_nothing_else_takes_the_defaults(member_api, tenant, member):
    response = member_api.put("/me/calendar", {"granted": True})
    assert response.status_code == 200
    assert response.json() == {
        "calendar_access": True,
        "time_zone": "America/Toronto",
        "working_hours": DEFAULT_HOURS,
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "minimum_notice_minutes": 0,
        "max_meetings_per_day": None,
    }
    me = member_api.get("/me").json()
    assert (me["calendar_access"], me["time_zone"], me["working_hours"]) == (
        True,
        "America/Toronto",
        DEFAULT_HOURS,
    )
    assert consent_log(tenant) == [("calendar_access.granted", member.email)]
    event = AuditEvent.objects.get(tenant=tenant, kind="consent_change")
    assert event.actor == member
    assert "America/Toronto" in event.detail


def test_granting_with_a_zone_and_hours_stores_them_normalised(member_api):
    response = member_api.put(
        "/me/calendar",
        {
            "granted": True,
            "time_zone": "Europe/Paris",
            "working_hours": {"tue": [["13:00", "18:00"], ["8:30", "12:00"]], "sat": []},
        },
    )
    assert response.status_code == 200, response.json()
    me = member_api.get("/me").json()
    assert me["time_zone"] == "Europe/Paris"
    assert me["working_hours"] == {"tue": [["08:30", "12:00"], ["13:00", "18:00"]]}


def test_bad_input_changes_nothing_and_says_what_to_fix(member_api, tenant):
    response = member_api.put("/me/calendar", {"granted": True, "time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_time_zone"
    assert "Europe/Paris" in response.json()["error"]["message"]

    response = member_api.put(
        "/me/calendar",
        {"granted": True, "working_hours": {"mon": [["09:00", "12:00"], ["11:00", "17:00"]]}},
    )
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid_working_hours",
        "message": "Monday 09:00-12:00 overlaps Monday 11:00-17:00; "
        "make the ranges separate or join them into one.",
    }

    response = member_api.put("/me/calendar", {"granted": True, "working_hours": "9 to 5"})
    assert response.status_code == 422
    assert "working_hours" in response.json()["error"]["message"]

    assert member_api.get("/me").json()["calendar_access"] is False
    assert consent_log(tenant) == []


def test_changing_hours_is_audited_and_a_repeat_is_not(member_api, tenant):
    member_api.put("/me/calendar", {"granted": True})
    hours = {"mon": [["22:00", "06:00"]]}
    assert (
        member_api.put("/me/calendar", {"granted": True, "working_hours": hours}).json()[
            "working_hours"
        ]
        == hours
    )
    member_api.put("/me/calendar", {"granted": True, "working_hours": hours})
    assert [op for op, _ in consent_log(tenant)] == [
        "calendar_access.granted",
        "calendar_access.changed",
    ]


def test_revoking_stops_access_and_keeps_the_settings_for_later(member_api, tenant, member):
    member_api.put("/me/calendar", {"granted": True, "time_zone": "Asia/Tokyo"})
    assert member_api.delete("/me/calendar").status_code == 204
    me = member_api.get("/me").json()
    assert me["calendar_access"] is False
    assert member_api.delete("/me/calendar").status_code == 204  # already revoked: no change

    regranted = member_api.put("/me/calendar", {"granted": True}).json()
    assert regranted["time_zone"] == "Asia/Tokyo"
    assert consent_log(tenant) == [
        ("calendar_access.granted", member.email),
        ("calendar_access.revoked", member.email),
        ("calendar_access.granted", member.email),
    ]


def test_put_with_granted_false_revokes(member_api):
    member_api.put("/me/calendar", {"granted": True})
    response = member_api.put("/me/calendar", {"granted": False})
    assert response.status_code == 200
    assert response.json()["calendar_access"] is False


def test_consent_needs_a_signed_in_caller(client):
    assert (
        client.put("/api/v1/me/calendar", "{}", content_type="application/json").status_code == 401
    )
    assert client.delete("/api/v1/me/calendar").status_code == 401


NOT_AN_EXPLICIT_GRANT = [
    "null",
    "[]",
    "[null, null]",
    "0",
    "1",
    '"x"',
    "true",
    "{}",
    '{"time_zone": "Europe/Paris"}',
    '{"granted": "yes"}',
    '{"granted": "true"}',
    '{"granted": 1}',
    '{"granted": null}',
    '{"granted": [true]}',
]


def test_only_an_explicit_granted_true_grants(member_api, tenant):
    """A client bug that sends anything but {"granted": true} never turns consent on."""
    member_api.put("/me/calendar", {"granted": True})
    member_api.delete("/me/calendar")
    before = consent_log(tenant)

    for body in NOT_AN_EXPLICIT_GRANT:
        response = member_api.put("/me/calendar", body)
        assert response.status_code == 422, (body, response.content)
        error = response.json()["error"]
        assert error["code"] == "invalid_request", body
        assert error["message"], body

    assert member_api.get("/me").json()["calendar_access"] is False
    assert consent_log(tenant) == before


def test_a_refused_body_leaves_a_grant_in_place_too(member_api, tenant):
    member_api.put("/me/calendar", {"granted": True, "time_zone": "Asia/Tokyo"})
    for body in ("null", '{"granted": "no"}', '{"granted": 0}', "false"):
        assert member_api.put("/me/calendar", body).status_code == 422, body
    me = member_api.get("/me").json()
    assert (me["calendar_access"], me["time_zone"]) == (True, "Asia/Tokyo")


def test_the_error_names_what_is_missing(member_api):
    error = member_api.put("/me/calendar", {"time_zone": "Europe/Paris"}).json()["error"]
    assert "granted" in error["message"]
    error = member_api.put("/me/calendar", "null").json()["error"]
    assert "JSON object" in error["message"]

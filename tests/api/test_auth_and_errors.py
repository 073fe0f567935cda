"""Who may call the API, and the one error shape every failure has."""

import pytest

from conftest import api_as
from meetbridge.tenants.service import add_person

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"].endswith(".")
    assert "Traceback" not in body["error"]["message"]


def test_me_answers_the_caller_their_tenant_and_role(member_api, member):
    body = member_api.get("/me").json()
    assert body["email"] == "ben@acme.test"
    assert body["role"] == "member"
    assert body["tenant"] == {
        "slug": "acme",
        "name": "Acme",
        "domain": "acme.test",
        "time_zone": "America/Toronto",
    }
    assert body["calendar_access"] is False
    assert body["time_zone"] == "America/Toronto"
    assert body["working_hours"]["mon"] == [["09:00", "17:00"]]
    assert "sat" not in body["working_hours"]


def test_missing_token_is_401(client):
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")


def test_bad_token_is_401(client, member):
    assert_error(
        client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer mb_nope"), 401, "unauthenticated"
    )


def test_a_deactivated_persons_token_stops_working(member, member_api):
    member.is_active = False
    member.save()
    assert_error(member_api.get("/me"), 401, "unauthenticated")


def test_a_token_works_until_it_expires_and_never_after(client, member):
    from datetime import timedelta

    from django.utils import timezone

    from meetbridge.tenants.models import ApiToken

    _, expiring = ApiToken.issue(member, expires_at=timezone.now() + timedelta(minutes=5))
    _, expired = ApiToken.issue(member, expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {expiring}").status_code == 200
    assert_error(
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {expired}"), 401, "unauthenticated"
    )


def test_wrong_role_is_403(member_api):
    assert_error(member_api.get("/members"), 403, "forbidden")
    assert_error(member_api.get("/audit"), 403, "forbidden")


def test_another_tenants_people_never_appear(admin_api, member, other_tenant):
    add_person(tenant=other_tenant, email="gil@globex.test", admin=True)
    emails = [m["email"] for m in admin_api.get("/members").json()]
    assert emails == ["ana@acme.test", "ben@acme.test"]


def test_another_tenants_admin_sees_only_their_own_tenant(admin, other_tenant):
    gil = add_person(tenant=other_tenant, email="gil@globex.test", admin=True)
    gil_api = api_as(gil)
    assert gil_api.get("/me").json()["tenant"]["slug"] == "globex"
    assert [m["email"] for m in gil_api.get("/members").json()] == ["gil@globex.test"]


def test_unknown_route_is_404_in_the_error_shape(member_api):
    assert_error(member_api.get("/no-such-thing"), 404, "not_found")


def test_wrong_method_is_405_in_the_error_shape(member_api):
    assert_error(member_api.post("/me", {}), 405, "method_not_allowed")


def test_bad_query_is_422_naming_the_field(admin_api):
    response = admin_api.get("/audit", {"limit": "lots"})
    assert_error(response, 422, "invalid_request")
    assert "limit" in response.json()["error"]["message"]


def test_session_sign_in_authenticates_api_calls(client, member):
    client.force_login(member)
    assert client.get("/api/v1/me").json()["email"] == "ben@acme.test"


def test_operator_without_tenant_cannot_use_the_api(client, db):
    from meetbridge.tenants.models import Person

    operator = Person.objects.create_superuser("ops@meetbridge.test", "x" * 16)
    client.force_login(operator)
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")


def test_openapi_document_and_docs_are_served(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "meetbridge API"
    assert "/api/v1/me" in document["paths"]
    assert client.get("/api/v1/docs").status_code == 200

"""The home page: what each person should do next."""

from __future__ import annotations

import pytest

from meetbridge.scheduling.models import CalendarAccess
from meetbridge.tenants.models import Person

pytestmark = pytest.mark.django_db


def test_a_member_without_access_is_asked_to_grant_it(client, member):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Not shared" in html
    assert "Grant calendar access first" in html
    assert "Your organisation" not in html


def test_a_member_with_access_sees_their_zone_and_hours(client, member):
    CalendarAccess.objects.create(person=member, granted=True, time_zone="Europe/Paris")
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "Europe/Paris" in html
    assert "Mon–Fri 09:00–17:00" in html


def test_an_admin_sees_the_organisation_overview(client, admin, member):
    CalendarAccess.objects.create(person=member, granted=True)
    client.force_login(admin)
    html = client.get("/").content.decode()
    assert "Your organisation" in html
    assert "1</strong> of 2 people have granted calendar access" in html


def test_an_operator_without_a_tenant_gets_a_403_page_not_a_crash(client):
    operator = Person.objects.create_superuser("op@example.com", password="x" * 12)
    client.force_login(operator)
    response = client.get("/")
    assert response.status_code == 403
    assert "belongs to no organisation" in response.content.decode()


def test_every_page_says_what_meetbridge_reads(client, member):
    client.force_login(member)
    assert "What meetbridge reads:" in client.get("/").content.decode()


def test_a_member_is_told_when_booking_waits_for_the_admin(client, member):
    CalendarAccess.objects.create(person=member, granted=True)
    client.force_login(member)
    html = client.get("/").content.decode()
    assert "has not connected its Google Workspace" in html

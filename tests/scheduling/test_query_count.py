"""An availability answer costs the same few database queries for 2 people as for 12.

Colleagues who never chose a zone fall back to the tenant's: that must not load the tenant
once per person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetbridge.scheduling import consent
from tests.conftest import api_as


def queries_for_availability(api, emails: list[str], start: datetime) -> int:
    params = {
        "start": start.isoformat(),
        "end": (start + timedelta(days=7)).isoformat(),
        "duration": 30,
        "with": emails,
    }
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/availability", params)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_people_asked(admin, connected, colleague):
    consent.grant(admin, time_zone="America/Toronto")
    colleagues = [colleague(f"p{n}@acme.test") for n in range(12)]  # no zone of their own
    api = api_as(admin)
    start = datetime.now(UTC) + timedelta(days=2)
    queries_for_availability(api, [colleagues[0].email], start)  # the token's last use noted

    few = queries_for_availability(api, [colleagues[0].email], start + timedelta(minutes=1))
    many = queries_for_availability(
        api, [p.email for p in colleagues], start + timedelta(minutes=2)
    )

    assert many == few
    assert few <= 5

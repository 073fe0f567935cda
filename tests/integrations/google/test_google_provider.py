"""The Google Workspace provider against the sandbox, over HTTP with Google's wire format."""

from __future__ import annotations

import re
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations.backoff import RetryPolicy
from meetbridge.integrations.provider import EventDraft, ProviderError
from meetbridge.integrations.providers.google.calendar import GoogleConfig, GoogleWorkspaceProvider
from meetbridge.integrations.tokens import TokenCache

DOMAIN = "acme.test"
ANA, BEN, CY = "ana@acme.test", "ben@acme.test", "cy@acme.test"
MONDAY = datetime(2030, 3, 4, 14, 0, tzinfo=UTC)


class Calls(list):
    """The CallRecords a provider reported: what the audit log would receive."""

    def operations(self) -> list[str]:
        return [record.operation for record in self]

    def count(self, operation: str) -> int:  # type: ignore[override]
        return self.operations().count(operation)


@pytest.fixture
def setup(sandbox):
    return sandbox.quick_setup(DOMAIN, [ANA, BEN, CY])


@pytest.fixture
def calls() -> Calls:
    return Calls()


def make_provider(sandbox, key, calls, *, token_uri=None, attempts=4, tokens=None):
    return GoogleWorkspaceProvider(
        key=key,
        credential_key=f"test:{uuid.uuid4().hex}",
        config=GoogleConfig(
            token_uri=token_uri or sandbox.token_uri,
            api_base=sandbox.url,
            retry=RetryPolicy(max_attempts=attempts, base_delay=0.01, max_delay=0.05),
            connect_timeout=2,
            read_timeout=5,
        ),
        observe=calls.append,
        tokens=tokens or TokenCache(),
    )


@pytest.fixture
def google(sandbox, setup, calls):
    return make_provider(sandbox, setup.key, calls)


def draft(**overrides) -> EventDraft:
    values = {
        "event_id": "mb" + uuid.uuid4().hex,
        "title": "Planning",
        "start": MONDAY,
        "end": MONDAY + timedelta(minutes=30),
        "organizer_email": ANA,
        "attendee_emails": (BEN,),
        "marker": {"meetbridge_booking": "b-1"},
    }
    values.update(overrides)
    return EventDraft(**values)


# --- verification and tokens ------------------------------------------------------------------


def test_verify_signs_in_as_the_person_and_reads_their_own_free_busy(google, calls):
    google.verify(as_email=ANA)
    assert calls.operations() == ["oauth2.token", "calendar.freebusy.query"]
    assert {record.subject_email for record in calls} == {ANA}
    assert all(record.outcome == "ok" and record.latency_ms >= 0 for record in calls)


def test_tokens_are_reused_per_person(google, calls):
    for _ in range(3):
        google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    google.free_busy(as_email=BEN, emails=[ANA], start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert calls.count("oauth2.token") == 2
    assert calls.count("calendar.freebusy.query") == 4


def test_concurrent_calls_for_one_person_share_one_token_exchange(google, calls):
    start = threading.Barrier(6)
    errors = []

    def ask():
        start.wait()
        try:
            google.free_busy(
                as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1)
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert calls.count("oauth2.token") == 1


def test_verify_asks_for_a_fresh_token_so_a_revoked_delegation_shows(sandbox, setup, google):
    google.verify(as_email=ANA)
    sandbox.revoke_delegation(DOMAIN, setup.client_id)
    with pytest.raises(ProviderError) as info:
        google.verify(as_email=ANA)
    assert info.value.code == "delegation_missing"


def test_tokens_go_where_settings_say_never_where_the_key_file_says(sandbox, setup, calls):
    key = {**setup.key, "token_uri": "http://127.0.0.1:9/nowhere"}
    make_provider(sandbox, key, calls).verify(as_email=ANA)
    assert calls[0].outcome == "ok"


def test_a_token_google_stops_accepting_is_replaced_once(sandbox, google, calls):
    google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    sandbox.revoke_access_tokens()
    google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert calls.operations() == [
        "oauth2.token",
        "calendar.freebusy.query",
        "oauth2.token",
        "calendar.freebusy.query",
    ]


# --- failures, diagnosed ----------------------------------------------------------------------


def failure(provider, as_email=ANA) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        provider.verify(as_email=as_email)
    return info.value


def test_no_delegation(sandbox, calls):
    setup = sandbox.quick_setup(DOMAIN, [ANA], delegate=False)
    error = failure(make_provider(sandbox, setup.key, calls))
    assert error.code == "delegation_missing" and error.retryable
    assert setup.client_id in error.fix
    assert (calls[-1].operation, calls[-1].subject_email, calls[-1].outcome) == (
        "oauth2.token",
        ANA,
        "delegation_missing",
    )


def test_delegation_without_the_calendar_scope(sandbox, calls):
    setup = sandbox.quick_setup(
        DOMAIN, [ANA], scopes=["https://www.googleapis.com/auth/calendar.readonly"]
    )
    assert failure(make_provider(sandbox, setup.key, calls)).code == "delegation_missing"


def test_calendar_api_disabled(sandbox, setup, google):
    sandbox.set_calendar_api(setup.project_id, False)
    error = failure(google)
    assert error.code == "api_disabled" and error.retryable
    assert "calendar-json.googleapis.com" in error.fix


def test_key_deleted(sandbox, setup, google):
    sandbox.delete_key(setup.client_email, setup.key["private_key_id"])
    assert failure(google).code == "key_invalid"


def test_person_unknown_to_the_workspace(google):
    error = failure(google, as_email="nobody@acme.test")
    assert error.code == "user_unknown" and not error.retryable


def test_service_account_disabled_then_deleted(sandbox, setup, google):
    sandbox.disable_service_account(setup.client_email)
    assert failure(google).code == "service_account_disabled"
    sandbox.delete_service_account(setup.client_email)
    assert failure(google).code == "service_account_deleted"


def test_google_unreachable(sandbox, setup, calls):
    provider = make_provider(sandbox, setup.key, calls, token_uri="http://127.0.0.1:9/token")
    error = failure(provider)
    assert error.code == "unreachable" and error.retryable
    assert calls[-1].outcome == "unreachable" and "4 attempts" in calls[-1].detail


# --- retries ----------------------------------------------------------------------------------


def test_backend_errors_are_retried_until_they_pass(sandbox, google, calls):
    google.verify(as_email=ANA)
    sandbox.set_faults(error_rate=1.0, error_status=503, paths=["/calendar/v3/*"], times=2)
    google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert calls[-1].outcome == "ok" and "3 attempts" in calls[-1].detail


def test_retries_are_bounded(sandbox, google, calls):
    google.verify(as_email=ANA)
    sandbox.set_faults(error_rate=1.0, error_status=500, paths=["/calendar/v3/*"])
    with pytest.raises(ProviderError) as info:
        google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert info.value.code == "google_error"
    assert "4 attempts" in calls[-1].detail


def test_rate_limits_are_retried(sandbox, google, calls):
    google.verify(as_email=ANA)
    sandbox.set_faults(error_rate=1.0, error_status=403, paths=["/calendar/v3/*"], times=1)
    google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert "2 attempts" in calls[-1].detail


def test_a_client_error_is_not_retried(sandbox, google, calls):
    google.verify(as_email=ANA)
    sandbox.set_faults(error_rate=1.0, error_status=400, paths=["/calendar/v3/*"], times=5)
    with pytest.raises(ProviderError) as info:
        google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert info.value.code == "invalid_request"
    assert "attempts" not in calls[-1].detail


# --- free/busy --------------------------------------------------------------------------------


def test_free_busy_reports_busy_times_and_unknown_calendars(sandbox, google):
    sandbox.seed_event(
        BEN,
        {
            "summary": "Dentist",
            "start": {"dateTime": "2030-03-04T15:00:00Z"},
            "end": {"dateTime": "2030-03-04T16:00:00Z"},
        },
    )
    result = google.free_busy(
        as_email=ANA,
        emails=[BEN, "Ghost@Acme.test"],
        start=MONDAY,
        end=MONDAY + timedelta(hours=4),
    )
    assert [(i.start, i.end) for i in result.busy[BEN]] == [
        (MONDAY + timedelta(hours=1), MONDAY + timedelta(hours=2))
    ]
    assert "ghost@acme.test" in result.unknown


def test_more_than_50_people_are_asked_in_parallel_pieces(sandbox, calls):
    people = [f"p{i:02d}@big.test" for i in range(120)]
    setup = sandbox.quick_setup("big.test", people)
    sandbox.seed_event(
        people[-1],
        {
            "start": {"dateTime": "2030-03-04T15:00:00Z"},
            "end": {"dateTime": "2030-03-04T15:30:00Z"},
        },
    )
    provider = make_provider(sandbox, setup.key, calls)
    result = provider.free_busy(
        as_email=people[0], emails=people, start=MONDAY, end=MONDAY + timedelta(hours=8)
    )
    assert set(result.busy) == set(people) and result.unknown == {}
    assert len(result.busy[people[-1]]) == 1
    assert calls.count("calendar.freebusy.query") == 3
    assert calls.count("oauth2.token") == 1


def test_ranges_longer_than_google_allows_are_split_and_joined(sandbox, google, calls):
    sandbox.seed_event(
        BEN,
        {
            "start": {"dateTime": "2030-05-02T23:00:00Z"},
            "end": {"dateTime": "2030-05-03T01:00:00Z"},
        },
    )
    result = google.free_busy(
        as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(days=200)
    )
    assert calls.count("calendar.freebusy.query") == 4
    busy = result.busy[BEN]
    assert len(busy) == 1  # the event straddling two pieces comes back whole
    assert busy[0].end - busy[0].start == timedelta(hours=2)


def test_an_empty_range_is_refused_before_calling_google(google, calls):
    with pytest.raises(ProviderError) as info:
        google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY)
    assert info.value.code == "invalid_request" and calls == []


# --- events -----------------------------------------------------------------------------------


def test_create_event_invites_attendees_with_a_meet_link_and_our_marker(sandbox, google, calls):
    event = google.create_event(draft=draft(video=True))
    assert event.organizer_email == ANA
    assert {a.email for a in event.attendees} == {ANA, BEN}
    assert event.video_link and event.html_link
    assert event.marker == {"meetbridge_booking": "b-1"}
    assert [e["id"] for e in sandbox.events_of(BEN)] == [event.event_id]
    assert calls[-1].operation == "calendar.events.insert"


def test_create_event_is_safe_to_retry_when_the_answer_was_lost(sandbox, google, calls):
    google.verify(as_email=ANA)
    sandbox.set_faults(
        lose_response_rate=1.0, paths=["/calendar/v3/calendars/*/events"], methods=["POST"], times=1
    )
    event = google.create_event(draft=draft())
    assert len(sandbox.events_of(ANA)) == 1
    assert event.marker == {"meetbridge_booking": "b-1"}
    assert calls.operations()[-2:] == ["calendar.events.insert", "calendar.events.get"]


def test_an_id_taken_by_someone_else_is_a_conflict(google):
    first = google.create_event(draft=draft())
    with pytest.raises(ProviderError) as info:
        google.create_event(
            draft=draft(event_id=first.event_id, marker={"meetbridge_booking": "other"})
        )
    assert info.value.code == "conflict"


def test_get_move_and_cancel(sandbox, google):
    created = google.create_event(draft=draft())
    assert google.get_event(as_email=ANA, event_id=created.event_id).title == "Planning"
    moved = google.move_event(
        as_email=ANA,
        event_id=created.event_id,
        start=MONDAY + timedelta(days=1),
        end=MONDAY + timedelta(days=1, minutes=45),
        time_zone="Europe/Paris",
    )
    assert moved.start == MONDAY + timedelta(days=1)
    assert moved.end - moved.start == timedelta(minutes=45)
    # The moved event keeps a zone, the organizer's: Google shows it there, not in UTC.
    stored = next(e for e in sandbox.events_of(ANA) if e["id"] == created.event_id)
    assert stored["start"]["timeZone"] == stored["end"]["timeZone"] == "Europe/Paris"
    google.cancel_event(as_email=ANA, event_id=created.event_id)
    google.cancel_event(as_email=ANA, event_id=created.event_id)  # already gone: still fine
    assert google.get_event(as_email=ANA, event_id=created.event_id).status == "cancelled"


def test_an_unknown_event_is_not_found(google):
    with pytest.raises(ProviderError) as info:
        google.get_event(as_email=ANA, event_id="abcdef12345")
    assert info.value.code == "not_found"


def test_a_malformed_event_id_never_reaches_google(google, calls):
    with pytest.raises(ProviderError) as info:
        google.get_event(as_email=ANA, event_id="../../freeBusy")
    assert info.value.code == "invalid_request" and calls == []


def test_a_calendar_usage_limit_is_not_retried(sandbox, google, calls):
    sandbox.set_limits(user_changes_per_day=1)
    google.create_event(draft=draft())
    with pytest.raises(ProviderError) as info:
        google.create_event(draft=draft())
    assert info.value.code == "quota_exceeded"
    assert calls[-1].outcome == "quota_exceeded" and "attempts" not in calls[-1].detail


def test_a_lasting_rate_limit_gives_up_after_the_bounded_retries(sandbox, google, calls):
    sandbox.set_limits(user_requests_per_minute=1)
    google.verify(as_email=ANA)
    with pytest.raises(ProviderError) as info:
        google.free_busy(as_email=ANA, emails=[BEN], start=MONDAY, end=MONDAY + timedelta(hours=1))
    assert info.value.code == "rate_limited" and info.value.retryable
    # Bounded: at most the policy's four attempts, the last perhaps not even sent because the
    # person's growing pause outlasted what the policy waits (per-person backoff).
    attempts = re.search(r"(\d+) attempts", calls[-1].detail)
    assert attempts and 2 <= int(attempts.group(1)) <= 4

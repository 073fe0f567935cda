"""The Microsoft provider against the stand-in: free/busy, events exactly once, read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from meetbridge.integrations.provider import EventDraft, ProviderError

ADELE, MEGAN, LEE = "adele@contoso.test", "megan@contoso.test", "lee@contoso.test"
START = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)
MARKER = {"meetbridge_tenant": "contoso", "meetbridge_booking": "b-1"}


def draft(event_id="ev0booking0001", **extra) -> EventDraft:
    return EventDraft(
        event_id=event_id,
        title="Plan",
        start=START,
        end=START + timedelta(minutes=30),
        organizer_email=ADELE,
        attendee_emails=(MEGAN, LEE),
        time_zone="Europe/Berlin",
        description="Agenda: secret plans",
        marker=dict(MARKER),
        **extra,
    )


def test_verify_passes_on_a_good_setup(provider):
    provider.verify(as_email=ADELE)
    assert [r.operation for r in provider.records] == [
        "entra.token", "graph.calendar.getSchedule", "graph.events.update"
    ]  # fmt: skip


def test_certificate_credential_works(make_provider, microsoft):
    setup = microsoft.quick_setup("fabrikam.test", ["ann@fabrikam.test"], credential="certificate")
    make_provider(setup).verify(as_email="ann@fabrikam.test")


def test_free_busy_reads_busy_and_reports_unknown_never_free(provider, microsoft):
    provider.create_event(draft=draft())
    microsoft.respond(MEGAN, microsoft.events_of(ADELE)[0]["id"], "accepted")
    found = provider.free_busy(
        as_email=ADELE, emails=[ADELE, MEGAN, LEE, "ghost@contoso.test"],
        start=START - timedelta(hours=2), end=START + timedelta(hours=2),
    )  # fmt: skip
    assert [(i.start, i.end) for i in found.busy[ADELE]] == [(START, START + timedelta(minutes=30))]
    assert len(found.busy[MEGAN]) == 1
    assert len(found.busy[LEE]) == 1  # an unanswered invitation is tentative: not free
    assert found.unknown == {"ghost@contoso.test": "5009"}
    assert "ghost@contoso.test" not in found.busy


def test_free_busy_is_chunked_by_twenty_people_and_sixty_days(provider, microsoft):
    for n in range(25):
        microsoft.add_user(provider._tenant, f"user{n}@contoso.test")
    people = [f"user{n}@contoso.test" for n in range(25)]
    found = provider.free_busy(as_email=ADELE, emails=people, start=START, end=START + timedelta(days=100))  # fmt: skip
    calls = [r for r in provider.records if r.operation == "graph.calendar.getSchedule"]
    assert len(calls) == 4  # 2 batches of people x 2 pieces of time
    assert set(found.busy) == set(people)


def test_a_mailbox_outside_the_policy_is_unknown(provider, microsoft, contoso):
    microsoft.set_access_policy(contoso.tenant_id, contoso.client_id, [ADELE, MEGAN])
    found = provider.free_busy(as_email=ADELE, emails=[MEGAN, LEE], start=START, end=START + timedelta(hours=1))  # fmt: skip
    assert set(found.unknown) == {LEE}


def test_create_is_read_back_with_safe_fields_only(provider, microsoft):
    view = provider.create_event(draft=draft())
    assert view.event_id == "ev0booking0001"
    assert (view.start, view.end) == (START, START + timedelta(minutes=30))
    assert view.organizer_email == ADELE
    assert [(a.email, a.response) for a in view.attendees] == [
        (ADELE, "accepted"), (MEGAN, "needsAction"), (LEE, "needsAction")
    ]  # fmt: skip
    assert view.html_link.startswith("https://outlook.office365.com/owa/")
    assert view.marker == MARKER
    again = provider.get_event(as_email=ADELE, event_id="ev0booking0001")
    assert again.marker == MARKER and again.title == "Plan"
    assert "secret plans" not in repr(again)
    stored = microsoft.events_of(ADELE)[0]
    assert stored["transactionId"] == "ev0booking0001"
    assert stored["originalStartTimeZone"] == "Europe/Berlin"


def test_get_finds_the_event_in_a_fresh_process(provider, make_provider, contoso):
    provider.create_event(draft=draft())
    other = make_provider(contoso)  # knows nothing of Graph's id: finds it by our property
    assert other.get_event(as_email=ADELE, event_id="ev0booking0001").marker == MARKER


def test_created_exactly_once_under_lost_answers_and_errors(provider, microsoft, sandbox):
    sandbox.set_faults(lose_response_rate=1, methods=["POST"], paths=["/microsoft/graph/v1.0/users/*/events"], times=2)  # fmt: skip
    view = provider.create_event(draft=draft())
    assert view.marker == MARKER
    assert len(microsoft.events_of(ADELE)) == 1
    sandbox.set_faults(error_rate=1, error_status=503, methods=["POST"], paths=["/microsoft/graph/*"], times=2)  # fmt: skip
    provider.create_event(draft=draft(event_id="ev0booking0002"))
    assert len(microsoft.events_of(ADELE)) == 2


def test_hundred_bookings_land_once_each_under_faults(provider, microsoft, sandbox):
    sandbox.set_faults(error_rate=0.2, error_status=429, lose_response_rate=0.1, paths=["/microsoft/graph/*"])  # fmt: skip
    for n in range(100):
        try:
            provider.create_event(draft=draft(event_id=f"ev0booking{n:04d}"))
        except ProviderError:
            provider.create_event(draft=draft(event_id=f"ev0booking{n:04d}"))  # the caller retries
    sandbox.clear_faults()
    ids = [e["transactionId"] for e in microsoft.events_of(ADELE)]
    assert sorted(ids) == [f"ev0booking{n:04d}" for n in range(100)]


def test_teams_link_when_video_is_asked(provider):
    view = provider.create_event(draft=draft(video=True))
    assert view.video_link.startswith("https://teams.microsoft.com/l/meetup-join/")


def test_plain_meeting_is_noted_when_teams_is_not_available(provider, microsoft):
    microsoft.change_mailbox(ADELE, teams=False)
    view = provider.create_event(draft=draft(video=True))
    assert view.video_link is None
    [note] = [r for r in provider.records if r.outcome == "no_video_link"]
    assert note.operation == "graph.events.create" and "no Teams link" in note.detail


def test_move_and_attendee_answers(provider, microsoft):
    provider.create_event(draft=draft())
    graph_id = microsoft.events_of(ADELE)[0]["id"]
    microsoft.respond(LEE, graph_id, "tentativelyAccepted")
    microsoft.respond(MEGAN, graph_id, "declined")
    read = provider.get_event(as_email=ADELE, event_id="ev0booking0001")
    assert {a.email: a.response for a in read.attendees} == {
        ADELE: "accepted", MEGAN: "declined", LEE: "tentative"
    }  # fmt: skip
    later = START + timedelta(days=1)
    moved = provider.move_event(
        as_email=ADELE, event_id="ev0booking0001", start=later,
        end=later + timedelta(minutes=45), time_zone="Europe/Berlin",
    )  # fmt: skip
    assert (moved.start, moved.end) == (later, later + timedelta(minutes=45))
    assert moved.marker == MARKER


def test_cancel_then_gone_and_cancel_again_is_fine(provider, microsoft):
    provider.create_event(draft=draft())
    provider.cancel_event(as_email=ADELE, event_id="ev0booking0001")
    assert microsoft.events_of(MEGAN)[0]["isCancelled"] is True
    with pytest.raises(ProviderError) as gone:
        provider.get_event(as_email=ADELE, event_id="ev0booking0001")
    assert gone.value.code == "not_found"
    provider.cancel_event(as_email=ADELE, event_id="ev0booking0001")


def test_someone_elses_event_is_not_found(provider):
    with pytest.raises(ProviderError) as missing:
        provider.get_event(as_email=ADELE, event_id="ev0neverbooked")
    assert missing.value.code == "not_found"


def test_throttling_is_waited_out(provider, sandbox):
    sandbox.set_faults(error_rate=1, error_status=429, paths=["/microsoft/graph/*"], times=2)
    provider.free_busy(as_email=ADELE, emails=[ADELE], start=START, end=START + timedelta(hours=1))
    assert provider.records[-1].detail.startswith("HTTP 200, 3 attempts")


def test_token_endpoint_trouble_is_retried(provider, sandbox):
    sandbox.set_faults(error_rate=1, error_status=503, paths=["/microsoft/login/*"], times=2)
    provider.verify(as_email=ADELE)
    token = next(r for r in provider.records if r.operation == "entra.token")
    assert token.outcome == "ok"


def test_a_throttled_sign_in_is_retried_not_taken_for_an_unknown_tenant(provider, sandbox):
    # msal reads a 429 on the tenant's metadata as "unable to get authority configuration".
    sandbox.set_faults(error_rate=1, error_status=429, paths=["/microsoft/login/*"], times=2)
    provider.verify(as_email=ADELE)
    token = next(r for r in provider.records if r.operation == "entra.token")
    assert token.outcome == "ok" and "3 attempts" in token.detail


def test_at_most_four_calls_at_a_time_per_mailbox(provider, microsoft):
    import threading

    for n in range(100):
        microsoft.add_user(provider._tenant, f"user{n}@contoso.test")
    people = [f"user{n}@contoso.test" for n in range(100)]
    provider.free_busy(as_email=ADELE, emails=[ADELE], start=START, end=START + timedelta(hours=1))
    microsoft.hold(True)
    done = threading.Event()
    worker = threading.Thread(
        target=lambda: (
            provider.free_busy(
                as_email=ADELE, emails=people, start=START, end=START + timedelta(days=100)
            ),
            done.set(),
        )
    )  # 5 batches x 2 spans = 10 getSchedule calls, 8 pool threads
    worker.start()
    try:
        for _ in range(500):  # until four are held in flight (waiting on state, not on time)
            if microsoft.state()["in_flight"] == 4:
                break
            threading.Event().wait(0.01)
        assert microsoft.state()["in_flight"] == 4
    finally:
        microsoft.hold(False)
        worker.join(timeout=60)
    assert done.is_set()
    calls = [r for r in provider.records if r.operation == "graph.calendar.getSchedule"]
    assert len(calls) == 11
    assert not [r for r in calls if "attempts" in r.detail]  # never throttled: never a fifth

"""Before any Graph call: roles from admin consent, access policies, mailboxes, throttling."""

from __future__ import annotations

import threading

ADELE = "adele@contoso.test"
EVENTS = f"/users/{ADELE}/events"


def _error(response) -> tuple[int, str, str]:
    error = response.json()["error"]
    assert set(error["innerError"]) >= {"date", "request-id", "client-request-id"}
    return response.status_code, error["code"], error["message"]


def test_no_consent_means_access_denied_at_graph(graph, microsoft):
    microsoft.revoke_consent(graph.setup.tenant_id, graph.setup.client_id)
    graph.new_token()
    assert _error(graph.call("GET", EVENTS)) == (
        403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
    )  # fmt: skip


def test_read_only_consent_cannot_write(graph, microsoft):
    microsoft.grant_consent(graph.setup.tenant_id, graph.setup.client_id, ["Calendars.Read"])
    graph.new_token()
    assert graph.call("GET", EVENTS).status_code == 200
    assert _error(graph.call("POST", EVENTS, _event()))[:2] == (403, "ErrorAccessDenied")


def test_consent_takes_effect_after_propagation_on_the_clock(graph, microsoft):
    microsoft.revoke_consent(graph.setup.tenant_id, graph.setup.client_id)
    microsoft.grant_consent(graph.setup.tenant_id, graph.setup.client_id, propagation_seconds=600)
    graph.new_token()
    assert graph.call("GET", EVENTS).status_code == 403
    microsoft.advance_clock(601)
    graph.new_token()
    assert graph.call("GET", EVENTS).status_code == 200


def test_access_policy_limits_mailboxes_after_propagation(graph, microsoft):
    microsoft.set_access_policy(
        graph.setup.tenant_id, graph.setup.client_id, [ADELE], propagation_seconds=3600
    )
    assert graph.call("GET", "/users/megan@contoso.test/events").status_code == 200
    microsoft.advance_clock(3600)
    graph.new_token()  # the old one expired meanwhile
    assert graph.call("GET", EVENTS).status_code == 200
    assert _error(graph.call("GET", "/users/megan@contoso.test/events")) == (
        403, "ErrorAccessDenied", "Access to OData is disabled."
    )  # fmt: skip


def test_unknown_and_unlicensed_mailboxes(graph, microsoft):
    assert _error(graph.call("GET", "/users/nobody@contoso.test/events")) == (
        404, "ErrorInvalidUser", "The requested user 'nobody@contoso.test' is invalid."
    )  # fmt: skip
    microsoft.change_mailbox("megan@contoso.test", licensed=False)
    assert _error(graph.call("GET", "/users/megan@contoso.test/events"))[:2] == (
        404, "MailboxNotEnabledForRESTAPI"
    )  # fmt: skip


def test_a_mailbox_of_another_tenant_is_unknown(graph, microsoft):
    microsoft.create_tenant("fabrikam.test", ["ann@fabrikam.test"])
    assert graph.call("GET", "/users/ann@fabrikam.test/events").status_code == 404


def test_fifth_concurrent_request_per_app_and_mailbox_is_throttled(graph, microsoft):
    microsoft.hold(True)
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(graph.call("GET", EVENTS))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    try:
        for _ in range(500):  # wait until the four are counted in flight (not for a duration)
            if microsoft.state()["in_flight"] == 4:
                break
            threading.Event().wait(0.01)
        assert microsoft.state()["in_flight"] == 4
        fifth = graph.call("GET", EVENTS)
    finally:
        microsoft.hold(False)
        for thread in threads:
            thread.join()
    assert _error(fifth) == (
        429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit."
    )  # fmt: skip
    assert fifth.headers["Retry-After"].isdigit()
    assert [a.status_code for a in answers] == [200] * 4


def test_requests_per_window_are_limited(graph, microsoft):
    microsoft.set_limits(requests_per_10_minutes=2)
    assert graph.call("GET", EVENTS).status_code == 200
    assert graph.call("GET", EVENTS).status_code == 200
    third = graph.call("GET", EVENTS)
    assert third.status_code == 429
    assert int(third.headers["Retry-After"]) > 0
    assert graph.call("GET", "/users/megan@contoso.test/events").status_code == 200
    microsoft.advance_clock(601)
    assert graph.call("GET", EVENTS).status_code == 200


def test_faults_apply_to_graph_with_retry_after(graph, sandbox):
    sandbox.set_faults(error_rate=1, error_status=429, paths=["/microsoft/graph/*"], times=1)
    throttled = graph.call("GET", EVENTS)
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert throttled.headers["Retry-After"] == "1"
    assert graph.call("GET", EVENTS).status_code == 200


def test_mixed_injected_statuses_with_a_chosen_retry_after_repeat_with_a_seed(graph, sandbox):
    def statuses() -> list[int]:
        sandbox.set_faults(
            error_rate=0.5, error_statuses=[429, 503], retry_after_seconds=0, seed=7,
            paths=["/microsoft/graph/*"],
        )  # fmt: skip
        answers = [graph.call("GET", EVENTS) for _ in range(40)]
        for answer in answers:
            if answer.status_code != 200:
                assert answer.headers["Retry-After"] == "0"
        return [answer.status_code for answer in answers]

    first = statuses()
    assert {429, 503, 200} == set(first)
    assert statuses() == first  # the same seed, the same faults in the same order


def _event(**extra) -> dict:
    return {
        "subject": "Plan",
        "start": {"dateTime": "2030-03-04T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2030-03-04T10:30:00", "timeZone": "UTC"},
        **extra,
    }

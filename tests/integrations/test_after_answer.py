"""Work left until a request's answer is sent: after it inside a request, at once outside."""

from __future__ import annotations

import logging

from meetbridge import after_answer as lifecycle
from meetbridge.after_answer import after_answer

# What Django's request_started and request_finished signals call (connected in apps.py).
request_started, request_finished = lifecycle.request_started, lifecycle.request_finished


def test_outside_a_request_work_runs_at_once():
    done = []
    after_answer(lambda: done.append("kept"))
    assert done == ["kept"]


def test_inside_a_request_work_waits_for_the_answer_and_runs_in_order():
    done = []
    request_started()
    after_answer(lambda: done.append(1))
    after_answer(lambda: done.append(2))
    assert done == []
    request_finished()
    assert done == [1, 2]
    after_answer(lambda: done.append(3))  # the request is over: at once again
    assert done == [1, 2, 3]


def test_a_failure_is_logged_and_does_not_stop_the_rest(caplog):
    done = []

    def broken():
        raise RuntimeError("the store went away")

    request_started()
    after_answer(broken)
    after_answer(lambda: done.append("still kept"))
    with caplog.at_level(logging.ERROR, logger="meetbridge.after_answer"):
        request_finished()
    assert done == ["still kept"]
    assert "failed" in caplog.text


def test_what_an_unfinished_request_left_is_done_before_the_next_one_starts():
    done = []
    request_started()
    after_answer(lambda: done.append("first"))
    request_started()  # its predecessor on this thread never finished
    assert done == ["first"]
    after_answer(lambda: done.append("second"))
    request_finished()
    assert done == ["first", "second"]


def test_the_request_signals_are_connected():
    import weakref

    from django.core import signals

    def receivers(signal):
        return [r[1]() if isinstance(r[1], weakref.ref) else r[1] for r in signal.receivers]

    assert lifecycle.request_started in receivers(signals.request_started)
    assert lifecycle.request_finished in receivers(signals.request_finished)

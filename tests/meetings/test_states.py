"""A booking moves through its states only along the documented edges."""

from __future__ import annotations

import pytest

from meetbridge.meetings import states


def test_a_booking_reaches_the_calendar_only_through_inserting():
    into = {
        target: {s for s, ts in states.TRANSITIONS.items() if target in ts} for target in states.ALL
    }
    assert into[states.CONFIRMED] == {states.INSERTING, states.RESCHEDULING}
    assert into[states.FAILED] == {states.INSERTING}


def test_cancelled_and_failed_are_final():
    for final in states.FINAL:
        assert states.TRANSITIONS[final] == frozenset()
        for target in states.ALL:
            with pytest.raises(states.IllegalTransition):
                states.check_move(final, target)


def test_every_state_that_may_have_an_event_on_the_calendar_holds_its_time():
    may_be_on_calendar = {
        states.INSERTING,
        states.CONFIRMED,
        states.RESCHEDULING,
        states.CANCELLING,
    }
    assert may_be_on_calendar <= states.HOLDS_TIME
    assert states.FAILED not in states.HOLDS_TIME
    assert states.CANCELLED not in states.HOLDS_TIME


def test_unsettled_states_are_those_a_crash_can_leave_behind():
    assert states.HOLDS_TIME - {states.CONFIRMED} == states.UNSETTLED
    assert not states.UNSETTLED & states.FINAL


def test_the_illegal_move_names_both_states():
    with pytest.raises(states.IllegalTransition, match="from failed to confirmed"):
        states.check_move(states.FAILED, states.CONFIRMED)

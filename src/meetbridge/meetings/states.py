"""The life of a booking, as a state machine. Pure.

A booking row records each step, committed *before* the calendar call it announces, so that
after a crash anywhere the row says what may have reached the calendar:

    inserting     the time is reserved in our database, and the insert was sent or is about
                  to be: the event may exist on the calendar
    confirmed     the event is on the calendar
    rescheduling  a move to `pending_start`/`pending_end` was sent, or is about to be
    cancelling    the delete was sent, or is about to be
    cancelled     the event is cancelled on the calendar
    failed        nothing of this booking is on the calendar, and nothing ever will be
"""

from __future__ import annotations

INSERTING = "inserting"
CONFIRMED = "confirmed"
RESCHEDULING = "rescheduling"
CANCELLING = "cancelling"
CANCELLED = "cancelled"
FAILED = "failed"

ALL = (INSERTING, CONFIRMED, RESCHEDULING, CANCELLING, CANCELLED, FAILED)

TRANSITIONS: dict[str, frozenset[str]] = {
    INSERTING: frozenset({CONFIRMED, FAILED}),
    CONFIRMED: frozenset({RESCHEDULING, CANCELLING, CANCELLED}),
    RESCHEDULING: frozenset({CONFIRMED, CANCELLING, CANCELLED}),
    CANCELLING: frozenset({CANCELLED}),
    CANCELLED: frozenset(),
    FAILED: frozenset(),
}

# Bookings whose time counts as taken for every participant, whether or not the calendar
# shows it yet: this is what stops two in-flight requests from both winning a slot.
HOLDS_TIME = frozenset({INSERTING, CONFIRMED, RESCHEDULING, CANCELLING})

# Bookings a person can see as meetings.
VISIBLE = frozenset({CONFIRMED, RESCHEDULING, CANCELLING, CANCELLED})

# States that only last while someone works on the booking; a row left in one was
# interrupted, and the sweep settles it.
UNSETTLED = frozenset({INSERTING, RESCHEDULING, CANCELLING})

FINAL = frozenset({CANCELLED, FAILED})

# The API's `status` of a meeting while a change is under way (besides the calendar's own
# `confirmed`, `tentative` and `cancelled`): the truth, never the state before the change.
UNDER_WAY = frozenset({INSERTING, RESCHEDULING, CANCELLING, FAILED})


def shown_status(state: str, calendar_status: str) -> str:
    """What people are shown: what the calendar said, unless a change is under way."""
    if state in UNDER_WAY or state == CANCELLED:
        return state
    return calendar_status


UNFINISHED_PROBLEMS = {
    INSERTING: (
        "booking_not_finished",
        "The calendar could not tell whether this meeting was made, and meetbridge stopped "
        "asking. Repeat the booking with the same Idempotency-Key, or ask a tenant admin.",
    ),
    RESCHEDULING: (
        "move_not_finished",
        "The calendar could not tell whether this meeting was moved, and meetbridge stopped "
        "asking. Move it again, or cancel it.",
    ),
    CANCELLING: (
        "cancel_not_finished",
        "The calendar kept refusing to cancel this meeting, and meetbridge stopped trying. "
        "Cancel it again, or ask a tenant admin to check the Integrations page.",
    ),
}
WITHDRAWAL_PROBLEM = (
    "withdrawal_pending",
    "This booking failed, but its event is still on the calendar: the calendar system refused to "
    "remove it. meetbridge keeps trying.",
)


def unfinished_problem(state: str, withdrawal_pending: bool) -> dict[str, str]:
    """What a person is told about a change meetbridge could not finish."""
    code, message = WITHDRAWAL_PROBLEM if withdrawal_pending else UNFINISHED_PROBLEMS[state]
    return {"code": code, "message": message}


class IllegalTransition(ValueError):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"A booking cannot go from {current} to {target}.")
        self.current = current
        self.target = target


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        raise IllegalTransition(current, target)

"""The fast slot computation agrees with the minute-by-minute reference on generated cases.

Windows are drawn around daylight-saving changes of zones with unusual rules (half-hour DST,
changes at midnight, offsets 26 hours apart), with overnight ranges and overlapping busy blocks.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetbridge.scheduling.rules import DAYS
from meetbridge.scheduling.slots import ALLOWED_INTERVALS, Participant, SlotQuery, common_slots
from tests.scheduling.reference import as_epoch, reference_slots, utc

ZONES = (
    "America/Toronto",
    "Europe/Paris",
    "Pacific/Auckland",
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Kiritimati",  # +14
    "Pacific/Pago_Pago",  # -11
    "Australia/Lord_Howe",  # DST of half an hour
    "Asia/Kathmandu",  # +5:45
    "America/St_Johns",  # -3:30 with DST
    "America/Santiago",  # changes at midnight
    "America/Havana",  # changes at midnight / 01:00
    "Africa/Casablanca",  # clocks go back for Ramadan
    "Asia/Kolkata",
    "UTC",
)

# Days on which at least one of the zones above changes its clocks (2026), plus quiet ones.
AROUND = (
    utc(2026, 2, 15),
    utc(2026, 3, 8),
    utc(2026, 3, 29),
    utc(2026, 4, 5),
    utc(2026, 9, 6),
    utc(2026, 9, 27),
    utc(2026, 10, 4),
    utc(2026, 10, 25),
    utc(2026, 11, 1),
    utc(2026, 6, 17),
)


@st.composite
def clock(draw, *, allow_midnight_end: bool = False) -> str:
    minute = draw(
        st.one_of(
            st.integers(0, 95).map(lambda q: q * 15),
            st.integers(0, 24 * 60 - 1),
        )
    )
    if allow_midnight_end and draw(st.integers(0, 9)) == 0:
        return "24:00"
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def wide_working_hours(draw) -> dict:
    """Long days, so that slots often exist and the clock changes fall inside working time."""
    start, end = draw(st.sampled_from((("00:00", "24:00"), ("20:00", "12:00"), ("06:00", "23:30"))))
    return {day: [[start, end]] for day in DAYS if draw(st.integers(0, 5))}


@st.composite
def working_hours(draw) -> dict:
    if draw(st.booleans()):
        return draw(wide_working_hours())
    hours = {}
    for day in DAYS:
        ranges = []
        for _ in range(draw(st.integers(0, 2))):
            start, end = draw(clock()), draw(clock(allow_midnight_end=True))
            if start != end:
                ranges.append([start, end])
        if ranges:
            hours[day] = ranges
    return hours


@st.composite
def scenario(draw):
    base = draw(st.sampled_from(AROUND)) + timedelta(minutes=draw(st.integers(-2880, 2880)))
    length = timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
    start, end = base, base + length

    def busy_block():
        begin = draw(st.integers(-600, int(length.total_seconds() // 60) + 600))
        span = draw(st.one_of(st.just(0), st.integers(1, 600)))
        at = int(start.timestamp()) + begin * 60
        return (at, at + span * 60)

    people = []
    for _ in range(draw(st.integers(1, 3))):
        blocks = [busy_block() for _ in range(draw(st.integers(0, 8)))]
        people.append(Participant(draw(st.sampled_from(ZONES)), draw(working_hours()), blocks))
    query = SlotQuery(
        start=start,
        end=end,
        duration_minutes=draw(st.sampled_from((5, 15, 30, 45, 60, 90, 240))),
        time_zone=draw(st.sampled_from(ZONES)),
        now=start + timedelta(minutes=draw(st.integers(-1440, 1440))),
        interval_minutes=draw(st.sampled_from(ALLOWED_INTERVALS)),
        min_notice_minutes=draw(st.sampled_from((0, 0, 30, 240))),
    )
    return people, query


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_agrees_with_the_minute_by_minute_reference(case):
    people, query = case
    assert as_epoch(common_slots(people, query)) == reference_slots(people, query)


@settings(max_examples=100, deadline=None)
@given(scenario())
def test_slots_are_sorted_distinct_and_as_long_as_asked(case):
    people, query = case
    slots = common_slots(people, query)
    assert slots == sorted(set(slots))
    for slot in slots:
        assert slot.end - slot.start == timedelta(minutes=query.duration_minutes)
        assert query.start <= slot.start and slot.end <= query.end


@settings(max_examples=100, deadline=None)
@given(scenario(), st.data())
def test_more_busy_time_never_adds_a_slot(case, data):
    people, query = case
    before = set(common_slots(people, query))
    first = people[0]
    at = int(query.start.timestamp()) + data.draw(st.integers(0, 3 * 24 * 60)) * 60
    busier = Participant(first.time_zone, first.working_hours, [*first.busy, (at, at + 3600)])
    after = set(common_slots([busier, *people[1:]], query))
    assert after <= before

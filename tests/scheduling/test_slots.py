"""Named cases of the slot rules, each small enough to check by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from meetbridge.scheduling.slots import Participant, SlotQuery, common_slots
from tests.scheduling.reference import reference_slots, utc

WEEKDAYS_9_TO_5 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
TORONTO = "America/Toronto"
PARIS = "Europe/Paris"


def local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def span(start: datetime, end: datetime) -> tuple[float, float]:
    return (start.timestamp(), end.timestamp())


def query(start, end, *, duration=60, interval=60, zone=TORONTO, now=None, notice=0):
    return SlotQuery(
        start=start,
        end=end,
        duration_minutes=duration,
        time_zone=zone,
        now=now or start - timedelta(days=1),
        interval_minutes=interval,
        min_notice_minutes=notice,
    )


def starts(slots, zone: str = TORONTO) -> list[str]:
    return [slot.start.astimezone(ZoneInfo(zone)).strftime("%a %H:%M %Z") for slot in slots]


def utc_starts(slots) -> list[datetime]:
    return [slot.start for slot in slots]


def test_an_empty_calendar_offers_every_aligned_start_in_working_hours():
    person = Participant(TORONTO, WEEKDAYS_9_TO_5)
    day = query(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 16), interval=30)
    slots = common_slots([person], day)
    assert starts(slots)[0] == "Mon 09:00 EDT"
    assert starts(slots)[-1] == "Mon 16:00 EDT"
    assert len(slots) == 15
    assert all(s.end - s.start == timedelta(hours=1) for s in slots)


def test_a_fully_busy_calendar_offers_nothing():
    busy = [span(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 20))]
    person = Participant(TORONTO, WEEKDAYS_9_TO_5, busy)
    week = query(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 20))
    assert common_slots([person], week) == []


def test_busy_blocks_touching_a_slot_exactly_leave_it_free():
    busy = [
        span(local(TORONTO, 2026, 6, 15, 10), local(TORONTO, 2026, 6, 15, 11)),
        span(local(TORONTO, 2026, 6, 15, 12), local(TORONTO, 2026, 6, 15, 13)),
    ]
    person = Participant(TORONTO, {"mon": [["10:00", "13:00"]]}, busy)
    day = query(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 16))
    assert starts(common_slots([person], day)) == ["Mon 11:00 EDT"]


def test_working_days_that_only_touch_share_no_slot():
    # Toronto's 17:00 is Auckland's 09:00 next morning in June: the days meet but do not overlap.
    toronto = Participant(TORONTO, WEEKDAYS_9_TO_5)
    auckland = Participant("Pacific/Auckland", WEEKDAYS_9_TO_5)
    week = query(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 20), duration=15)
    assert common_slots([toronto, auckland], week) == []

    early_riser = Participant(
        "Pacific/Auckland", {day: [["08:00", "17:00"]] for day in WEEKDAYS_9_TO_5}
    )
    slots = common_slots([toronto, early_riser], week)
    assert starts(slots) == ["Mon 16:00 EDT", "Tue 16:00 EDT", "Wed 16:00 EDT", "Thu 16:00 EDT"]


def test_people_25_hours_apart_meet_on_different_weekdays():
    kiritimati = Participant("Pacific/Kiritimati", WEEKDAYS_9_TO_5)  # UTC+14
    pago_pago = Participant("Pacific/Pago_Pago", WEEKDAYS_9_TO_5)  # UTC-11
    week = query(utc(2026, 6, 14), utc(2026, 6, 22), zone="Pacific/Pago_Pago")
    slots = common_slots([kiritimati, pago_pago], week)
    # Kiritimati's Tuesday to Friday 10:00-17:00 are Pago Pago's Monday to Thursday 09:00-16:00.
    assert len(slots) == 4 * 7
    assert starts(slots[:7], "Pacific/Pago_Pago") == [
        f"Mon {hour:02d}:00 SST" for hour in range(9, 16)
    ]
    assert starts(slots[:1], "Pacific/Kiritimati") == ["Tue 10:00 +14"]


def test_overnight_hours_run_into_the_next_morning():
    night_shift = Participant(TORONTO, {"mon": [["22:00", "06:00"]]})
    slots = common_slots(
        [night_shift], query(local(TORONTO, 2026, 6, 14), local(TORONTO, 2026, 6, 18))
    )
    assert starts(slots) == [
        "Mon 22:00 EDT",
        "Mon 23:00 EDT",
        *[f"Tue 0{hour}:00 EDT" for hour in range(6)],
    ]


def test_sunday_night_runs_into_monday_morning():
    person = Participant(TORONTO, {"sun": [["23:00", "01:00"]]})
    slots = common_slots([person], query(local(TORONTO, 2026, 6, 14), local(TORONTO, 2026, 6, 16)))
    assert starts(slots) == ["Sun 23:00 EDT", "Mon 00:00 EDT"]


def test_a_range_ending_at_24_00_ends_at_midnight():
    person = Participant(TORONTO, {"mon": [["22:00", "24:00"]]})
    slots = common_slots([person], query(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 17)))
    assert starts(slots) == ["Mon 22:00 EDT", "Mon 23:00 EDT"]


class TestSpringForward:
    """Toronto, Sunday 8 March 2026: at 02:00 EST the clocks jump to 03:00 EDT."""

    day = query(local(TORONTO, 2026, 3, 8), local(TORONTO, 2026, 3, 9), interval=30)

    def test_hours_across_the_gap_are_continuous_real_time(self):
        person = Participant(TORONTO, {"sun": [["01:00", "04:00"]]})
        slots = common_slots([person], self.day)
        # 01:00-02:00 EST and 03:00-04:00 EDT are one unbroken stretch of two real hours.
        assert starts(slots) == ["Sun 01:00 EST", "Sun 01:30 EST", "Sun 03:00 EDT"]
        assert utc_starts(slots) == [utc(2026, 3, 8, 6), utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7)]

    def test_a_range_starting_in_the_gap_starts_when_the_clocks_jump(self):
        person = Participant(TORONTO, {"sun": [["02:30", "05:00"]]})
        assert starts(common_slots([person], self.day)) == [
            "Sun 03:00 EDT",
            "Sun 03:30 EDT",
            "Sun 04:00 EDT",
        ]

    def test_a_range_wholly_inside_the_gap_gives_no_time(self):
        person = Participant(TORONTO, {"sun": [["02:10", "02:50"]]})
        assert common_slots([person], query(self.day.start, self.day.end, duration=5)) == []


class TestFallBack:
    """Paris, Sunday 25 October 2026: at 03:00 CEST the clocks go back to 02:00 CET."""

    day = query(local(PARIS, 2026, 10, 25), local(PARIS, 2026, 10, 26), duration=30, zone=PARIS)

    def test_both_passes_of_a_repeated_hour_count(self):
        person = Participant(PARIS, {"sun": [["01:30", "02:30"]]})
        slots = common_slots(
            [person], query(self.day.start, self.day.end, duration=30, interval=30, zone=PARIS)
        )
        assert starts(slots, PARIS) == ["Sun 01:30 CEST", "Sun 02:00 CEST", "Sun 02:00 CET"]
        assert utc_starts(slots) == [
            utc(2026, 10, 24, 23, 30),
            utc(2026, 10, 25, 0),
            utc(2026, 10, 25, 1),
        ]

    def test_a_nine_to_five_day_is_still_eight_hours(self):
        person = Participant(PARIS, {"sun": [["09:00", "17:00"]]})
        assert len(common_slots([person], self.day)) == 8


def test_paris_and_toronto_share_the_morning_of_toronto():
    # Both 09:00-17:00 in June: Paris's 15:00-17:00 is Toronto's 09:00-11:00.
    paris = Participant(PARIS, WEEKDAYS_9_TO_5)
    toronto = Participant(TORONTO, WEEKDAYS_9_TO_5)
    day = query(local(TORONTO, 2026, 6, 17), local(TORONTO, 2026, 6, 18), duration=30, interval=30)
    assert starts(common_slots([paris, toronto], day)) == [
        "Wed 09:00 EDT",
        "Wed 09:30 EDT",
        "Wed 10:00 EDT",
        "Wed 10:30 EDT",
    ]


def test_minimum_notice_and_alignment_set_the_first_start():
    person = Participant(TORONTO, WEEKDAYS_9_TO_5)
    now = local(TORONTO, 2026, 6, 15, 9, 7)
    day = query(
        local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 16), interval=15, now=now, notice=60
    )
    assert starts(common_slots([person], day))[0] == "Mon 10:15 EDT"


def test_alignment_follows_the_callers_wall_clock():
    # Kathmandu is UTC+5:45: its top of the hour is quarter past in UTC.
    person = Participant("UTC", {"mon": [["00:00", "24:00"]]})
    day = query(utc(2026, 6, 15, 3), utc(2026, 6, 15, 6), zone="Asia/Kathmandu")
    assert utc_starts(common_slots([person], day)) == [
        utc(2026, 6, 15, 3, 15),
        utc(2026, 6, 15, 4, 15),
    ]


def test_the_window_bounds_both_ends_of_a_slot():
    person = Participant(TORONTO, WEEKDAYS_9_TO_5)
    window = query(
        local(TORONTO, 2026, 6, 15, 10, 10), local(TORONTO, 2026, 6, 15, 11, 20), interval=15
    )
    assert starts(common_slots([person], window)) == ["Mon 10:15 EDT"]


def test_unsorted_overlapping_and_empty_busy_blocks_are_read_as_their_union():
    at = lambda hour, minute=0: local(TORONTO, 2026, 6, 15, hour, minute)  # noqa: E731
    messy = [
        span(at(14), at(15)),
        span(at(9), at(10, 30)),
        span(at(10), at(11)),
        span(at(12), at(12)),
    ]
    person = Participant(TORONTO, WEEKDAYS_9_TO_5, messy)
    day = query(at(0), at(23, 59))
    assert starts(common_slots([person], day)) == [
        "Mon 11:00 EDT",
        "Mon 12:00 EDT",
        "Mon 13:00 EDT",
        "Mon 15:00 EDT",
        "Mon 16:00 EDT",
    ]
    assert [
        (int(s.start.timestamp()), int(s.end.timestamp())) for s in common_slots([person], day)
    ] == (reference_slots([person], day))


def test_an_empty_busy_block_splits_nothing():
    at = local(TORONTO, 2026, 6, 15, 9, 30)
    person = Participant(TORONTO, {"mon": [["09:00", "10:00"]]}, [span(at, at)])
    day = query(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 16))
    assert starts(common_slots([person], day)) == ["Mon 09:00 EDT"]


def test_a_meeting_longer_than_any_common_stretch_has_no_slot():
    person = Participant(TORONTO, WEEKDAYS_9_TO_5)
    day = query(local(TORONTO, 2026, 6, 15), local(TORONTO, 2026, 6, 16), duration=9 * 60)
    assert common_slots([person], day) == []


@pytest.mark.parametrize("interval", [0, 7, 45, 90])
def test_intervals_must_divide_the_hour(interval):
    person = Participant(TORONTO, WEEKDAYS_9_TO_5)
    with pytest.raises(ValueError, match="interval"):
        common_slots([person], query(utc(2026, 6, 15), utc(2026, 6, 16), interval=interval))

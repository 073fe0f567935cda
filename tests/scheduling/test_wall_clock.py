"""The fast wall-clock text of many instants is exactly what datetime would write."""

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from meetbridge.scheduling.wall_clock import local_isoformats

ZONES = [
    "UTC",
    "America/Toronto",
    "Europe/Paris",
    "Europe/Dublin",  # its winter time is the "negative" daylight saving of the tz database
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",  # a half-hour change of offset
    "Pacific/Chatham",
    "America/St_Johns",
    "Pacific/Apia",  # skipped a whole day in 2011
    "America/Sao_Paulo",
]
# 1900 (local mean times with odd seconds) to 2100.
INSTANTS = st.integers(min_value=-2_208_988_800, max_value=4_102_444_800)


def by_datetime(instants: list[int], zone: str) -> list[str]:
    return [datetime.fromtimestamp(t, ZoneInfo(zone)).isoformat() for t in instants]


@given(zone=st.sampled_from(ZONES), first=INSTANTS, steps=st.lists(st.integers(0, 86_400 * 40)))
def test_text_matches_datetime_for_instants_near_each_other(zone, first, steps):
    instants = [first + sum(steps[:n]) for n in range(len(steps) + 1)]
    assert local_isoformats(instants, zone) == by_datetime(instants, zone)


@given(zone=st.sampled_from(ZONES), instants=st.lists(INSTANTS, max_size=20))
def test_text_matches_datetime_in_any_order_far_apart(zone, instants):
    assert local_isoformats(instants, zone) == by_datetime(instants, zone)


def test_every_quarter_hour_across_both_changes_of_a_year():
    start = int(datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")).timestamp())
    instants = list(range(start, start + 366 * 86_400, 900))
    for zone in ("Europe/Paris", "America/Toronto", "Australia/Lord_Howe"):
        assert local_isoformats(instants, zone) == by_datetime(instants, zone)


def test_a_repeated_hour_shows_both_offsets():
    # 2026-11-01 01:30 happens twice in Toronto: first at -04:00, then at -05:00.
    first = int(datetime.fromisoformat("2026-11-01T01:30:00-04:00").timestamp())
    assert local_isoformats([first, first + 3600], "America/Toronto") == [
        "2026-11-01T01:30:00-04:00",
        "2026-11-01T01:30:00-05:00",
    ]


def test_nothing_gives_nothing():
    assert local_isoformats([], "Europe/Paris") == []

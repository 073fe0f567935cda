"""The free/busy grid: per day, each person's working hours and busy blocks, and the common
free time, laid on the viewer's clock. Pure: plain data in, plain data out.

Only free/busy goes in (never titles). Minutes are counted from the viewer's local midnight of
the day, so a page can place a block at `start / 1440` of the day's width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from meetbridge.scheduling.slots import Slot, Span, hours_key, merge, working_spans

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class PersonTime:
    """One person's side of the grid."""

    email: str
    name: str
    time_zone: str
    working_hours: Mapping[str, Sequence[Sequence[str]]]
    busy: Sequence[Span]  # UTC epoch seconds, as free/busy gave them
    is_viewer: bool = False


@dataclass(frozen=True)
class Block:
    start: datetime  # aware, in the viewer's zone
    end: datetime
    start_minute: int  # from the viewer's local midnight of the day (may be < 0 or > 1440)
    end_minute: int
    local_start: datetime  # the same instants on the person's own clock
    local_end: datetime

    @property
    def text(self) -> str:
        return clock_range(self.start, self.end)

    @property
    def local_text(self) -> str:
        return clock_range(self.local_start, self.local_end)


@dataclass(frozen=True)
class Lane:
    person: PersonTime
    working: list[Block]
    busy: list[Block]
    offset_minutes: int  # their clock minus the viewer's, at noon of the day

    @property
    def city(self) -> str:
        return city_of(self.person.time_zone)

    @property
    def offset_text(self) -> str:
        """'6 h ahead', '4 h 30 min behind', '' when on the viewer's clock."""
        minutes = abs(self.offset_minutes)
        if not minutes:
            return ""
        amount = f"{minutes // 60} h" + (f" {minutes % 60} min" if minutes % 60 else "")
        return f"{amount} {'ahead' if self.offset_minutes > 0 else 'behind'}"


@dataclass(frozen=True)
class DayView:
    day: date
    lanes: list[Lane]
    free: list[Block]  # common free time (merged slots)
    slots: list[Slot]
    first_minute: int  # the span worth showing: everyone's working time that day
    last_minute: int
    hours: list[int] = field(default_factory=list)  # whole hours on the axis


def clock_range(start: datetime, end: datetime) -> str:
    """'09:00–17:00'; an end at the next midnight reads 24:00."""
    finish = "24:00" if end.time() == time(0) and end.date() > start.date() else f"{end:%H:%M}"
    return f"{start:%H:%M}–{finish}"


def city_of(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def zone_abbreviation(moment: datetime) -> str:
    """'CET', 'EDT'; a zone without letters in the tz database ('+03') reads 'UTC+03'."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name[:1] in ("+", "-") else name


def local_clock(start: datetime, zone: str, end: datetime | None = None) -> str:
    """A moment on someone's own clock, in words: '15:00 Paris (CET)', or with an end
    '15:00–15:30 Paris (CET)'. The abbreviation is the one in force then (CET or CEST)."""
    tz = ZoneInfo(zone)
    local = start.astimezone(tz)
    text = f"{local:%H:%M}" if end is None else clock_range(local, end.astimezone(tz))
    city, abbreviation = city_of(zone), zone_abbreviation(local)
    return f"{text} {city}" + (f" ({abbreviation})" if abbreviation != city else "")


def _blocks(
    spans: Sequence[Span], lo: float, hi: float, viewer: ZoneInfo, own: ZoneInfo, midnight: datetime
) -> list[Block]:
    blocks = []
    for start, end in merge(spans):
        start, end = max(start, lo), min(end, hi)
        if end <= start:
            continue
        begin = datetime.fromtimestamp(start, viewer)
        finish = datetime.fromtimestamp(end, viewer)
        blocks.append(
            Block(
                start=begin,
                end=finish,
                start_minute=round((start - midnight.timestamp()) / 60),
                end_minute=round((end - midnight.timestamp()) / 60),
                local_start=begin.astimezone(own),
                local_end=finish.astimezone(own),
            )
        )
    return blocks


def day_views(
    people: Sequence[PersonTime], slots: Sequence[Slot], days: Sequence[date], viewer_zone: str
) -> list[DayView]:
    """One view per day on which anyone works; days nobody works are left out."""
    viewer = ZoneInfo(viewer_zone)
    views = []
    for day in days:
        midnight = datetime.combine(day, time(0), tzinfo=viewer)
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=viewer)
        lo, hi = midnight.timestamp(), next_midnight.timestamp()
        lanes = []
        for person in people:
            own = ZoneInfo(person.time_zone)
            working = working_spans(
                person.time_zone, hours_key(person.working_hours), int(lo), int(hi)
            )
            noon = datetime.combine(day, time(12), tzinfo=viewer)
            offset = noon.astimezone(own).utcoffset() - noon.utcoffset()
            lanes.append(
                Lane(
                    person=person,
                    working=_blocks(working, lo, hi, viewer, own, midnight),
                    busy=_blocks(person.busy, lo, hi, viewer, own, midnight),
                    offset_minutes=int(offset.total_seconds() // 60),
                )
            )
        if not any(lane.working for lane in lanes):
            continue
        todays = [s for s in slots if lo <= s.start.timestamp() < hi]
        free = _blocks(
            [(s.start.timestamp(), s.end.timestamp()) for s in todays],
            lo,
            hi,
            viewer,
            viewer,
            midnight,
        )
        worked = [b for lane in lanes for b in lane.working]
        first = max(0, min(b.start_minute for b in worked))
        last = min(DAY_MINUTES, max(b.end_minute for b in worked))
        first, last = first - first % 60, last + (-last) % 60
        views.append(
            DayView(
                day=day,
                lanes=lanes,
                free=free,
                slots=todays,
                first_minute=first,
                last_minute=last,
                hours=list(range(first // 60, last // 60)),
            )
        )
    return views

"""The member's forms: calendar access (zone, working week) and finding a time."""

from __future__ import annotations

from datetime import timedelta

from django import forms

from meetbridge.scheduling.rules import (
    DAY_NAMES,
    DAYS,
    EARLIEST_YEAR,
    INTERVALS,
    LATEST_YEAR,
    MAX_HORIZON,
    check_time_zone,
    check_working_hours,
)
from meetbridge.tenants.rules import RuleViolation

DURATIONS = (15, 30, 45, 60, 90, 120)
BUFFERS = (0, 5, 10, 15, 30, 45, 60, 90, 120)
NOTICES = (
    (0, "No minimum"),
    (15, "15 minutes"),
    (30, "30 minutes"),
    (60, "1 hour"),
    (120, "2 hours"),
    (240, "4 hours"),
    (24 * 60, "1 day"),
    (2 * 24 * 60, "2 days"),
    (7 * 24 * 60, "1 week"),
)


def minutes_label(minutes: int) -> str:
    return "None" if not minutes else f"{minutes} minutes"


def input_clock(text: str) -> str:
    """What <input type=time> can show: it has no 24:00, and 00:00 as an end means the same."""
    return "00:00" if text == "24:00" else text


class CalendarAccessForm(forms.Form):
    """Zone, a working week (per day: on or off, and ranges picked with time fields), and
    scheduling rules. Days come as `mon_on`, and repeated `mon_start`/`mon_end` pairs."""

    time_zone = forms.CharField(
        label="Your time zone",
        max_length=64,
        help_text="Type a city, e.g. Paris or Toronto; working hours below are in this zone.",
        widget=forms.TextInput(
            attrs={
                "list": "time-zones",
                "autocomplete": "off",
                "spellcheck": "false",
                "aria-describedby": "tz-help",
            }
        ),
    )
    buffer_before_minutes = forms.TypedChoiceField(
        label="Free time before meetings",
        coerce=int,
        choices=[(m, minutes_label(m)) for m in BUFFERS],
        initial=0,
    )
    buffer_after_minutes = forms.TypedChoiceField(
        label="Free time after meetings",
        coerce=int,
        choices=[(m, minutes_label(m)) for m in BUFFERS],
        initial=0,
    )
    minimum_notice_minutes = forms.TypedChoiceField(
        label="Minimum notice", coerce=int, choices=NOTICES, initial=0
    )
    max_meetings_per_day = forms.IntegerField(
        label="Most meetings a day",
        required=False,
        min_value=1,
        max_value=50,
        help_text="Leave empty for no limit.",
    )

    def __init__(self, *args, hours: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hours = hours or {}
        self.fields["max_meetings_per_day"].widget.attrs["aria-describedby"] = "most-help"

    @classmethod
    def initial_for(cls, state) -> dict:
        return {"time_zone": state.time_zone, **state.rules.as_dict()}

    def day_rows(self) -> list[dict]:
        """Each weekday with its ranges, as typed (bound) or as saved; one empty range more
        on working days, so a second range can be added without the script."""
        rows = []
        for day in DAYS:
            if self.is_bound:
                on = bool(self.data.get(f"{day}_on"))
                ranges = list(
                    zip(
                        self.data.getlist(f"{day}_start"),
                        self.data.getlist(f"{day}_end"),
                        strict=False,
                    )
                )
            else:
                ranges = [tuple(map(input_clock, r)) for r in self.hours.get(day, [])]
                on = bool(ranges)
            ranges = [r for r in ranges if r[0] or r[1]] or [("09:00", "17:00")]
            rows.append({"day": day, "name": DAY_NAMES[day], "on": on, "ranges": ranges})
        return rows

    def clean_time_zone(self):
        try:
            return check_time_zone(self.cleaned_data["time_zone"])
        except RuleViolation:
            raise forms.ValidationError(
                "Pick a time zone from the list, e.g. Europe/Paris or America/Toronto."
            ) from None

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for day in DAYS:
            if not self.data.get(f"{day}_on"):
                continue
            pairs = zip(
                self.data.getlist(f"{day}_start"), self.data.getlist(f"{day}_end"), strict=False
            )
            ranges = []
            for start, end in pairs:
                if not start and not end:
                    continue
                if not start or not end:
                    self.add_error(
                        None, f"{DAY_NAMES[day]}: give both a start and an end for each range."
                    )
                    return cleaned
                ranges.append([start, "24:00" if end == "00:00" else end])
            if not ranges:
                self.add_error(
                    None, f"{DAY_NAMES[day]}: give a working range, or turn the day off."
                )
                return cleaned
            hours[day] = ranges
        try:
            cleaned["working_hours"] = check_working_hours(hours)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.message) from None
        cleaned["rules"] = {
            name: cleaned.get(name)
            for name in (
                "buffer_before_minutes",
                "buffer_after_minutes",
                "minimum_notice_minutes",
            )
        } | {"max_meetings_per_day": cleaned.get("max_meetings_per_day") or 0}
        return cleaned


VIEWS = ((7, "Week"), (1, "Day"))


class AvailabilityForm(forms.Form):
    """What to look at; the people come as `with=` addresses, read by the view."""

    first_day = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.TypedChoiceField(label="Show", coerce=int, choices=VIEWS, initial=7)
    duration = forms.TypedChoiceField(
        label="Length",
        coerce=int,
        choices=[(d, f"{d} minutes" if d < 60 else f"{d // 60}h{d % 60:02d}") for d in DURATIONS],
        initial=30,
    )
    interval = forms.TypedChoiceField(
        label="Start times every",
        coerce=int,
        choices=[(i, f"{i} minutes") for i in INTERVALS if i >= 15],
        initial=15,
    )

    def clean_first_day(self):
        first = self.cleaned_data["first_day"]
        # Checked before any date arithmetic, which overflows near the years 1 and 9999.
        if not EARLIEST_YEAR <= first.year <= LATEST_YEAR:
            raise forms.ValidationError(f"Pick a day between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        today = self.initial.get("today")
        if today and first > today + MAX_HORIZON - timedelta(days=7):
            raise forms.ValidationError(
                f"Look at most {MAX_HORIZON.days - 7} days ahead; pick an earlier day."
            )
        return first

    @staticmethod
    def span_days(first, count: int) -> list:
        return [first + timedelta(days=n) for n in range(count)]

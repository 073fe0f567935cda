"""The member's forms: calendar access (zone, working week) and finding a time."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms

from meetbridge.scheduling.rules import (
    DAY_NAMES,
    DAYS,
    EARLIEST_YEAR,
    INTERVALS,
    LATEST_YEAR,
    MAX_HORIZON,
    check_working_hours,
    time_zone_choices,
)
from meetbridge.tenants.rules import RuleViolation

RANGE = re.compile(r"^(\d{1,2}:\d{2})\s*(?:-|–|—|to)\s*(\d{1,2}:\d{2})$")
DURATIONS = (15, 30, 45, 60, 90, 120)


def format_ranges(ranges: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in ranges)


def parse_ranges(text: str) -> list[list[str]]:
    pairs = []
    for part in re.split(r"[,;]", text):
        part = part.strip()
        if not part:
            continue
        match = RANGE.match(part)
        if match is None:
            raise forms.ValidationError(
                f"“{part}” is not a range; write ranges like 09:00-17:00, separated by commas."
            )
        pairs.append([match.group(1), match.group(2)])
    return pairs


class CalendarAccessForm(forms.Form):
    """Zone and one text field per weekday: '09:00-12:00, 13:00-17:00', empty for a day off."""

    time_zone = forms.ChoiceField(
        label="Your time zone",
        help_text="Working hours below are in this zone.",
        widget=forms.Select(attrs={"aria-describedby": "tz-help"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in time_zone_choices()]
        for day in DAYS:
            self.fields[day] = forms.CharField(
                label=DAY_NAMES[day],
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": "day off", "inputmode": "text"}),
            )

    @classmethod
    def initial_for(cls, time_zone: str, working_hours: dict[str, list[list[str]]]) -> dict:
        return {
            "time_zone": time_zone,
            **{day: format_ranges(working_hours.get(day, [])) for day in DAYS},
        }

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for day in DAYS:
            if day in self.errors:
                return cleaned
            try:
                ranges = parse_ranges(cleaned.get(day, ""))
            except forms.ValidationError as exc:
                self.add_error(day, exc)
                return cleaned
            if ranges:
                hours[day] = ranges
        try:
            cleaned["working_hours"] = check_working_hours(hours)
        except RuleViolation as exc:
            raise forms.ValidationError(exc.message) from None
        return cleaned


class AvailabilityForm(forms.Form):
    with_ = forms.MultipleChoiceField(
        label="Colleagues",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only colleagues who granted calendar access are listed.",
    )
    first_day = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
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

    def __init__(self, *args, colleagues=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["with_"].choices = [
            (p.email, f"{p.name} ({p.email})" if p.name else p.email) for p in colleagues
        ]

    def add_prefix(self, field_name: str) -> str:
        # The query string says `with=`, as the API does.
        return "with" if field_name == "with_" else super().add_prefix(field_name)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        for name in ("first_day", "last_day"):
            day = cleaned.get(name)
            # Checked before any date arithmetic, which overflows near the years 1 and 9999.
            if day and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                self.add_error(name, f"Pick a day between {EARLIEST_YEAR} and {LATEST_YEAR}.")
                cleaned.pop(name, None)
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", "The last day must not come before the first.")
            elif last - first >= MAX_HORIZON:
                self.add_error("last_day", f"Look at most {MAX_HORIZON.days} days at a time.")
        return cleaned

    @staticmethod
    def span_days(first, last) -> list:
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

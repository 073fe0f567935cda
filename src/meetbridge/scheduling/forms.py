"""The member's forms: calendar access (zone, working week) and finding a time."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms

from meetbridge.scheduling.rules import (
    DAY_NAMES,
    DAYS,
    INTERVALS,
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
        today = self.initial.get("today")
        if today and first > today + MAX_HORIZON - timedelta(days=7):
            raise forms.ValidationError(
                f"Look at most {MAX_HORIZON.days - 7} days ahead; pick an earlier day."
            )
        return first

    @staticmethod
    def span_days(first, count: int) -> list:
        return [first + timedelta(days=n) for n in range(count)]

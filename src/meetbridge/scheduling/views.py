"""The member's pages: Calendar access, and Find a time (common free slots)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from functools import wraps
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from meetbridge.integrations.provider import ProviderError
from meetbridge.scheduling import consent
from meetbridge.scheduling.availability import (
    AvailabilityRefused,
    AvailabilityRequest,
    find_availability,
    schedulable_colleagues,
)
from meetbridge.scheduling.forms import AvailabilityForm, CalendarAccessForm
from meetbridge.tenants.rules import RuleViolation

BOOKING_PATH = "/meetings/new"


def member_required(view):
    """Signed in, and a member of a tenant (operators of the installation have no calendar)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if getattr(request.user, "tenant_id", None) is None:
            raise PermissionDenied("Only members of an organisation have a calendar here.")
        return view(request, *args, **kwargs)

    return wrapped


@member_required
def calendar_access(request: HttpRequest) -> HttpResponse:
    person = request.user
    state = consent.consent_of(person)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        if consent.revoke(person):
            messages.success(request, "Calendar access revoked: meetbridge no longer reads it.")
        return redirect("scheduling:calendar-access")
    if request.method == "POST":
        form = CalendarAccessForm(request.POST)
        if form.is_valid():
            consent.grant(
                person,
                time_zone=form.cleaned_data["time_zone"],
                working_hours=form.cleaned_data["working_hours"],
            )
            messages.success(
                request,
                "Your time zone and working hours are saved."
                if state.granted
                else "Calendar access granted. Colleagues can now find times with you.",
            )
            return redirect("scheduling:calendar-access")
    else:
        form = CalendarAccessForm(
            initial=CalendarAccessForm.initial_for(state.time_zone, state.working_hours)
        )
    return render(
        request,
        "scheduling/calendar_access.html",
        {
            "form": form,
            "state": state,
            "weekday_fields": [form[d] for d in form.fields if d != "time_zone"],
        },
    )


def booking_url(start: datetime, emails: list[str], duration: int) -> str:
    try:
        base = reverse("meetings:new")
    except NoReverseMatch:
        base = BOOKING_PATH
    query = [("start", start.isoformat()), *(("with", e) for e in emails), ("duration", duration)]
    return f"{base}?{urlencode(query)}"


def slots_by_day(found, days, emails: list[str], duration: int) -> list[dict]:
    zone = ZoneInfo(found.time_zone)
    grouped = defaultdict(list)
    for slot in found.slots:
        start, end = slot.start.astimezone(zone), slot.end.astimezone(zone)
        grouped[start.date()].append(
            {"start": start, "end": end, "url": booking_url(start, emails, duration)}
        )
    return [{"day": day, "slots": grouped.get(day, [])} for day in days]


@member_required
def availability(request: HttpRequest) -> HttpResponse:
    person = request.user
    state = consent.consent_of(person)
    colleagues = schedulable_colleagues(person) if state.granted else []
    zone = ZoneInfo(state.time_zone)
    today = timezone.now().astimezone(zone).date()
    context = {"state": state, "colleagues": colleagues, "days": None, "unknown": {}}
    if "first_day" in request.GET and state.granted:
        form = AvailabilityForm(request.GET, colleagues=colleagues)
        if form.is_valid():
            context.update(_find(form, person, zone))
    else:
        form = AvailabilityForm(
            colleagues=colleagues,
            initial={"first_day": today, "last_day": today + timedelta(days=6)},
        )
    context["form"] = form
    return render(request, "scheduling/availability.html", context)


def _find(form: AvailabilityForm, person, zone: ZoneInfo) -> dict:
    data = form.cleaned_data
    emails = data["with_"]
    asked = AvailabilityRequest(
        emails=emails,
        start=datetime.combine(data["first_day"], time(0), tzinfo=zone),
        end=datetime.combine(data["last_day"] + timedelta(days=1), time(0), tzinfo=zone),
        duration_minutes=data["duration"],
        interval_minutes=data["interval"],
    )
    try:
        found = find_availability(person, asked)
    except AvailabilityRefused as exc:
        form.add_error(None, exc.message)
        return {}
    except RuleViolation as exc:
        form.add_error(None, exc.message)
        return {}
    except ProviderError as exc:
        form.add_error(None, f"{exc.message} {getattr(exc, 'fix', '')}".strip())
        return {}
    days = AvailabilityForm.span_days(data["first_day"], data["last_day"])
    names = {p.email: p.display_name for p in found.people}
    return {
        "days": slots_by_day(found, days, emails, data["duration"]),
        "slot_count": len(found.slots),
        "unknown": {names.get(e, e): reason for e, reason in found.unknown.items()},
        "with_names": [names[e] for e in emails if e in names],
    }

"""The member's pages: Calendar access, and Find a time (common free slots)."""

from __future__ import annotations

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

from meetbridge.api.errors import ApiError
from meetbridge.integrations.provider import ProviderError
from meetbridge.scheduling import consent, directory
from meetbridge.scheduling.availability import (
    AvailabilityRefused,
    AvailabilityRequest,
    find_availability,
    people_times,
)
from meetbridge.scheduling.forms import AvailabilityForm, CalendarAccessForm
from meetbridge.scheduling.grid import clock_range, day_views, local_clock
from meetbridge.scheduling.rules import canonical_time_zones
from meetbridge.tenants.rules import RuleViolation, normalise_email

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
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "revoke":
        if consent.revoke(person):
            messages.success(request, "Calendar access revoked: meetbridge no longer reads it.")
        return redirect("scheduling:calendar-access")
    if action == "grant-now":
        # The Status card's button: the browser's zone when it is a real one, else unchanged.
        zone = request.POST.get("time_zone", "").strip()
        consent.grant(person, time_zone=zone if zone in canonical_time_zones() else None)
        messages.success(
            request,
            "Calendar access granted. Check your time zone and working hours below; colleagues "
            "can now find times with you.",
        )
        return redirect("scheduling:calendar-access")
    if action == "grant":
        form = CalendarAccessForm(request.POST, hours=state.working_hours)
        if form.is_valid():
            consent.grant(
                person,
                time_zone=form.cleaned_data["time_zone"],
                working_hours=form.cleaned_data["working_hours"],
                rules=form.cleaned_data["rules"],
            )
            messages.success(
                request,
                "Your time zone, working hours and rules are saved."
                if state.granted
                else "Calendar access granted. Colleagues can now find times with you.",
            )
            return redirect("scheduling:calendar-access")
    else:
        form = CalendarAccessForm(
            initial=CalendarAccessForm.initial_for(state), hours=state.working_hours
        )
    zones = canonical_time_zones()
    if state.time_zone not in zones:
        zones = (state.time_zone, *zones)  # a legacy name saved earlier stays pickable
    return render(
        request,
        "scheduling/calendar_access.html",
        {"form": form, "state": state, "day_rows": form.day_rows(), "zones": zones},
    )


def booking_url(start: datetime, emails: list[str], duration: int, move: str = "") -> str:
    query = [("start", start.isoformat()), ("duration", duration)]
    if move:
        return f"{reverse('meetings:reschedule', args=[move])}?{urlencode(query)}"
    try:
        base = reverse("meetings:new")
    except NoReverseMatch:
        base = BOOKING_PATH
    return f"{base}?{urlencode([*query, *(('with', e) for e in emails)])}"


def _chosen_emails(request: HttpRequest, person) -> tuple[list[str], list[str]]:
    """The `with=` addresses, normalised and once each; and what could not be read."""
    emails, bad = [], []
    for raw in request.GET.getlist("with"):
        if not raw.strip():
            continue
        try:
            email = normalise_email(raw)
        except RuleViolation:
            bad.append(raw.strip())
            continue
        if email != person.email and email not in emails:
            emails.append(email)
    return emails, bad


def _moving(request: HttpRequest, person):
    """The meeting being rescheduled by picking (`move=ID`), if the caller organises it."""
    meeting_id = request.GET.get("move", "").strip()
    if not meeting_id:
        return None
    from meetbridge.meetings.changes import organized_booking  # meetings builds on us

    try:
        return organized_booking(person, meeting_id)
    except ApiError:
        return None


@member_required
def availability(request: HttpRequest) -> HttpResponse:
    person = request.user
    state = consent.consent_of(person)
    zone = ZoneInfo(state.time_zone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    booking = _moving(request, person)
    emails, unreadable = _chosen_emails(request, person)
    if booking is not None and not emails:
        emails = [
            e
            for e in booking.participants.order_by("position").values_list("email", flat=True)
            if e != person.email
        ]
    context = {
        "state": state,
        "chosen": directory.chosen(person, emails, now=now),
        "views": None,
        "unknown": {},
        "moving": booking,
        "people_api": reverse("api:people"),
    }
    searched = "first_day" in request.GET or bool(emails) or booking is not None
    data = request.GET.copy()
    if booking is not None and "first_day" not in data:
        data["first_day"] = str(booking.start.astimezone(zone).date())
        data["duration"] = str(int((booking.end - booking.start).total_seconds() // 60))
    defaults = {"first_day": today, "days": 7, "duration": 30, "interval": 15, "today": today}
    for name, value in defaults.items():
        if name != "today" and name not in data:
            data[name] = str(value)
    form = AvailabilityForm(data if searched else None, initial=defaults)
    if searched and state.granted:
        for raw in unreadable:
            form.add_error(
                None, f"“{raw}” is not an e-mail address; pick colleagues from the list."
            )
        if not emails and not unreadable:
            form.add_error(
                None, "Pick at least one colleague: type a name or address under People."
            )
        if form.is_valid():
            context.update(_find(form, person, zone, emails, booking))
    context["form"] = form
    return render(request, "scheduling/availability.html", context)


def _find(form: AvailabilityForm, person, zone: ZoneInfo, emails: list[str], booking) -> dict:
    data = form.cleaned_data
    first, count = data["first_day"], data["days"]
    days = AvailabilityForm.span_days(first, count)
    asked = AvailabilityRequest(
        emails=emails,
        start=datetime.combine(first, time(0), tzinfo=zone),
        end=datetime.combine(first + timedelta(days=count), time(0), tzinfo=zone),
        duration_minutes=data["duration"],
        interval_minutes=data["interval"],
        moving=(booking.start, booking.end) if booking is not None else None,
        moving_booking=booking,
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
    names = {p.email: p.display_name for p in found.people}
    move = booking.event_id if booking is not None else ""
    views = [
        {"view": view, "links": _links(view, zone, emails, data["duration"], move)}
        for view in day_views(people_times(found), found.slots, days, found.time_zone)
    ]
    step = timedelta(days=count)
    return {
        "views": views,
        "slot_count": len(found.slots),
        "unknown": {names.get(e, e): reason for e, reason in found.unknown.items()},
        "with_names": [names[e] for e in emails if e in names],
        "earlier": _page_url(form, first - step, emails, move),
        "later": _page_url(form, first + step, emails, move),
        "last_day": first + step - timedelta(days=1),
    }


def _links(view, zone: ZoneInfo, emails: list[str], duration: int, move: str) -> list[dict]:
    """Each common slot of the day as a link, with each chosen colleague's own clock."""
    return [
        {
            "slot": slot,
            "text": clock_range(slot.start.astimezone(zone), slot.end.astimezone(zone)),
            "minute": int((slot.start - _midnight(view.day, zone)).total_seconds() // 60),
            "url": booking_url(slot.start.astimezone(zone), emails, duration, move),
            "others": [
                f"{lane.person.name} — {local_clock(slot.start, lane.person.time_zone)}"
                for lane in view.lanes
                if not lane.person.is_viewer
            ],
        }
        for slot in view.slots
    ]


def _midnight(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _page_url(form: AvailabilityForm, first, emails: list[str], move: str) -> str:
    data = form.cleaned_data
    query = [
        *(("with", e) for e in emails),
        ("first_day", str(first)),
        ("days", data["days"]),
        ("duration", data["duration"]),
        ("interval", data["interval"]),
    ]
    if move:
        query.append(("move", move))
    return f"?{urlencode(query)}#results"

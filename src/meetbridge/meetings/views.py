"""The member's Meetings page, the booking page the Availability page links to, and .ics files."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from meetbridge.api.errors import ApiError
from meetbridge.meetings.booking import book
from meetbridge.meetings.changes import cancel, organized_booking, reschedule
from meetbridge.meetings.forms import BookingForm, RescheduleForm
from meetbridge.meetings.ics import ics_filename, meeting_ics
from meetbridge.meetings.people import participants
from meetbridge.meetings.presentation import (
    local_input_value,
    meeting_card,
    parse_local_input,
    parse_slot_query,
    person_line,
    split_upcoming,
    suggested_title,
    when_text,
)
from meetbridge.meetings.reading import list_meetings, read_meeting, visible_booking
from meetbridge.scheduling.consent import time_zone_of
from meetbridge.tenants.models import Person
from meetbridge.tenants.rules import RuleViolation, normalise_email


def _member(request: HttpRequest) -> Person:
    person = request.user
    if person.tenant_id is None:
        raise PermissionDenied("Meetings belong to members of an organisation.")
    return person


def _availability_url() -> str | None:
    try:
        return reverse("scheduling:availability")
    except NoReverseMatch:
        return None


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    person = _member(request)
    zone = time_zone_of(person)
    now = timezone.now()
    meetings = list_meetings(person, now=now)
    people = names_and_zones(
        person, {e for m in meetings for e in (m.organizer, *(a.email for a in m.attendees))}
    )
    cards = [
        meeting_card(meeting, viewer_email=person.email, zone=zone, now=now, people=people)
        for meeting in meetings
    ]
    upcoming, past, cancelled = split_upcoming(cards)
    return render(
        request,
        "meetings/list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "cancelled": cancelled,
            "time_zone": zone,
            "availability_url": _availability_url(),
        },
    )


def _slot_from(params) -> tuple:
    start, duration = parse_slot_query(params.get("start", ""), params.get("duration", ""))
    emails = [normalise_email(email) for email in params.getlist("with") if email.strip()]
    return start, duration, emails


@login_required
def new_meeting(request: HttpRequest) -> HttpResponse:
    """Confirm a slot picked on the Availability page: title, description, video; then book."""
    person = _member(request)
    zone = time_zone_of(person)
    params = request.POST if request.method == "POST" else request.GET
    context = {"time_zone": zone, "availability_url": _availability_url(), "problem": None}
    try:
        start, duration, emails = _slot_from(params)
        people = participants(person, emails)
    except RuleViolation as violation:
        context["problem"] = violation.message
        return render(request, "meetings/new.html", context, status=422)

    end = start + timedelta(minutes=duration)
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        initial={"title": suggested_title([p.display_name for p in people])},
    )
    context |= {
        "form": form,
        "start": params.get("start", "").replace(" ", "+"),
        "duration": duration,
        "attendees": [
            person_line(p.email, p.display_name, time_zone_of(p), start, end) for p in people[1:]
        ],
        "when": when_text(start, end, zone),
        "back_url": _back_to_times(start, zone, emails, duration),
    }
    if request.method == "POST" and form.is_valid():
        try:
            meeting = book(
                person,
                attendees=emails,
                start=start,
                duration=duration,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                video=form.cleaned_data["video"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except (ApiError, RuleViolation) as refusal:
            context["problem"] = refusal.message
            context["slot_taken"] = getattr(refusal, "code", "") == "slot_taken"
            return render(request, "meetings/new.html", context, status=_status_of(refusal))
        messages.success(
            request,
            f"Booked “{meeting['title']}”, {context['when']}. "
            "The calendar has sent the invitations.",
        )
        return redirect("meetings:list")
    return render(request, "meetings/new.html", context)


def _back_to_times(start, zone: str, emails: list[str], duration: int) -> str | None:
    base = _availability_url()
    if base is None:
        return None
    day = start.astimezone(ZoneInfo(zone)).date()
    query = [*(("with", e) for e in emails), ("first_day", str(day)), ("duration", duration)]
    return f"{base}?{urlencode(query)}#results"


def names_and_zones(reader: Person, emails: set[str]) -> dict[str, tuple[str, str]]:
    """Name and time zone of each address that is a person of the reader's organisation."""
    return {
        p.email: (p.name, time_zone_of(p))
        for p in Person.objects.filter(tenant_id=reader.tenant_id, email__in=emails).select_related(
            "calendar_access", "tenant"
        )
    }


def _status_of(refusal: Exception) -> int:
    return getattr(refusal, "status", 422)


@login_required
def reschedule_meeting(request: HttpRequest, meeting_id: str) -> HttpResponse:
    """GET: confirm a new time picked on Find a time (or typed); POST: move the meeting.

    A refusal shows this page again with what was typed, never losing it.
    """
    person = _member(request)
    zone = time_zone_of(person)
    try:
        booking = organized_booking(person, meeting_id)
    except ApiError as refusal:
        messages.error(request, f"Not rescheduled: {refusal.message}")
        return redirect("meetings:list")
    current = int((booking.end - booking.start).total_seconds() // 60)
    context = {
        "booking": booking,
        "time_zone": zone,
        "now_when": when_text(booking.start, booking.end, zone),
        "pick_url": f"{reverse('scheduling:availability')}?{urlencode({'move': meeting_id})}",
        "problem": None,
    }
    if request.method == "GET":
        try:
            start, duration = parse_slot_query(
                request.GET.get("start", ""), request.GET.get("duration", str(current))
            )
        except RuleViolation:
            start, duration = booking.start, current
        context |= {"start_input": local_input_value(start, zone), "duration": duration}
        context["new_when"] = when_text(start, start + timedelta(minutes=duration), zone)
        context["people"] = _others_at(booking, start, start + timedelta(minutes=duration))
        return render(request, "meetings/reschedule.html", context)
    form = RescheduleForm(request.POST)
    context |= {
        "start_input": request.POST.get("start", ""),
        "duration": request.POST.get("duration", current),
    }
    if not form.is_valid():
        context["problem"] = "Give the new start as a date and time, and a length in minutes."
        return render(request, "meetings/reschedule.html", context, status=422)
    try:
        start = parse_local_input(form.cleaned_data["start"], zone)
        meeting = reschedule(
            person, meeting_id, start=start, duration=form.cleaned_data["duration"]
        )
    except (ApiError, RuleViolation) as refusal:
        context["problem"] = f"Not rescheduled: {refusal.message}"
        return render(request, "meetings/reschedule.html", context, status=_status_of(refusal))
    messages.success(
        request,
        f"Moved “{meeting.title}” to {when_text(meeting.start, meeting.end, zone)}. "
        "The calendar has told the attendees, who are asked to answer again.",
    )
    return redirect("meetings:list")


@login_required
@require_POST
def cancel_meeting(request: HttpRequest, meeting_id: str) -> HttpResponse:
    person = _member(request)
    try:
        title = visible_booking(person, meeting_id).title
        cancel(person, meeting_id)
    except ApiError as refusal:
        messages.error(request, f"Not cancelled: {refusal.message}")
        return redirect("meetings:list")
    messages.success(request, f"Cancelled “{title}”. The calendar has told the attendees.")
    return redirect("meetings:list")


@login_required
def meeting_ics_file(request: HttpRequest, meeting_id: str) -> HttpResponse:
    person = _member(request)
    try:
        meeting = read_meeting(person, meeting_id)
    except ApiError as refusal:
        if refusal.status < 500:
            return HttpResponse(refusal.message, status=refusal.status, content_type="text/plain")
        meeting = visible_booking(person, meeting_id).as_meeting()  # what we last read
    people = names_and_zones(person, {meeting.organizer, *(a.email for a in meeting.attendees)})
    names = {email: name for email, (name, _) in people.items() if name}
    response = HttpResponse(
        meeting_ics(meeting, now=timezone.now(), names=names),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(meeting)}"'
    return response


def _others_at(booking, start, end) -> list:
    """The meeting's other people, with the proposed time on their own clock."""
    seats = (
        booking.participants.filter(is_organizer=False)
        .select_related("person__calendar_access", "person__tenant")
        .order_by("position")
    )
    return [person_line(s.email, s.person.name, time_zone_of(s.person), start, end) for s in seats]

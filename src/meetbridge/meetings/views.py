"""The member's Meetings page, the booking page the Availability page links to, and .ics files."""

from __future__ import annotations

from datetime import timedelta

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
from meetbridge.meetings.changes import cancel, reschedule
from meetbridge.meetings.forms import BookingForm, RescheduleForm
from meetbridge.meetings.ics import ics_filename, meeting_ics
from meetbridge.meetings.people import participants
from meetbridge.meetings.presentation import (
    meeting_card,
    parse_local_input,
    parse_slot_query,
    split_upcoming,
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
    cards = [
        meeting_card(meeting, viewer_email=person.email, zone=zone, now=now)
        for meeting in list_meetings(person, now=now)
    ]
    upcoming, past = split_upcoming(cards)
    return render(
        request,
        "meetings/list.html",
        {
            "upcoming": upcoming,
            "past": past,
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

    form = BookingForm(request.POST if request.method == "POST" else None)
    context |= {
        "form": form,
        "start": params.get("start", "").replace(" ", "+"),
        "duration": duration,
        "attendees": people[1:],
        "when": when_text(start, start + timedelta(minutes=duration), zone),
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


def _status_of(refusal: Exception) -> int:
    return getattr(refusal, "status", 422)


@login_required
@require_POST
def reschedule_meeting(request: HttpRequest, meeting_id: str) -> HttpResponse:
    person = _member(request)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new start as a date and time, and a length in minutes.")
        return redirect("meetings:list")
    zone = time_zone_of(person)
    try:
        start = parse_local_input(form.cleaned_data["start"], zone)
        meeting = reschedule(
            person, meeting_id, start=start, duration=form.cleaned_data["duration"]
        )
    except (ApiError, RuleViolation) as refusal:
        messages.error(request, f"Not rescheduled: {refusal.message}")
        return redirect("meetings:list")
    messages.success(
        request,
        f"Moved “{meeting.title}” to {when_text(meeting.start, meeting.end, zone)}. "
        "The calendar has told the attendees.",
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
    response = HttpResponse(
        meeting_ics(meeting, now=timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(meeting)}"'
    return response

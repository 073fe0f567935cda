from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from meetbridge.integrations.provider import Attendee, Interval
from meetbridge.meetings import states
from meetbridge.meetings.event_ids import event_id_for
from meetbridge.meetings.meeting import Meeting, video_note


class Booking(models.Model):
    """One meeting booked through meetbridge, and how far it got (see `meetings.states`).

    The row is written before the calendar is touched and moved to each next state before the
    call that makes it true, so the row always tells what may exist on the calendar.
    """

    STATE_CHOICES = [(state, state) for state in states.ALL]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="bookings")
    organizer = models.ForeignKey(
        "tenants.Person", on_delete=models.CASCADE, related_name="organized_bookings"
    )
    event_id = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=16, choices=STATE_CHOICES, default=states.INSERTING)
    title = models.CharField(max_length=200)
    # Kept only until the event is on the calendar (a retried insert needs it), then erased.
    description = models.TextField(blank=True)
    video = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=64, default="UTC")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # A move in flight: the new time holds as well as the old one until the calendar answers.
    pending_start = models.DateTimeField(null=True, blank=True)
    pending_end = models.DateTimeField(null=True, blank=True)
    # What the calendar last said about the event.
    status = models.CharField(max_length=16, default="confirmed")
    html_link = models.URLField(max_length=2048, blank=True)
    video_link = models.URLField(max_length=2048, blank=True)
    problem_code = models.CharField(max_length=64, blank=True)
    problem_message = models.CharField(max_length=500, blank=True)
    # Whoever works on the row (a request, the sweep) holds it until then.
    lease_until = models.DateTimeField(null=True, blank=True)
    # The sweep's failed tries at settling the row (or withdrawing its event), and its next.
    tries = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    # The sweep stopped trying to settle the row: the organizer and the admins are shown it.
    gave_up_at = models.DateTimeField(null=True, blank=True)
    # A failed booking whose event the calendar still has: the sweep withdraws it.
    withdrawal_pending = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["state", "changed_at"]),
            models.Index(fields=["tenant", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.start:%Y-%m-%d %H:%M} ({self.state})"

    def save(self, *args, **kwargs) -> None:
        if not self.event_id:
            self.event_id = event_id_for(self.id)
        super().save(*args, **kwargs)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def unfinished(self) -> bool:
        """Something meetbridge could not finish on the calendar, and people must be told."""
        return self.withdrawal_pending or (
            self.state in states.UNSETTLED and self.gave_up_at is not None
        )

    def as_meeting(self) -> Meeting:
        """The meeting as last read from the calendar (the participants' rows hold responses),
        and what is under way: a cancel or a move not yet settled shows as such."""
        seats = sorted(self.participants.all(), key=lambda seat: seat.position)
        moving_to = None
        if self.state == states.RESCHEDULING and self.pending_start and self.pending_end:
            moving_to = Interval(self.pending_start, self.pending_end)
        status = states.shown_status(self.state, self.status)
        return Meeting(
            id=self.event_id,
            status=status,
            moving_to=moving_to,
            problem=states.unfinished_problem(self.state, self.withdrawal_pending)
            if self.unfinished
            else None,
            title=self.title,
            start=self.start,
            end=self.end,
            organizer=self.organizer.email,
            attendees=tuple(
                Attendee(seat.email, seat.response) for seat in seats if not seat.is_organizer
            ),
            html_link=self.html_link or None,
            video_link=self.video_link or None,
            video_note=video_note(self.video, self.video_link, status),
        )


class Participant(models.Model):
    """A person whose time a booking takes: the organizer and each attendee."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("tenants.Person", on_delete=models.CASCADE, related_name="seats")
    email = models.CharField(max_length=254)
    is_organizer = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    response = models.CharField(max_length=16, default="needsAction")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "person"], name="one_seat_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.email} in {self.booking_id}"


class ScheduleLock(models.Model):
    """One row per person, locked while a booking that takes their time is reserved.

    On PostgreSQL the row lock serialises overlapping reservations per person; SQLite
    serialises every write transaction already (IMMEDIATE mode).
    """

    person = models.OneToOneField(
        "tenants.Person", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    locked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"schedule lock of {self.person_id}"


class IdempotencyRecord(models.Model):
    """The first answer to a request sent with an `Idempotency-Key`, kept for a day."""

    person = models.ForeignKey("tenants.Person", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    booking = models.ForeignKey(Booking, on_delete=models.SET_NULL, null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.key} of {self.person_id}"

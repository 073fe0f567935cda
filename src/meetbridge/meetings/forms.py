from __future__ import annotations

import uuid

from django import forms

from meetbridge.meetings.rules import LIMITS


class BookingForm(forms.Form):
    """What the person booking adds to the slot they picked."""

    title = forms.CharField(
        max_length=LIMITS.max_title,
        label="Title",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    description = forms.CharField(
        required=False,
        max_length=LIMITS.max_description,
        label="Description (optional)",
        help_text="Sent with the invitation. meetbridge does not keep it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    video = forms.BooleanField(required=False, label="Add a video meeting link")
    # A retried or double-clicked submission carries the same key, so it books once.
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput, initial=lambda: str(uuid.uuid4()), max_length=255
    )


class RescheduleForm(forms.Form):
    start = forms.CharField(
        label="New start",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    duration = forms.IntegerField(
        label="Length (minutes)",
        min_value=LIMITS.min_minutes,
        max_value=LIMITS.max_minutes,
        widget=forms.NumberInput(attrs={"step": 5}),
    )

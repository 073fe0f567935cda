from __future__ import annotations

from django.db import models
from django.utils import timezone


class FailedSignIn(models.Model):
    """One failed password sign-in, kept for the throttle's window (see throttle.py)."""

    email = models.CharField(max_length=254, db_index=True, help_text="as typed, lower-cased")
    address = models.GenericIPAddressField(db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} from {self.address} at {self.at:%Y-%m-%d %H:%M}"

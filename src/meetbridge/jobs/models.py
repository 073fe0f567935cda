from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """Written by a periodic job, so /healthz can tell whether any worker is running."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at}"

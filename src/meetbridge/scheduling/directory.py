"""Finding colleagues to meet by name or address, among those who granted calendar access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from meetbridge.scheduling.consent import time_zone_of
from meetbridge.scheduling.grid import city_of
from meetbridge.tenants.models import Person

MAX_RESULTS = 20
MAX_QUERY = 100


@dataclass(frozen=True)
class Colleague:
    email: str
    name: str
    time_zone: str
    local_time: str  # HH:MM on their clock now

    @property
    def city(self) -> str:
        return city_of(self.time_zone)

    def as_dict(self) -> dict:
        return {
            "email": self.email,
            "name": self.name,
            "time_zone": self.time_zone,
            "local_time": self.local_time,
        }


def colleague_of(person: Person, now: datetime) -> Colleague:
    zone = time_zone_of(person)
    return Colleague(
        person.email, person.name, zone, now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    )


def search(caller: Person, text: str, *, now: datetime, limit: int = 10) -> list[Colleague]:
    """Colleagues (not the caller) who granted access whose name or address contains every
    word typed; at most `limit`, by name."""
    words = text.strip().lower().split()[:5]
    found = Person.objects.filter(
        tenant_id=caller.tenant_id, is_active=True, calendar_access__granted=True
    ).exclude(pk=caller.pk)
    for word in words:
        found = found.filter(Q(name__icontains=word) | Q(email__icontains=word))
    found = found.select_related("calendar_access", "tenant").order_by("name", "email")
    return [colleague_of(p, now) for p in found[: max(1, min(limit, MAX_RESULTS))]]


def chosen(caller: Person, emails: list[str], *, now: datetime) -> list[Colleague]:
    """The colleagues named, in the order given, as far as they may be asked for."""
    found = {
        p.email: p
        for p in Person.objects.filter(
            tenant_id=caller.tenant_id,
            is_active=True,
            calendar_access__granted=True,
            email__in=emails,
        )
        .exclude(pk=caller.pk)
        .select_related("calendar_access", "tenant")
    }
    return [colleague_of(found[e], now) for e in emails if e in found]

"""Graph's `dateTimeTimeZone`: a local time and a zone, the zone a Windows name or IANA."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The Windows names Exchange uses most, with the IANA zone CLDR maps each to.
WINDOWS_ZONES = {
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles",
    "Atlantic Standard Time": "America/Halifax",
    "E. South America Standard Time": "America/Sao_Paulo",
    "India Standard Time": "Asia/Calcutta",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Singapore Standard Time": "Asia/Singapore",
    "South Africa Standard Time": "Africa/Johannesburg",
}


def zone(name: str | None) -> ZoneInfo:
    """A Windows or IANA zone name; ValueError for anything else."""
    if not name:
        return ZoneInfo("UTC")
    name = name.strip().strip('"')
    try:
        return ZoneInfo(WINDOWS_ZONES.get(name, name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def read(value: object) -> tuple[datetime, str]:
    """`{"dateTime", "timeZone"}` -> (aware UTC moment, the zone name as sent)."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise ValueError("expected an object with dateTime and timeZone")
    name = value.get("timeZone") or "UTC"
    if not isinstance(name, str):
        raise ValueError("timeZone must be a string")
    local = datetime.fromisoformat(value["dateTime"].strip()[:26].rstrip("Z"))
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone(name))
    return local.astimezone(UTC), name


def write(moment: datetime, zone_name: str = "UTC") -> dict:
    """A moment as Graph answers it: seven fractional digits, no offset, the zone named."""
    local = moment.astimezone(zone(zone_name)).replace(tzinfo=None)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S.") + "0000000", "timeZone": zone_name}


def preferred_zone(prefer_header: str | None) -> str:
    """The zone of `Prefer: outlook.timezone="..."`, or UTC; unknown names fall back to UTC."""
    for part in (prefer_header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "outlook.timezone":
            name = value.strip().strip('"')
            try:
                zone(name)
            except ValueError:
                return "UTC"
            return name
    return "UTC"


def stamp(moment: datetime) -> str:
    """`createdDateTime` and friends: UTC with seven fractional digits and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"

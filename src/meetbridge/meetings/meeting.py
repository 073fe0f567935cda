"""A meeting as people and clients see it: the contract's fields and nothing more. Pure.

`GET /api/v1/meetings/{id}` answers `{"id", "status", "title", "start", "end", "organizer",
"attendees": [{"email", "response"}], "html_link", "video_link"}`. Whatever else the calendar
holds about the event (description, location, attendees' names and comments...) is never
copied here, so it cannot leak into an answer, a page or an .ics file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from meetbridge.integrations.provider import Attendee, EventView, Interval

RESPONSES = ("needsAction", "accepted", "declined", "tentative")
RESPONSE_LABELS = {
    "needsAction": "not answered yet",
    "accepted": "accepted",
    "declined": "declined",
    "tentative": "maybe",
}


@dataclass(frozen=True)
class Meeting:
    id: str
    # confirmed | tentative | cancelled, or a change under way: cancelling | rescheduling
    # (see `moving_to`) | inserting | failed (see `problem`)
    status: str
    title: str
    start: datetime
    end: datetime
    organizer: str
    attendees: tuple[Attendee, ...]
    html_link: str | None
    video_link: str | None
    moving_to: Interval | None = None  # while rescheduling: the time it is moving to
    problem: dict[str, str] | None = None  # what meetbridge could not finish on the calendar

    @classmethod
    def from_event(cls, view: EventView) -> Meeting:
        """The organizer has a field of their own, so they are not repeated among attendees."""
        organizer = view.organizer_email.lower()
        return cls(
            id=view.event_id,
            status=view.status,
            title=view.title,
            start=view.start,
            end=view.end,
            organizer=organizer,
            attendees=tuple(
                Attendee(a.email.lower(), a.response if a.response in RESPONSES else "needsAction")
                for a in view.attendees
                if a.email.lower() != organizer
            ),
            html_link=view.html_link,
            video_link=view.video_link,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "organizer": self.organizer,
            "attendees": [{"email": a.email, "response": a.response} for a in self.attendees],
            "html_link": self.html_link,
            "video_link": self.video_link,
            "moving_to": {
                "start": self.moving_to.start.isoformat(),
                "end": self.moving_to.end.isoformat(),
            }
            if self.moving_to
            else None,
            "problem": self.problem,
        }

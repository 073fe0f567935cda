"""A meeting as people and clients see it: the contract's fields and nothing more. Pure.

`GET /api/v1/meetings/{id}` answers `{"id", "status", "title", "start", "end", "organizer",
"attendees": [{"email", "response"}], "html_link", "video_link"}`, plus meetbridge's own
`moving_to`, `problem` and `video_note` (see docs/decisions.md). Whatever else the calendar
holds about the event (description, location, attendees' names and comments...) is never
copied here, so it cannot leak into an answer, a page or an .ics file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from meetbridge.integrations.provider import Attendee, EventView, Interval

# A video link was asked for, and the calendar made the meeting without one (its video service
# is not available to the organizer): said in the calendar's neutral words, whichever it is.
NO_VIDEO_NOTE = (
    "The calendar created this meeting without a video link, although one was asked for "
    "(video meetings may not be available to the organizer). Add a link in the calendar if "
    "you need one."
)


# Statuses of a meeting whose event is on the calendar and staying there.
ON_THE_CALENDAR = frozenset({"confirmed", "tentative", "rescheduling"})


def video_note(video_asked: bool, video_link: str | None, status: str) -> str | None:
    """The note for a meeting whose video link was asked for and is missing; None otherwise
    (also while the event is not, or no longer, on the calendar)."""
    if video_asked and not video_link and status in ON_THE_CALENDAR:
        return NO_VIDEO_NOTE
    return None


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
    video_note: str | None = None  # a video link was asked for and the calendar made none

    @classmethod
    def from_event(cls, view: EventView, *, video_asked: bool = False) -> Meeting:
        """The organizer has a field of their own, so they are not repeated among attendees.

        `video_asked`: the booking asked for a video link (then its absence is noted)."""
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
            video_note=video_note(video_asked, view.video_link, view.status),
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
            "video_note": self.video_note,
        }

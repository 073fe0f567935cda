"""The Google Workspace sandbox as the provider contract suite's world (tests/integrations/contract).

A world gives the suite what only the provider's own stand-in can do: set up a directory whose
people are the tenant's, hand over the credential as an admin would paste it, break and repair
the setup, inject faults into event creation, seed an event meetbridge did not make, and let an
attendee answer. Everything else the suite does through the registry and `CalendarProvider`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from meetbridge.integrations.provider import CallRecord
from tests.integrations.contract.world import ProviderWorld

# The neutral answers of the contract, as each stand-in spells them.
GOOGLE_ANSWERS = {"accepted": "accepted", "declined": "declined", "tentative": "tentative"}


class GoogleWorld(ProviderWorld):
    """The Google Workspace sandbox: a domain, a service account, delegation granted."""

    name = "google"
    # Event creation, as fault injection names it.
    create_faults = {"paths": ["/calendar/v3/calendars/*/events"], "methods": ["POST"]}

    def __init__(self, sandbox, domain: str, people: list[str]) -> None:
        self.sandbox = sandbox
        self.setup = sandbox.quick_setup(domain, people)
        self.records: list[CallRecord] = []

    @property
    def raw_credential(self) -> Any:
        """What the admin pastes on the Integrations page or sends to the API."""
        return self.setup.key

    @property
    def api_body(self) -> dict[str, Any]:
        return {"provider": "google", "service_account_key": self.setup.key}

    @property
    def private_key_pem(self) -> str:
        return self.setup.key["private_key"]

    def break_access(self) -> None:
        """The admin withdraws what meetbridge needs (delegation)."""
        self.sandbox.revoke_delegation(self.setup.domain, self.setup.client_id)

    def repair_access(self) -> None:
        self.sandbox.grant_delegation(
            self.setup.domain, self.setup.client_id, ["https://www.googleapis.com/auth/calendar"]
        )

    def fail_creates(self, **faults) -> None:
        self.sandbox.set_faults(**self.create_faults, **faults)

    def fail_everything(self, **faults) -> None:
        self.sandbox.set_faults(**faults)

    def clear_faults(self) -> None:
        self.sandbox.clear_faults()

    def events_on(self, email: str) -> list[dict]:
        return [e for e in self.sandbox.events_of(email) if e.get("status") != "cancelled"]

    def seed_foreign_event(self, email: str, start: datetime, end: datetime) -> str:
        """An event someone made without meetbridge; answers its id as the provider reads it."""
        event_id = "foreign" + uuid.uuid4().hex[:20].replace("w", "v")
        self.sandbox.seed_event(
            email,
            {
                "id": event_id,
                "summary": "Someone else's meeting",
                "description": "private notes",
                "start": {"dateTime": start.isoformat()},
                "end": {"dateTime": end.isoformat()},
            },
        )
        return event_id

    def answer(self, email: str, event_id: str, response: str) -> None:
        self.sandbox.respond(email, event_id, GOOGLE_ANSWERS[response])

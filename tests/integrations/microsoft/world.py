"""The Microsoft 365 stand-in as the provider contract suite's world (tests/integrations/contract).

Same methods as the suite's `GoogleWorld`: a directory whose people are the tenant's, an app with
a certificate (the recommended credential) and admin consent, breaking and repairing access
(consent), faults on event creation, an event meetbridge did not make, attendee answers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from meetbridge.integrations.provider import CallRecord
from tests.integrations.contract.world import ProviderWorld

# The contract's neutral answers, as Graph spells them.
MICROSOFT_ANSWERS = {"accepted": "accepted", "declined": "declined", "tentative": "tentativelyAccepted"}  # fmt: skip


class MicrosoftWorld(ProviderWorld):
    name = "microsoft"
    create_faults = {"paths": ["/microsoft/graph/v1.0/users/*/events"], "methods": ["POST"]}
    # Graph's Retry-After made 0: the suite's retry policy waits at most 50 ms, and a longer
    # pause than that is answered (429 with Retry-After) rather than waited out.
    quick = {"retry_after_seconds": 0}

    def __init__(self, sandbox, microsoft, domain: str, people: list[str]) -> None:
        self.sandbox, self.microsoft = sandbox, microsoft
        self.setup = microsoft.quick_setup(domain, people, credential="certificate")
        self.records: list[CallRecord] = []

    @property
    def raw_credential(self) -> Any:
        return {
            "tenant_id": self.setup.tenant_id,
            "client_id": self.setup.client_id,
            "certificate": self.setup.certificate,
            "private_key": self.setup.private_key,
        }

    @property
    def api_body(self) -> dict[str, Any]:
        return {"provider": "microsoft", **self.raw_credential}

    @property
    def private_key_pem(self) -> str:
        return self.setup.private_key

    def break_access(self) -> None:
        """The admin revokes admin consent: tokens come without roles, Graph refuses."""
        self.microsoft.revoke_consent(self.setup.tenant_id, self.setup.client_id)

    def repair_access(self) -> None:
        self.microsoft.grant_consent(self.setup.tenant_id, self.setup.client_id)

    def fail_creates(self, **faults) -> None:
        self.sandbox.set_faults(**self.create_faults, **self.quick, **faults)

    def fail_everything(self, **faults) -> None:
        self.sandbox.set_faults(paths=["/microsoft/*"], **self.quick, **faults)

    def clear_faults(self) -> None:
        self.sandbox.clear_faults()

    def events_on(self, email: str) -> list[dict]:
        """Events organised in that mailbox and not cancelled."""
        return [
            e for e in self.microsoft.events_of(email) if e["isOrganizer"] and not e["isCancelled"]
        ]

    def seed_foreign_event(self, email: str, start: datetime, end: datetime) -> str:
        made = self.microsoft.seed_event(
            email,
            {
                "subject": "Someone else's meeting",
                "body": {"contentType": "text", "content": "private notes"},
                "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
                "end": {"dateTime": end.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            },
        )
        return made["id"]

    def answer(self, email: str, event_id: str, response: str) -> None:
        """`event_id` is meetbridge's: the organizer's event carries it as `transactionId`."""
        graph_id = next(
            e["id"]
            for organizer in self.setup.users
            for e in self.microsoft.events_of(organizer)
            if e.get("transactionId") == event_id
        )
        self.microsoft.respond(email, graph_id, MICROSOFT_ANSWERS[response])

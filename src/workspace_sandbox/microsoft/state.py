"""Everything the Microsoft stand-in knows, in memory: directories (tenants) with mailboxes, app
registrations with their secrets and certificates, admin consents, application access policies,
issued tokens and events.

Time here runs on the sandbox's clock, which tests move forward (`POST /_sandbox/v1/clock`):
consent and policy propagation, secret and certificate expiry and token lifetimes all read it,
so a test can let an hour pass without waiting an hour. Like the Google side, every change happens on the server's one
event loop without an await in between, so each is atomic for concurrent clients.
"""

from __future__ import annotations

import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

GRAPH_RESOURCE = "https://graph.microsoft.com"
PERSONAL_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"  # every personal Microsoft account
# Who may sign in to an app registration ("Supported account types"), as Entra names them.
MY_ORG = "AzureADMyOrg"
MULTIPLE_ORGS = "AzureADMultipleOrgs"
ORGS_AND_PERSONAL = "AzureADandPersonalMicrosoftAccount"
SIGN_IN_AUDIENCES = (MY_ORG, MULTIPLE_ORGS, ORGS_AND_PERSONAL)
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
KNOWN_ROLES = frozenset(
    {
        "Calendars.Read",
        "Calendars.ReadBasic.All",
        "Calendars.ReadWrite",
        "User.Read.All",
        "MailboxSettings.Read",
    }
)
READ_ROLES = frozenset({"Calendars.Read", "Calendars.ReadWrite"})
WRITE_ROLES = frozenset({"Calendars.ReadWrite"})
TOKEN_LIFETIME = 3599
CONCURRENT_REQUESTS = 4  # per app and mailbox
REQUESTS_PER_WINDOW = 10_000  # per app and mailbox
WINDOW_SECONDS = 600


class Clock:
    """Wall time plus whatever the tests added; the sandbox's `World` hands over its own, so one
    `POST /_sandbox/v1/clock` moves Google's and Microsoft's time together."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Mailbox:
    email: str
    object_id: str
    time_zone: str = "UTC"
    licensed: bool = True  # False: no Exchange Online mailbox (MailboxNotEnabledForRESTAPI)
    teams: bool = True  # False: Graph silently makes a plain meeting instead of a Teams one
    name: str = ""  # the display name; made from the address when not given

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0].replace(".", " ").title()


@dataclass
class Timed:
    """A setting that takes effect at `effective_at` (propagation); `value` None means removed."""

    value: object
    effective_at: float


@dataclass
class Tenant:
    tenant_id: str
    domain: str
    # Every Entra directory also has its initial `<name>.onmicrosoft.com` domain, made with it.
    initial_domain: str = ""
    mailboxes: dict[str, Mailbox] = field(default_factory=dict)
    # client id -> settings in the order made; the newest one in effect wins.
    consents: dict[str, list[Timed]] = field(default_factory=lambda: defaultdict(list))
    policies: dict[str, list[Timed]] = field(default_factory=lambda: defaultdict(list))

    @property
    def domain_names(self) -> tuple[str, ...]:
        return (self.domain, self.initial_domain) if self.initial_domain else (self.domain,)

    def in_effect(self, history: list[Timed], now: float):
        current = None
        for setting in history:
            if setting.effective_at <= now:
                current = setting.value
        return current

    def roles_of(self, client_id: str, now: float) -> frozenset[str]:
        return self.in_effect(self.consents.get(client_id, []), now) or frozenset()

    def allowed_for(self, client_id: str, now: float) -> frozenset[str] | None:
        """The mailboxes an access policy restricts the app to; None when unrestricted."""
        return self.in_effect(self.policies.get(client_id, []), now)


@dataclass
class Secret:
    id: str
    value: str
    hint: str
    expires_at: float


@dataclass
class Certificate:
    id: str
    sha1: str  # hex thumbprints of the DER encoding
    sha256: str
    public_key_pem: bytes
    not_before: datetime
    not_after: datetime


@dataclass
class App:
    client_id: str
    name: str
    tenant_id: str
    object_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    disabled: bool = False
    secrets: dict[str, Secret] = field(default_factory=dict)
    certificates: dict[str, Certificate] = field(default_factory=dict)
    # Sign-in ("Authentication" in the portal): where codes may go back to, and who may sign in.
    redirect_uris: tuple[str, ...] = ()
    sign_in_audience: str = MY_ORG


@dataclass
class SignInCode:
    """What an authorization code stands for until the app redeems it at the token endpoint."""

    client_id: str
    redirect_uri: str
    tenant_id: str  # the signed-in account's home directory (PERSONAL_TENANT_ID for personal)
    object_id: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    expires_at: float


@dataclass
class GraphToken:
    client_id: str
    tenant_id: str
    roles: frozenset[str]
    expires_at: float


@dataclass
class Event:
    """One meeting: the organizer's item; attendees see it through `attendees`."""

    id: str
    organizer: str
    body: dict  # Graph's event resource as stored, times as UTC `dateTimeTimeZone`
    transaction_id: str | None = None

    @property
    def cancelled(self) -> bool:
        return bool(self.body.get("isCancelled"))


@dataclass
class Directory:
    """The Microsoft side of the sandbox."""

    clock: Clock = field(default_factory=Clock)
    tenants: dict[str, Tenant] = field(default_factory=dict)  # by tenant id
    apps: dict[str, App] = field(default_factory=dict)  # by client id
    tokens: dict[str, GraphToken] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)  # by event id
    transactions: dict[tuple[str, str], str] = field(default_factory=dict)  # (owner, txn) -> id
    concurrent_requests: int = CONCURRENT_REQUESTS
    requests_per_window: int = REQUESTS_PER_WINDOW
    in_flight: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    recent: dict[tuple[str, str], deque] = field(default_factory=lambda: defaultdict(deque))
    hold: object | None = None  # an asyncio.Event Graph requests wait on, when set
    # Sign in with Microsoft (OpenID Connect): see sign_in.py.
    personal_accounts: dict[str, Mailbox] = field(default_factory=dict)  # by address
    sign_in_codes: dict[str, SignInCode] = field(default_factory=dict)
    redeemed_codes: set[str] = field(default_factory=set)
    signing_key: object | None = None  # a SigningKey, made on first use (slow to generate)
    id_token_fault: str = ""

    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now(), UTC)

    def tenant(self, name: str) -> Tenant | None:
        """A tenant by id (GUID) or by one of its domains (verified, or the initial one)."""
        lowered = name.strip().lower()
        if lowered in self.tenants:
            return self.tenants[lowered]
        return next((t for t in self.tenants.values() if lowered in t.domain_names), None)

    def mailbox(self, tenant: Tenant, key: str) -> Mailbox | None:
        """A mailbox of `tenant` by address or object id."""
        lowered = key.strip().lower()
        found = tenant.mailboxes.get(lowered)
        if found is not None:
            return found
        return next((m for m in tenant.mailboxes.values() if m.object_id == lowered), None)

    def mailbox_anywhere(self, email: str) -> tuple[Tenant, Mailbox] | None:
        for tenant in self.tenants.values():
            found = tenant.mailboxes.get(email.lower())
            if found is not None:
                return tenant, found
        return None

    def account(self, email: str) -> tuple[str, Mailbox] | None:
        """(home directory id, account) of someone who can sign in: a directory's user or a
        personal Microsoft account."""
        found = self.mailbox_anywhere(email)
        if found is not None:
            return found[0].tenant_id, found[1]
        personal = self.personal_accounts.get(email.strip().lower())
        return (PERSONAL_TENANT_ID, personal) if personal is not None else None

    def account_by_id(self, tenant_id: str, object_id: str) -> Mailbox | None:
        if tenant_id == PERSONAL_TENANT_ID:
            people = self.personal_accounts.values()
        else:
            tenant = self.tenants.get(tenant_id)
            people = tenant.mailboxes.values() if tenant else ()
        return next((m for m in people if m.object_id == object_id), None)

    def events_of(self, email: str) -> list[Event]:
        """Events in the mailbox: organised there, or an invitation to it."""
        email = email.lower()
        return [
            event
            for event in self.events.values()
            if event.organizer == email
            or any(
                a.get("emailAddress", {}).get("address", "").lower() == email
                for a in event.body.get("attendees", [])
            )
        ]

    def within_rate(self, key: tuple[str, str]) -> float:
        """Counts one request; 0 when allowed, else seconds until the window has room."""
        now = self.clock.now()
        window = self.recent[key]
        while window and window[0] <= now - WINDOW_SECONDS:
            window.popleft()
        if len(window) >= self.requests_per_window:
            return max(1.0, window[0] + WINDOW_SECONDS - now)
        window.append(now)
        return 0.0

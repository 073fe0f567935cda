"""Everything the sandbox knows, in memory: Workspace domains, Cloud projects, service accounts,
issued access tokens and calendars.

Every request is handled on one asyncio event loop and no handler awaits while it changes this
state, so each change is atomic with respect to other clients.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from .faults import Faults
from .microsoft.state import Directory

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
USER_REQUESTS_PER_MINUTE = 600
PROJECT_REQUESTS_PER_MINUTE = 10_000
# Google does not publish the calendar usage limits; this is a stand-in for "too many changes".
USER_CHANGES_PER_DAY = 10_000


def _new_subject() -> str:
    from .ids import new_subject

    return new_subject()


class Clock:
    """The sandbox's "now", in seconds since the epoch: the wall clock plus an offset.

    Tests move it forward (`POST /_sandbox/v1/clock`) to let delegation propagate, access
    tokens expire and quota windows pass, instead of sleeping against real time.
    """

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self.offset = 0.0

    def now(self) -> float:
        return self._source() + self.offset

    def wall(self) -> float:
        """Real time, for what a client stamps with its own clock (a JWT's iat and exp)."""
        return self._source()

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class User:
    email: str
    time_zone: str = "UTC"
    # Google's `sub`: the account's id, never reused; a re-created address gets a new one.
    subject: str = field(default_factory=_new_subject)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass
class Delegation:
    """A domain-wide delegation grant: this client id may act for the domain's users."""

    client_id: str
    scopes: frozenset[str]
    effective_at: float  # on world.clock: grants take a while to propagate at Google


@dataclass
class Workspace:
    domain: str
    users: dict[str, User] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)


@dataclass
class Project:
    project_id: str
    number: str
    calendar_api_enabled: bool = True


@dataclass
class ServiceAccount:
    client_email: str
    client_id: str
    project_id: str
    name: str
    public_keys: dict[str, bytes] = field(default_factory=dict)  # private_key_id -> PEM
    disabled: bool = False
    deleted: bool = False


@dataclass
class AccessToken:
    token: str
    client_email: str
    project_id: str
    principal: str  # the impersonated user's email, or the service account's own
    delegated: bool
    scopes: frozenset[str]
    expires_at: float


@dataclass
class StoredEvent:
    """One event, shared by the organizer's calendar and every attendee's copy."""

    organizer: str
    body: dict  # the resource as the organizer sees it, without per-viewer fields


@dataclass
class OAuthClient:
    """A web application's OAuth client, as registered in Google's Cloud console."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass
class AuthorizationCode:
    """What a one-time code stands for until the client redeems it at /token."""

    client_id: str
    redirect_uri: str
    email: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    expires_at: float


@dataclass
class SigningKey:
    """The RSA key that signs ID tokens; its public half is served at /oauth2/v3/certs."""

    key_id: str
    private_pem: bytes

    @classmethod
    def generate(cls) -> SigningKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        from .ids import new_private_key_id

        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return cls(key_id=new_private_key_id(), private_pem=pem)


@dataclass
class World:
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    calendars: dict[str, dict[str, StoredEvent]] = field(default_factory=lambda: defaultdict(dict))
    faults: Faults = field(default_factory=Faults)
    user_requests_per_minute: int = USER_REQUESTS_PER_MINUTE
    project_requests_per_minute: int = PROJECT_REQUESTS_PER_MINUTE
    user_changes_per_day: int = USER_CHANGES_PER_DAY
    recent_requests: dict[tuple, deque] = field(default_factory=lambda: defaultdict(deque))
    # Sign in with Google (OpenID Connect): see oidc.py.
    oauth_clients: dict[str, OAuthClient] = field(default_factory=dict)
    consumer_accounts: dict[str, User] = field(default_factory=dict)
    authorization_codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    userinfo_tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    signing_key: SigningKey | None = None  # made on first use: key generation is slow
    id_token_fault: str = ""
    clock: Clock = field(default_factory=Clock)
    # Google-compatible requests answered, per operation (e.g. `calendar.freebusy.query`), so
    # tests can count what a client really asked upstream.
    calls: Counter = field(default_factory=Counter)
    microsoft: Directory = field(default_factory=Directory)  # the Microsoft 365 stand-in

    def __post_init__(self) -> None:
        self.microsoft.clock = self.clock  # one time for the whole sandbox

    def reset(self) -> None:
        if self.microsoft.hold is not None:
            self.microsoft.hold.set()  # nothing stays waiting on a gate nobody can open
        self.__init__()

    def user(self, email: str | None) -> User | None:
        if not email or "@" not in email:
            return None
        workspace = self.workspaces.get(email.rsplit("@", 1)[1].lower())
        return workspace.users.get(email.lower()) if workspace else None

    def id_token_key(self) -> SigningKey:
        if self.signing_key is None:
            self.signing_key = SigningKey.generate()
        return self.signing_key

    def account(self, email: str | None) -> User | None:
        """A Google account that can sign in: a Workspace user or a consumer (gmail-like) one."""
        return self.user(email) or self.consumer_accounts.get((email or "").lower())

    def workspace_of(self, email: str) -> Workspace | None:
        return self.workspaces.get(email.rsplit("@", 1)[-1].lower())

    def service_account_by_id(self, client_id: str) -> ServiceAccount | None:
        return next(
            (sa for sa in self.service_accounts.values() if sa.client_id == client_id), None
        )

    def calendar_zone(self, email: str) -> ZoneInfo:
        user = self.user(email)
        return user.zone if user else ZoneInfo("UTC")

    def within_rate(
        self, key: tuple, limit: int, period: float = 60, now: float | None = None
    ) -> bool:
        """Counts one request under `key`; False when `limit` already came in the last `period`
        seconds (a refused request is not counted)."""
        now = self.clock.now() if now is None else now
        window = self.recent_requests[key]
        while window and window[0] <= now - period:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(now)
        return True

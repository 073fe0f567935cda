"""Injected faults on the Google-compatible and Microsoft routes: latency, errors, and lost responses.

A lost response is the case that makes retries dangerous: the change (an inserted event, an
issued token) is made, then the caller gets a 503 `backendError` instead of the answer — what a
client sees when a gateway times out. Google's clients treat that as retryable.

`error_statuses` mixes several injected statuses (one picked at random each time, e.g. 503 and
429); `retry_after_seconds` is the `Retry-After` the Microsoft routes send with an injected 429
or 503 (Graph's own default is a few seconds; a test makes it 0 so nobody sleeps); `seed`
makes the dice repeat from one run to the next.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase

from .google_errors import ApiError, backend_error, user_rate_limited


@dataclass
class Faults:
    latency_ms: int = 0
    answer_latency_ms: int = 0  # the change is made at once, its answer held back this long
    error_rate: float = 0.0
    error_status: int = 503
    lose_response_rate: float = 0.0
    paths: list[str] = field(default_factory=list)  # shell patterns; empty means every route
    methods: list[str] = field(default_factory=list)  # empty means every method
    times: int | None = None  # how many more faulty responses; None means no limit
    error_statuses: list[int] = field(default_factory=list)  # when set, instead of error_status
    retry_after_seconds: int | float = 1  # Retry-After of an injected Microsoft 429 or 503
    seed: int | None = None  # for the same faults in the same order on each run
    _dice: random.Random = field(default_factory=random.Random, repr=False, compare=False)

    @classmethod
    def from_json(cls, body: object) -> Faults:
        """Raises ValueError saying which field is wrong."""
        if not isinstance(body, dict):
            raise ValueError("The body must be a JSON object.")
        unknown = set(body) - {name for name in cls.__dataclass_fields__ if name[0] != "_"}
        if unknown:
            raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}.")
        faults = cls(**body)
        for name in ("latency_ms", "answer_latency_ms"):
            value = getattr(faults, name)
            if not isinstance(value, int) or not 0 <= value <= 60_000:
                raise ValueError(f"{name} must be an integer from 0 to 60000.")
        for name in ("error_rate", "lose_response_rate"):
            rate = getattr(faults, name)
            if not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ValueError(f"{name} must be a number from 0 to 1.")
        if not isinstance(faults.error_status, int) or not 400 <= faults.error_status <= 599:
            raise ValueError("error_status must be an HTTP error status (400-599).")
        for name in ("paths", "methods"):
            values = getattr(faults, name)
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ValueError(f"{name} must be a list of strings.")
        faults.methods = [m.upper() for m in faults.methods]
        if faults.times is not None and (not isinstance(faults.times, int) or faults.times < 0):
            raise ValueError("times must be a non-negative integer or null.")
        statuses = faults.error_statuses
        if not isinstance(statuses, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and 400 <= s <= 599 for s in statuses
        ):
            raise ValueError("error_statuses must be a list of HTTP error statuses (400-599).")
        wait = faults.retry_after_seconds
        if isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 <= wait <= 3600:
            raise ValueError("retry_after_seconds must be a number from 0 to 3600.")
        seed = faults.seed
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError("seed must be an integer or null.")
        faults._dice = random.Random(faults.seed)
        return faults

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name[0] != "_"}

    def roll(self, rate: float) -> bool:
        return bool(rate) and self._dice.random() < rate

    def status(self) -> int:
        if self.error_statuses:
            return self._dice.choice(self.error_statuses)
        return self.error_status

    def applies_to(self, method: str, path: str) -> bool:
        if self.methods and method.upper() not in self.methods:
            return False
        return not self.paths or any(fnmatchcase(path, pattern) for pattern in self.paths)

    def take(self) -> bool:
        """Spends one of the limited faults; False when none are left."""
        if self.times is None:
            return True
        if self.times <= 0:
            return False
        self.times -= 1
        return True


def is_google_route(path: str) -> bool:
    return path == "/token" or path.startswith("/calendar/v3/")


def is_microsoft_route(path: str) -> bool:
    return path.startswith(("/microsoft/login/", "/microsoft/graph/"))


def microsoft_error_for(
    path: str, status: int, retry_after: int | float = 1
) -> tuple[dict, dict[str, str]]:
    """Entra's or Graph's body for an injected failure, and its headers (429 and 503 carry
    Retry-After, as Graph sends them)."""
    seconds = f"{retry_after:g}"
    headers = {"Retry-After": seconds} if status in (429, 503) else {}
    if path.startswith("/microsoft/login/"):
        code = 90033 if status >= 500 else 50196 if status == 429 else 90014
        text = {
            90033: "A transient error has occurred. Please try again.",
            50196: "The server terminated an operation because it encountered a client request loop.",
            90014: "A required field for a protocol message was missing.",
        }[code]
        error = "temporarily_unavailable" if status >= 500 or status == 429 else "invalid_request"
        return {
            "error": error,
            "error_description": f"AADSTS{code}: {text}",
            "error_codes": [code],
        }, headers
    graph_codes = {
        429: ("TooManyRequests", "Too many requests."),
        503: ("ServiceUnavailable", "Service Unavailable"),
        504: ("GatewayTimeout", "Gateway Timeout"),
        500: ("InternalServerError", "Internal Server Error"),
        403: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    }
    code, message = graph_codes.get(
        status, ("BadRequest" if status < 500 else "ServiceUnavailable", "The request failed.")
    )
    return {"error": {"code": code, "message": message, "innerError": {}}}, headers


def error_for(path: str, status: int) -> dict:
    if path == "/token":
        # google-auth retries a token request that fails with `internal_failure`.
        return {"error": "internal_failure", "error_description": "Backend Error"}
    if status == 429:
        return ApiError(429, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits").body()
    if status == 403:
        return user_rate_limited().body()
    if status >= 500:
        return backend_error(status).body()
    return ApiError(status, "badRequest", "Bad Request").body()


class FaultInjection:
    """ASGI middleware applying `world.faults` to the Google-compatible routes."""

    def __init__(self, app, world):
        self.app = app
        self.world = world

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not (is_google_route(path) or is_microsoft_route(path)):
            return await self.app(scope, receive, send)
        faults = self.world.faults
        if not faults.applies_to(scope["method"], path):
            return await self.app(scope, receive, send)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.roll(faults.error_rate) and faults.take():
            return await _respond(send, *_failure(path, faults.status(), faults))
        if faults.roll(faults.lose_response_rate) and faults.take():
            await self.app(scope, receive, _discard)
            return await _respond(send, *_failure(path, 503, faults))
        if faults.answer_latency_ms:
            return await _answer_late(self.app, scope, receive, send, faults.answer_latency_ms)
        return await self.app(scope, receive, send)


async def _answer_late(app, scope, receive, send, delay_ms: int) -> None:
    """Makes the change now and answers it `delay_ms` later: a caller that dies meanwhile
    leaves the change made without ever hearing of it."""
    held: list = []

    async def hold(message) -> None:
        held.append(message)

    await app(scope, receive, hold)
    await asyncio.sleep(delay_ms / 1000)
    for message in held:
        await send(message)


def _failure(path: str, status: int, faults: Faults) -> tuple[int, dict, dict[str, str]]:
    if is_microsoft_route(path):
        return (status, *microsoft_error_for(path, status, faults.retry_after_seconds))
    return status, error_for(path, status), {}


async def _discard(message) -> None:
    return None


async def _respond(send, status: int, body: dict, extra: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json; charset=UTF-8"),
        (b"content-length", str(len(payload)).encode()),
    ] + [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})

"""CPU of the Google sandbox's freeBusy, in-process: the bench's seed, the bench's windows.

    python -m bench.sandbox_freebusy [--calls N]

No server and no HTTP: the freeBusy endpoint is called as an ASGI app on the bench's seed
(bench/stack.py), 14-day windows from tomorrow moving by a minute a call and, for booking,
windows 200 days ahead. The sha256 of all
answers compares two versions' bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

from bench.stack import CALLER, COLLEAGUES, ZONES, _busy_events
from workspace_sandbox import events
from workspace_sandbox.server import create_app
from workspace_sandbox.state import AccessToken, User, Workspace, World

TOKEN = "bench-token"
FIRST_DAY = datetime(2026, 11, 30, tzinfo=UTC)  # fixed, so two runs answer the same bytes


def seeded_world() -> World:
    world = World()
    people = [CALLER, *COLLEAGUES]
    world.workspaces["bench.test"] = Workspace(
        domain="bench.test",
        users={e: User(email=e, time_zone=ZONES[n % len(ZONES)]) for n, e in enumerate(people)},
    )
    for n, email in enumerate(people):
        for body in _busy_events(ZONES[n % len(ZONES)], FIRST_DAY):
            events.insert(world, email, body, conference=False, now=FIRST_DAY)
    world.tokens[TOKEN] = AccessToken(
        token=TOKEN, client_email="sa@bench", project_id="p", principal=CALLER, delegated=True,
        scopes=frozenset({"https://www.googleapis.com/auth/calendar"}), expires_at=float("inf"),
    )  # fmt: skip
    world.user_requests_per_minute = world.project_requests_per_minute = 10**9
    return world


def _authorised_world(world: World) -> None:
    """_authorise needs the token's account and project to exist."""
    from workspace_sandbox.state import Project, ServiceAccount

    world.projects["p"] = Project(project_id="p", number="1")
    world.service_accounts["sa@bench"] = ServiceAccount(
        client_email="sa@bench", client_id="1", project_id="p", name="sa"
    )


async def _post(app, body: bytes) -> bytes:
    scope = {
        "type": "http", "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/calendar/v3/freeBusy", "raw_path": b"/calendar/v3/freeBusy", "query_string": b"",
        "headers": [(b"authorization", b"Bearer " + TOKEN.encode()),
                    (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "root_path": "",
    }  # fmt: skip
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    assert sent[0]["status"] == 200, sent
    return b"".join(m.get("body", b"") for m in sent[1:])


def requests_for(people: int, calls: int, ahead_days: int) -> list[bytes]:
    start = FIRST_DAY + timedelta(days=1 + ahead_days)
    items = [{"id": e} for e in [CALLER, *COLLEAGUES][:people]]
    bodies = []
    for n in range(calls):
        window = start + timedelta(minutes=n)
        body = {
            "timeMin": window.isoformat(),
            "timeMax": (window + timedelta(days=14)).isoformat(),
            "timeZone": "UTC",
            "items": items,
        }
        bodies.append(json.dumps(body).encode())
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    world = seeded_world()
    _authorised_world(world)
    app = create_app(world)
    digest = hashlib.sha256()
    loop = asyncio.new_event_loop()
    for people, ahead in ((10, 0), (50, 0), (10, 200), (50, 200)):
        bodies = requests_for(people, args.calls, ahead)
        loop.run_until_complete(_post(app, bodies[0]))  # warm: first expansions, imports
        started = time.process_time()
        answers = [loop.run_until_complete(_post(app, b)) for b in bodies]
        per_call = (time.process_time() - started) / len(bodies) * 1000
        for answer in answers:
            digest.update(answer)
        busy = sum(len(c["busy"]) for c in json.loads(answers[0])["calendars"].values())
        print(f"{people:3d} calendars, {ahead:3d} days ahead: {per_call:6.3f} ms CPU a call"
              f" ({busy} busy periods in the first answer)")  # fmt: skip
    print("answers sha256", digest.hexdigest())


if __name__ == "__main__":
    main()

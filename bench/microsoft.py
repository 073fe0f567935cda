"""Microsoft 365: availability and booking against one direct Graph call, as for Google.

A second tenant of the bench stack is connected to the sandbox's Microsoft stand-in (over
HTTPS, trusting the sandbox's certificate authority through MICROSOFT_CA_BUNDLE) through the
public API, with a certificate credential. Its ten members have three meetings a weekday for the
coming four weeks (the stand-in has no recurrence, so they are single events).

- availability: GET /api/v1/availability for 2 and 10 people over 14 days, 25 samples each,
  interleaved with direct `getSchedule` calls for the same people (one call: at most 20);
  target p50 and p95 at most 1.15x;
- booking: POST /api/v1/meetings (the caller and one colleague, 30 minutes), 40 samples
  interleaved with direct `POST /users/{caller}/events` of the same meeting; target 2.2x.

`python -m bench --only microsoft` runs it alone; `python -m bench` runs it after Google's parts.
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import msal
import requests

from bench.booking import round_the_clock, slots
from bench.http_bench import percentile, rfc3339
from bench.stack import Stack, window

DOMAIN = "ms.bench.test"
CALLER = f"caller@{DOMAIN}"
COLLEAGUES = [f"colleague{n}@{DOMAIN}" for n in range(1, 10)]
ZONE = "America/Toronto"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
SAMPLES, BOOKING_SAMPLES = 25, 40
TARGETS = {"availability": 1.15, "booking": 2.2}


def _graph_session(ca_path: str) -> requests.Session:
    http = requests.Session()
    http.trust_env = False  # the sandbox's authority, not REQUESTS_CA_BUNDLE
    http.verify = ca_path
    return http


def _busy_days(first: datetime, days: int = 28):
    for n in range(days):
        day = first + timedelta(days=n)
        if day.weekday() < 5:
            for start, end in (("09:30", "10:00"), ("11:00", "12:00"), ("14:00", "14:45")):
                yield day.date().isoformat(), start, end


def prepare(stack: Stack, log) -> dict:
    """The directory, the meetbridge tenant, the connection through the API; until verified."""
    from meetbridge.scheduling import consent
    from meetbridge.tenants.models import ApiToken
    from meetbridge.tenants.service import add_person, create_tenant
    from workspace_sandbox.microsoft.client import MicrosoftSandbox

    microsoft = MicrosoftSandbox(stack.sandbox.url, ca_dir=stack.var_dir)
    setup = microsoft.quick_setup(DOMAIN, [CALLER, *COLLEAGUES], credential="certificate", time_zone=ZONE)  # fmt: skip
    first = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for email in [CALLER, *COLLEAGUES]:
        for day, start, end in _busy_days(first):
            microsoft.seed_event(email, {
                "subject": "Busy",
                "start": {"dateTime": f"{day}T{start}:00", "timeZone": ZONE},
                "end": {"dateTime": f"{day}T{end}:00", "timeZone": ZONE},
            })  # fmt: skip
    tenant = create_tenant(slug="bench-ms", name="Bench (Microsoft)", domain=DOMAIN, time_zone=ZONE)
    tokens = {}
    for email in [CALLER, *COLLEAGUES]:
        person = add_person(tenant=tenant, email=email, admin=(email == CALLER))
        consent.grant(person, time_zone=ZONE)
        tokens[email] = ApiToken.issue(person)[1]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {tokens[CALLER]}"
    body = {
        "provider": "microsoft",
        "tenant_id": setup.tenant_id,
        "client_id": setup.client_id,
        "certificate": setup.certificate,
        "private_key": setup.private_key,
    }
    saved = api.put(f"{stack.meetbridge_url}/api/v1/integration", json=body, timeout=30)
    if saved.status_code != 202:
        raise RuntimeError(f"Connecting Microsoft 365 answered {saved.status_code}: {saved.text}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = api.get(f"{stack.meetbridge_url}/api/v1/integration", timeout=30).json()
        if status["status"] in ("verified", "failed"):
            break
        time.sleep(0.5)
    if status["status"] != "verified":
        raise RuntimeError(f"The bench's Microsoft integration did not verify: {status}")
    log(f"Microsoft 365 tenant connected: directory {setup.tenant_id}")
    return {"setup": setup, "microsoft": microsoft, "tokens": tokens}


class DirectGraph:
    """getSchedule and event create straight to the stand-in, with a token msal got before."""

    def __init__(self, prepared: dict) -> None:
        setup, microsoft = prepared["setup"], prepared["microsoft"]
        self.http = _graph_session(microsoft.ca_path)
        app = msal.ConfidentialClientApplication(
            setup.client_id,
            authority=setup.authority,
            client_credential=setup.client_credential,
            instance_discovery=False,
            http_client=_graph_session(microsoft.ca_path),
        )
        token = app.acquire_token_for_client([GRAPH_SCOPE])["access_token"]
        self.headers = {"Authorization": f"Bearer {token}", "Prefer": 'outlook.timezone="UTC"'}
        self.base = f"{microsoft.graph_base}/v1.0/users/{CALLER}"

    def schedule(self, emails: list[str], start: datetime, end: datetime) -> float:
        body = {
            "schedules": emails,
            "startTime": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "endTime": {"dateTime": end.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "availabilityViewInterval": 60,
        }
        started = time.perf_counter()
        response = self.http.post(f"{self.base}/calendar/getSchedule", json=body, headers=self.headers, timeout=30)  # fmt: skip
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed

    def create(self, start: datetime, attendee: str) -> float:
        body = {
            "subject": "Bench direct create",
            "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "attendees": [{"emailAddress": {"address": attendee}, "type": "required"}],
            "transactionId": uuid.uuid4().hex,
        }  # fmt: skip
        started = time.perf_counter()
        response = self.http.post(f"{self.base}/events", json=body, headers=self.headers, timeout=30)  # fmt: skip
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed


def _ratios(ours: list[float], direct: list[float]) -> dict:
    row = {
        "ms_p50": 1000 * statistics.median(ours),
        "ms_p95": 1000 * percentile(ours, 95),
        "direct_ms_p50": 1000 * statistics.median(direct),
        "direct_ms_p95": 1000 * percentile(direct, 95),
    }
    row["ratio_p50"] = row["ms_p50"] / row["direct_ms_p50"]
    row["ratio_p95"] = row["ms_p95"] / row["direct_ms_p95"]
    return row


def availability(stack: Stack, prepared: dict, direct: DirectGraph) -> list[dict]:
    start, end = window(14)
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {prepared['tokens'][CALLER]}"
    rows = []
    for count in (2, 10):
        everyone = [CALLER, *COLLEAGUES][:count]
        params = {
            "with": everyone[1:],
            "start": rfc3339(start),
            "end": rfc3339(end),
            "duration": 30,
        }
        url = f"{stack.meetbridge_url}/api/v1/availability"
        http.get(url, params=params, timeout=60)  # warm: token, connections
        ours, theirs, errors = [], [], 0
        for n in range(1, SAMPLES + 1):
            # A question not asked before (its window moved by a minute): no answer is reused.
            moved = start + timedelta(minutes=n)
            theirs.append(direct.schedule(everyone, moved, end))
            started = time.perf_counter()
            response = http.get(url, params={**params, "start": rfc3339(moved)}, timeout=60)
            if response.status_code == 200 and not response.json().get("unknown"):
                ours.append(time.perf_counter() - started)
            else:
                errors += 1
        rows.append(
            {"people": count, "samples": SAMPLES, "errors": errors, **_ratios(ours, theirs)}
        )
    return rows


def booking(stack: Stack, prepared: dict, direct: DirectGraph) -> dict:
    round_the_clock([CALLER, *COLLEAGUES])
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {prepared['tokens'][CALLER]}"
    url = f"{stack.meetbridge_url}/api/v1/meetings"
    times = slots(2 * BOOKING_SAMPLES + 2)
    direct.create(next(times), COLLEAGUES[0])
    ours, theirs, failures = [], [], 0
    for n in range(BOOKING_SAMPLES + 1):
        colleague = COLLEAGUES[n % len(COLLEAGUES)]
        body = {"attendees": [colleague], "start": next(times).isoformat(), "duration": 30, "title": "Bench booking"}  # fmt: skip
        started = time.perf_counter()
        status = http.post(url, json=body, timeout=60).status_code
        elapsed = time.perf_counter() - started
        if n == 0:
            continue  # the warm-up
        theirs.append(direct.create(next(times), colleague))
        if status == 201:
            ours.append(elapsed)
        else:
            failures += 1
    return {"samples": BOOKING_SAMPLES, "failures": failures, **_ratios(ours, theirs)}


def measure(stack: Stack, log) -> dict:
    prepared = prepare(stack, log)
    direct = DirectGraph(prepared)
    log("Microsoft 365 availability: 2 and 10 people, interleaved with direct getSchedule calls")
    rows = availability(stack, prepared, direct)
    log("Microsoft 365 booking: interleaved with direct event creates")
    return {"availability": rows, "booking": booking(stack, prepared, direct)}


def table_rows(report: dict, verdict) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for row in report.get("availability", []):
        ok = row["ratio_p50"] <= TARGETS["availability"] and row["ratio_p95"] <= TARGETS["availability"] and not row["errors"]  # fmt: skip
        rows.append((
            "Microsoft availability / one direct getSchedule", str(row["people"]),
            f"p50 {row['ratio_p50']:.2f}x ({row['ms_p50']:.0f} vs {row['direct_ms_p50']:.0f} ms), "
            f"p95 {row['ratio_p95']:.2f}x ({row['ms_p95']:.0f} vs {row['direct_ms_p95']:.0f} ms)",
            f"<= {TARGETS['availability']}x", verdict(ok),
        ))  # fmt: skip
    if "booking" in report:
        row = report["booking"]
        ok = row["ratio_p50"] <= TARGETS["booking"] and row["ratio_p95"] <= TARGETS["booking"] and not row["failures"]  # fmt: skip
        rows.append((
            "Microsoft booking / one direct event create", "2",
            f"p50 {row['ratio_p50']:.2f}x ({row['ms_p50']:.0f} vs {row['direct_ms_p50']:.0f} ms), "
            f"p95 {row['ratio_p95']:.2f}x, {row['failures']} of {row['samples']} not booked",
            f"<= {TARGETS['booking']}x", verdict(ok),
        ))  # fmt: skip
    return rows

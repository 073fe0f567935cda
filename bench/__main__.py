"""`make bench` (`python -m bench`): availability's and booking's speed, as a table and JSON.

python -m bench                # everything (a few minutes)
python -m bench --only slots   # the pure slot computation alone (seconds, no servers)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
TARGETS = {
    "latency_ratio_up_to_50": 1.15,
    "latency_ratio_120": 1.3,
    "throughput_per_second": 150,
    "slots_50_people_ms": 10,
    "slots_1000_people_ms": 200,
    "token_exchanges_per_person_hour": 1,
    "booking_latency_ratio": 2.1,
    # issue 12
    "embedded_run_per_second": 150,
    "cluster_per_second": 300,
    "share_of_ceiling": 0.6,
    "cold_10_ratio": 1.10,
    "repeated_10_ratio": 0.2,
    "ratio_120_to_parallel": 1.15,
    "identical_64_upstream_calls": 2,
}


def log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


def run_slots(report: dict) -> None:
    from bench import slots_bench

    log("slot computation alone: 50 and 1,000 people, 30 days, 10 busy blocks a day")
    report["slots"] = [
        slots_bench.measure(50, repeats=30),
        slots_bench.measure(1000, repeats=8),
    ]


def run_http(report: dict, args: argparse.Namespace) -> None:
    from bench import booking, http_bench, microsoft, scale, stack

    redis_url = stack.shared_tokens_url()
    # With Redis, the production layout: two web servers of one process each and a worker.
    servers = args.servers or (2 if redis_url else 1)
    workers = args.workers or (1 if servers > 1 else stack.default_workers(redis_url))
    threads, throughput_seconds = args.threads, args.throughput_seconds
    sut = stack.start(
        log,
        workers=workers,
        threads=threads,
        server_name=args.server,
        redis_url=redis_url,
        servers=servers,
    )
    try:
        report["serving"] = (
            f"{servers} web server(s), each "
            + stack.serving(workers, threads, args.server, bool(redis_url))
            + (", and one `meetbridge worker`" if redis_url else "")
        )
        report["database"] = sut.database
        sut.sandbox.set_faults(latency_ms=http_bench.LATENCY_MS)
        began = datetime.now(UTC)
        if args.only == "microsoft":
            report["microsoft"] = microsoft.measure(sut, log)
            return
        log("latency for 2, 10, 50 and 120 people over 14 days (interleaved with direct calls)")
        report["latency"] = http_bench.latency(sut)
        log("64 identical requests by one member at once")
        report["identical"] = http_bench.identical(sut)
        sut.sandbox.set_limits(project_requests_per_minute=scale.PROJECT_LIMIT_FOR_THROUGHPUT)
        report["throughput"] = []
        for people in (2, 10):  # a one-to-one, and a meeting of ten
            log(f"throughput: 64 clients, {people} people a request, {throughput_seconds:.0f} s")
            report["throughput"].append(
                http_bench.throughput(sut, people=people, seconds=throughput_seconds)
            )
        report["ceiling"] = scale.ceiling(
            sut, log, servers=servers, threads=threads, people=2, seconds=throughput_seconds
        )
        report["ceiling"].pop("steady_since", None)
        steady = report["throughput"][0]["steady_since"]
        steady_seconds = (datetime.now(UTC) - steady).total_seconds()
        report["token_exchanges"] = {
            "from_cold_start": http_bench.token_exchanges(began),
            "steady_state": http_bench.token_exchanges(steady),
            "steady_state_seconds": steady_seconds,
            "server_processes": workers if args.server == "gunicorn" else 1,
            "shared_through_redis": bool(redis_url),
        }
        log("baseline: google-api-python-client, one freeBusy per person in turn")
        report["by_hand"] = [
            {"people": n, "seconds": http_bench.by_hand(sut, n)} for n in (2, 10, 50, 120)
        ]
        log("booking: POST /api/v1/meetings, interleaved with direct events.insert calls")
        report["booking"] = booking.measure(sut)
        report["microsoft"] = microsoft.measure(sut, log)
    finally:
        sut.stop()
    if not args.no_embedded and args.only != "microsoft":
        report["embedded"] = scale.embedded(log, seconds=throughput_seconds)


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def table(report: dict) -> list[tuple[str, str, str, str, str]]:
    rows = []
    p50_by_people = {}
    for row in report.get("latency", []):
        limit = (
            TARGETS["latency_ratio_up_to_50"]
            if row["people"] <= 50
            else TARGETS["latency_ratio_120"]
        )
        p50_by_people[row["people"]] = row["ms_p50"]
        rows.append(
            (
                "availability latency / one direct freeBusy",
                str(row["people"]),
                f"p50 {row['ratio_p50']:.2f}x ({row['ms_p50']:.0f} vs {row['direct_ms_p50']:.0f} ms), "
                f"p95 {row['ratio_p95']:.2f}x ({row['ms_p95']:.0f} vs {row['direct_ms_p95']:.0f} ms)"
                + (
                    f"; {row['ratio_p50_to_parallel']:.2f}x the "
                    f"{row['direct_parallel_ms_p50']:.0f} ms of direct calls for all "
                    f"{row['people']} in parallel"
                    if "direct_parallel_ms_p50" in row
                    else ""
                ),
                f"<= {limit}x",
                verdict(row["ratio_p50"] <= limit and row["ratio_p95"] <= limit),
            )
        )
    if "booking" in report:
        row, limit = report["booking"], TARGETS["booking_latency_ratio"]
        rows.append(
            (
                "booking latency / one direct events.insert",
                "2",
                f"p50 {row['ratio_p50']:.2f}x ({row['booking_ms_p50']:.0f} vs "
                f"{row['insert_ms_p50']:.0f} ms), p95 {row['ratio_p95']:.2f}x "
                f"({row['booking_ms_p95']:.0f} vs {row['insert_ms_p95']:.0f} ms), "
                f"{row['failures']} of {row['samples']} not booked",
                f"<= {limit}x",
                verdict(
                    row["ratio_p50"] <= limit and row["ratio_p95"] <= limit and not row["failures"]
                ),
            )
        )
    for t in report.get("throughput", []):
        rows.append(
            (
                f"throughput, {t['clients']} concurrent clients",
                str(t["people"]),
                f"{t['per_second']:.0f} req/s over {t['seconds']:.0f} s, {t['errors']} errors, "
                f"p50 {t['ms_p50']:.0f} ms, p95 {t['ms_p95']:.0f} ms",
                f">= {TARGETS['throughput_per_second']}/s, no errors",
                verdict(t["per_second"] >= TARGETS["throughput_per_second"] and not t["errors"]),
            )
        )
    rows += issue_12_rows(report)
    for row in report.get("by_hand", []):
        ours = p50_by_people.get(row["people"])
        speedup = f"meetbridge {row['seconds'] * 1000 / ours:.1f}x faster" if ours else ""
        rows.append(
            (
                "by hand: google-api-python-client, 1 freeBusy/person",
                str(row["people"]),
                f"{row['seconds'] * 1000:.0f} ms; {speedup}",
                "(baseline)",
                "",
            )
        )
    for row in report.get("slots", []):
        limit = (
            TARGETS["slots_50_people_ms"]
            if row["people"] <= 50
            else TARGETS["slots_1000_people_ms"]
        )
        rows.append(
            (
                f"slot computation alone, {row['days']} days x 10 busy/day",
                f"{row['people']:,}",
                f"p50 {row['ms_p50']:.1f} ms, max {row['ms_max']:.1f} ms "
                f"({row['busy_blocks']:,} busy blocks; {row['ms_p50_from_datetimes']:.1f} ms "
                "from datetimes)",
                f"< {limit} ms",
                verdict(row["ms_p50"] < limit),
            )
        )
    if "token_exchanges" in report:
        tokens = report["token_exchanges"]
        steady = tokens["steady_state"]
        worst = max(steady.values(), default=0)
        cold = tokens["from_cold_start"]
        processes = tokens["server_processes"]
        shared = tokens.get("shared_through_redis", False)
        rows.append(
            (
                "token exchanges per (integration, person)",
                "1",
                f"{worst} in {tokens['steady_state_seconds']:.0f} s of steady state; "
                f"{max(cold.values(), default=0)} from cold start; then one per token lifetime, "
                + (
                    f"shared by the {processes} server processes through Redis"
                    if shared
                    else f"per server process ({processes})"
                ),
                f"<= {TARGETS['token_exchanges_per_person_hour']}/hour",
                verdict(
                    worst == 0 and max(cold.values(), default=0) <= 1 and (shared or processes == 1)
                ),
            )
        )
    if "microsoft" in report:
        from bench import microsoft

        rows += microsoft.table_rows(report["microsoft"], verdict)
    return rows


def issue_12_rows(report: dict) -> list[tuple[str, str, str, str, str]]:
    rows = []
    by_people = {row["people"]: row for row in report.get("latency", [])}
    if 10 in by_people:
        row = by_people[10]
        limit = TARGETS["cold_10_ratio"]
        rows.append(
            (
                "availability, cold / one direct freeBusy",
                "10",
                f"p50 {row['ratio_p50']:.2f}x ({row['ms_p50']:.0f} vs {row['direct_ms_p50']:.0f} ms)",
                f"<= {limit}x",
                verdict(row["ratio_p50"] <= limit),
            )
        )
        if "ratio_repeated_p50" in row:
            limit = TARGETS["repeated_10_ratio"]
            rows.append(
                (
                    "availability, repeated in the reuse window / direct",
                    "10",
                    f"p50 {row['ratio_repeated_p50']:.2f}x ({row['repeated_ms_p50']:.0f} ms)",
                    f"<= {limit}x",
                    verdict(row["ratio_repeated_p50"] <= limit),
                )
            )
    if 120 in by_people and "ratio_p50_to_parallel" in by_people[120]:
        row, limit = by_people[120], TARGETS["ratio_120_to_parallel"]
        rows.append(
            (
                "availability, 120 people / direct calls in parallel",
                "120",
                f"p50 {row['ratio_p50_to_parallel']:.2f}x ({row['ms_p50']:.0f} vs "
                f"{row['direct_parallel_ms_p50']:.0f} ms)",
                f"<= {limit}x",
                verdict(row["ratio_p50_to_parallel"] <= limit),
            )
        )
    if "identical" in report:
        row, limit = report["identical"], TARGETS["identical_64_upstream_calls"]
        rows.append(
            (
                f"{row['clients']} identical requests by one member at once",
                str(row["people"]),
                f"{row['errors']} errors, {row['upstream_calls']} freeBusy calls received by "
                "the sandbox",
                f"0 errors, <= {limit} calls",
                verdict(row["errors"] == 0 and row["upstream_calls"] <= limit),
            )
        )
    two = next((t for t in report.get("throughput", []) if t["people"] == 2), None)
    if two is not None:
        limit = TARGETS["cluster_per_second"]
        rows.append(
            (
                "cluster (web servers + worker), 64 clients",
                "2",
                f"{two['per_second']:.0f} req/s, {two['errors']} errors",
                f">= {limit}/s, no errors",
                verdict(two["per_second"] >= limit and not two["errors"]),
            )
        )
        if "ceiling" in report:
            ceiling, limit = report["ceiling"], TARGETS["share_of_ceiling"]
            share = two["per_second"] / ceiling["per_second"] if ceiling["per_second"] else 0
            rows.append(
                (
                    "the same / bare Django view, one upstream call",
                    "2",
                    f"{share:.2f}x of {ceiling['per_second']:.0f} req/s "
                    f"({ceiling['errors']} errors)",
                    f">= {limit}x",
                    verdict(share >= limit),
                )
            )
    if "embedded" in report:
        row, limit = report["embedded"], TARGETS["embedded_run_per_second"]
        rows.append(
            (
                "`meetbridge run`, embedded SQLite, 64 clients",
                str(row["people"]),
                f"{row['per_second']:.0f} req/s, {row['errors']} errors "
                f"{row.get('error_statuses') or ''}, p50 {row['ms_p50'] or 0:.0f} ms",
                f">= {limit}/s, no errors",
                verdict(row["per_second"] >= limit and not row["errors"]),
            )
        )
    return rows


def render(report: dict) -> str:
    header = ("measure", "people", "result", "target", "met")
    rows = table(report)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [
        f"meetbridge bench · command: {report['command']} · {report['started_at']}",
        f"machine: {report['machine']}; load average at start "
        f"{report['load_average_at_start'][0]:.1f}, at end {report['load_average_at_end'][0]:.1f} "
        "(other work on the machine slows every number)",
    ]
    if "serving" in report:
        out.append(
            f"meetbridge served by {report['serving']}, {report['database']}; "
            f"sandbox (uvicorn) with {report.get('sandbox_latency_ms', 100)} ms injected latency"
        )
    out += ["", line.format(*header), line.format(*("-" * w for w in widths))]
    out += [line.format(*row) for row in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("slots", "http", "microsoft"), help="run one part only")
    parser.add_argument("--throughput-seconds", type=float, default=15.0)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn worker processes (default: 2 when Redis is reachable to share tokens, else 1)",
    )
    parser.add_argument("--threads", type=int, default=32, help="threads per worker (default 32)")
    parser.add_argument(
        "--servers", type=int, default=None, help="web servers (default: 2 with Redis, else 1)"
    )
    parser.add_argument(
        "--no-embedded", action="store_true", help="skip `meetbridge run` on embedded SQLite"
    )
    parser.add_argument("--server", choices=("gunicorn", "waitress"), default="gunicorn")
    args = parser.parse_args(argv)
    command = (
        "make bench (python -m bench"
        + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))
        + ")"
    )
    report = {
        "command": command,
        "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}",
        "sandbox_latency_ms": 100,
        "load_average_at_start": os.getloadavg(),
        "targets": TARGETS,
    }
    started = time.monotonic()
    if args.only in (None, "slots"):
        run_slots(report)
    if args.only in (None, "http", "microsoft"):
        run_http(report, args)
    report["bench_seconds"] = round(time.monotonic() - started, 1)
    report["load_average_at_end"] = os.getloadavg()
    text = render(report)
    report["table"] = text
    RESULTS.mkdir(exist_ok=True)
    name = datetime.now(UTC).strftime("bench-%Y%m%dT%H%M%SZ.json")
    (RESULTS / name).write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(text)
    print(f"\n(written to bench/results/{name}; {report['bench_seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The load test of a realistic mix against server mode, and whether it met the SLOs.

    python bench/locust/run.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --redis-url redis://127.0.0.1:6379/10 [--users 60] [--spawn-rate 10] [--duration 60]

Makes the world (bench/locust/world.py: an open tournament, a live cup of `--pairs` matches, a
played 256-player double elimination; seed the database with bench/seed.py first for a
realistic discovery table), starts DeltaCrown in server mode (gunicorn `-k gthread -w 2`, with
threads for the followers, `DELTACROWN_ENV=production`, rate limits out of reach of one
client address) and one Celery worker (with `--outbox`, `OUTBOX_RELAY=worker` and one
`flask outbox relay` beside them), runs locust headless (bench/locust/locustfile.py), then
prints one JSON line per endpoint (requests, failures, req/s, p50, p95, p99) and, per SLO
(`SLOS` below, docs/performance.md), `met` or `missed` with the measured figure.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(HERE))

PORT = 8183
# (what, the endpoints it covers (locust names; "*" = all), the statistic, the limit)
SLOS: list[tuple[str, tuple[str, ...], str, float]] = [
    ("public reads p95 ≤ 250 ms",
     ("/api/tournaments/", "/api/tournaments/?status&ordering", "/api/tournaments/?cursor",
      "/api/tournaments/search/", "/api/tournaments/{id}/", "/api/tournaments/{id}/bracket/",
      "/api/tournaments/{id}/standings/"), "95%", 250.0),
    ("player writes p95 ≤ 500 ms",
     ("/api/tournaments/{id}/registrations/", "/api/tournaments/{id}/check-in/",
      "/api/matches/{id}/check-in/", "/api/matches/{id}/submit-result/",
      "/api/matches/{id}/confirm-result/"), "95%", 500.0),
    ("sign-in p95 ≤ 800 ms (a password hash per sign-in)",
     ("/api/auth/login/", "/api/auth/register/"), "95%", 800.0),
    ("live events delivered p95 ≤ 1,000 ms", ("match event",), "95%", 1000.0),
    ("no failed request", ("*",), "failure_ratio", 0.0),
]  # fmt: skip


def _env(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DELTACROWN_ENV": "production",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.redis_url,
        "SECRET_KEY": "bench-" + "s" * 40,
        "JWT_SECRET_KEY": "bench-" + "j" * 40,
        "RATELIMIT_DEFAULT": "100000000/minute",
        "RATELIMIT_AUTH": "100000000/minute",
        "WS_MAX_CONNECTIONS_PER_ADDRESS": "100000",
        "PYTHONPATH": str(ROOT),
    }


def _start(command: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen[bytes]:
    log = open(Path(tempfile.gettempdir()) / log_name, "wb")  # noqa: SIM115 - the process's
    return subprocess.Popen(  # noqa: S603  # nosec B603 - our own command line
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def _wait_for(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer on port {port}")


def _rows(stats_csv: Path) -> list[dict[str, Any]]:
    with stats_csv.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def verdicts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each SLO against locust's statistics rows: met or missed, with the worst figure."""
    by_name = {row["Name"]: row for row in rows if row["Name"] != "Aggregated"}
    total = next((row for row in rows if row["Name"] == "Aggregated"), None)
    out = []
    for what, names, statistic, limit in SLOS:
        if statistic == "failure_ratio":
            requests = int(total["Request Count"]) if total else 0
            failures = int(total["Failure Count"]) if total else 0
            value = failures / requests if requests else 0.0
        else:
            figures = [float(by_name[n][statistic]) for n in names if n in by_name]
            value = max(figures) if figures else float("nan")
        met = value <= limit
        out.append({"slo": what, "value": round(value, 4), "limit": limit,
                    "verdict": "met" if met else "missed"})  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--pairs", type=int, default=256, help="ready matches of the live cup")
    parser.add_argument(
        "--outbox",
        action="store_true",
        help="OUTBOX_RELAY=worker: live events and reactions leave through `flask outbox relay`",
    )
    args = parser.parse_args(argv)
    if not args.database_url or not args.redis_url:
        raise SystemExit("needs --database-url (PostgreSQL) and --redis-url")

    import world

    built = world.build(args.database_url, args.pairs)
    workdir = Path(tempfile.mkdtemp(prefix="locust-"))
    (workdir / "world.json").write_text(json.dumps(built), encoding="utf-8")
    env = _env(args)
    if args.outbox:
        env["OUTBOX_RELAY"] = "worker"
    followers = args.users * 4 // 20 + 1
    threads = str(followers // 2 + 32)
    binaries = Path(sys.executable).parent
    server = _start(
        [str(binaries / "gunicorn"), "-k", "gthread", "-w", "2", "--threads", threads,
         "--worker-connections", threads, "--keep-alive", "30", "--log-level", "warning",
         "-b", f"127.0.0.1:{PORT}", "wsgi:app"], env, "locust_server.log",
    )  # fmt: skip
    worker = _start(
        [str(binaries / "celery"), "-A", "deltacrown.celery_app:celery", "worker",
         "--concurrency", "1", "-l", "warning"], env, "locust_worker.log",
    )  # fmt: skip
    relay = None
    if args.outbox:
        relay = _start(
            [str(binaries / "flask"), "--app", "wsgi", "outbox", "relay"], env, "locust_relay.log"
        )
    try:
        _wait_for(PORT)
        locust = subprocess.run(  # noqa: S603  # nosec B603 - our own command line
            [str(binaries / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
             "--host", f"http://127.0.0.1:{PORT}", "-u", str(args.users),
             "-r", str(args.spawn_rate), "-t", f"{args.duration}s", "--csv",
             str(workdir / "mix"), "--only-summary", "--loglevel", "WARNING"],
            cwd=ROOT, env={**env, "LOCUST_WORLD": str(workdir / "world.json")},
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        if relay is not None:
            _stop(relay)
        _stop(worker)
        _stop(server)
    stats = workdir / "mix_stats.csv"
    if not stats.exists():
        print(locust.stdout[-3000:], locust.stderr[-3000:], file=sys.stderr)
        return 1
    rows = _rows(stats)
    common = {"users": args.users, "duration": args.duration, "followers_max": followers,
              "outbox": args.outbox}  # fmt: skip
    for row in rows:
        print(json.dumps({**common, "type": row["Type"], "name": row["Name"],
                          "requests": int(row["Request Count"]),
                          "failures": int(row["Failure Count"]),
                          "rps": round(float(row["Requests/s"]), 1),
                          "p50_ms": row["50%"], "p95_ms": row["95%"], "p99_ms": row["99%"]}))  # fmt: skip
    failures = workdir / "mix_failures.csv"
    if failures.exists():
        for row in _rows(failures)[:10]:
            print(json.dumps({"failure": row}))
    results = verdicts(rows)
    for verdict in results:
        print(json.dumps(verdict))
    missed = [v["slo"] for v in results if v["verdict"] == "missed"]
    print(f"SLOs: {len(results) - len(missed)} met, {len(missed)} missed"
          + (f" ({'; '.join(missed)})" if missed else ""))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

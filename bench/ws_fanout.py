"""Live fan-out in server mode beside a minimal asyncio broadcast server, in one run.

    .venv/bin/python bench/ws_fanout.py                               # 1,000 followers
    .venv/bin/python bench/ws_fanout.py --followers 1000 10000 --client-processes 4
    .venv/bin/python bench/ws_fanout.py --followers 1000 10000 --client-processes 4 --rounds 3

For each follower count the script seeds a live best-of-3 match of a public cup and starts
gunicorn in server mode (`-k gthread -w PROCESSES --threads 8`) on PostgreSQL and Redis.
Two cases run one after the other on the same machine, with the same clients:

- `project`: the followers connect to `/ws/matches/{id}` on gunicorn (no token: the cup is
  public) and are served by each process's websocket hub;
- `baseline`: the followers connect to a minimal `websockets` asyncio server (this file,
  `--baseline-server`; as many processes as gunicorn's, sharing the port with SO_REUSEPORT, no
  compression) that subscribes to the same Redis pub/sub channel the project publishes the
  match's events on and broadcasts each message to its sockets as it arrives.

In both cases the sender posts one score update per second (`--rate`) for `--duration`
seconds through `POST /api/matches/{id}/score/` on gunicorn, so both are fed by the same
publish path; followers run in `--client-processes` asyncio processes (the machine's cores
are shared by server, clients and sender: the figures compare the two servers under the
same conditions, they are not a capacity claim for other hardware).

Before anything is measured, each gunicorn serves 5 s of updates to 100 followers (not
recorded): the first updates a worker serves cost it more (statement caches, first fan-out),
and would otherwise weigh on whichever side runs first.

With `--rounds N` each follower count runs N pairs of sides on the same gunicorn, the order
swapped each round (project then baseline, baseline then project, ...), and the ratios are
printed per round and as medians over the rounds: on a shared machine one pair's ratio moves
with whatever else ran during it.

Figures per case:
- latency: receive time at a follower minus send time at the sender (taken just before the
  request leaves), over every follower and update: p50, p99, max (ms);
- lost: updates some follower never received (must be 0); seq gaps seen by followers;
- server CPU: user + system time of the serving processes (gunicorn's master and workers, or
  the baseline's processes) while the updates were sent and delivered, and per delivery (µs).
  The project's figure includes the REST requests that publish the updates; `REST CPU s` is
  gunicorn's CPU for the same requests in the baseline case (no followers), so the project's
  delivery cost alone is the difference; `fan-out CPU s` reads the project's delivery cost
  directly, per thread: its processes' follower-serving threads (named `dc-ws-hub`,
  `dc-live-listen` and `dc-ws-job` by `deltacrown.core.threads`), and the ratio the goal
  states is taken with it (the difference, which swings between rounds, is printed beside);
- RSS: resident memory of the serving processes, and per follower (their RSS with the
  followers connected less their RSS idle, divided by the followers; gunicorn's idle RSS is
  read once, warm, before the first round: a later round's followers reuse memory the
  earlier ones freed, which RSS read just before that round would hide);
- REST p95: `GET /api/matches/{id}/` on gunicorn ten times a second during the updates: with
  the followers on gunicorn (project) and with them on the baseline (gunicorn followed by
  nobody), plus the same probe on a quiet machine before any follower connects;
- threads: threads of the serving processes with the followers connected;
- per worker: followers held by each gunicorn worker (established sockets on its port);
- connect s: how long the crowd took to connect (each client process keeps 50 handshakes in
  flight); connect CPU ms: the serving processes' CPU meanwhile, per follower connected (the
  handshake, the channel's checks and the hand-off to the hub; the baseline only shakes hands);
- load: the machine's 1-minute load average at the end of the case (other jobs slow it).

The database (`--database-url`, default `dc_fanout_bench` on the local server) is dropped,
created and migrated first and dropped at the end; the Redis database (`--redis-url`, default
db 13) only gets the keys of the channels used, deleted after each follower count. The table
and the summary lines are written by bench/ws_fanout_report.py.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import os
import platform
import resource
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # the siblings below, however this file is loaded

import sqlalchemy as sa  # noqa: E402
import websockets  # noqa: E402
import ws_fanout_clients  # noqa: E402
from ws_fanout_clients import Crowd, Probe, post_score, update_of  # noqa: E402
from ws_fanout_report import ratios, table  # noqa: E402
from ws_fanout_servers import (  # noqa: E402
    REST_THREADS,
    Baseline,
    Gunicorn,
    baseline_serve,
    cpu_seconds,
    rss_mib,
    thread_count,
    thread_cpu_seconds,
)

from tests.live import support  # noqa: E402
from tests.live.support import LiveMatch, forget_channels, seed_live_match  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "ws_fanout.txt"
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/dc_fanout_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
SECRET = f"bench-{uuid.uuid4().hex}"  # the servers and the seeding app sign tokens with it
DRAIN_SECONDS = 30  # after the last update, how long followers may take to receive it
WARM_UP_FOLLOWERS = 100  # followers and seconds of updates before anything is measured
WARM_UP_SECONDS = 5.0


# ----- database and seeding -------------------------------------------------------------------
def recreate_database(url: str) -> None:
    """Drop and create the bench database, then migrate it to the current schema."""
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def drop_database(url: str) -> None:
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
    admin.dispose()


def seeding_app(url: str) -> Any:
    from flask_migrate import upgrade

    from deltacrown.app import MIGRATIONS_DIR, create_app
    from deltacrown.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, JWT_SECRET_KEY=SECRET,
                     SECRET_KEY=SECRET)  # fmt: skip
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    return app


def server_env(database_url: str, redis_url: str, followers: int) -> dict[str, str]:
    """Server mode; the default rate limit and the per-address cap are lifted (every follower
    connects from 127.0.0.1)."""
    return support.server_env(
        database_url, redis_url, SECRET, RATELIMIT_DEFAULT="1000000/minute",
        WS_MAX_CONNECTIONS_PER_ADDRESS=str(followers + 100),
        WS_MAX_CONNECTIONS_PER_PROCESS=str(followers + 100),
    )  # fmt: skip


# ----- one side of a case ----------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


NEAR_AN_UPDATE = 0.2  # seconds after an update is sent: the window of its fan-out


def probes_near_updates(
    probe_started: list[float], probe_ms: list[float], sent: list[float]
) -> tuple[list[float], list[float]]:
    """The probes' response times split by when they started: within NEAR_AN_UPDATE seconds
    after an update was sent (while it was being fanned out), and the others."""
    near: list[float] = []
    far: list[float] = []
    updates = sorted(sent)
    for started, ms in zip(probe_started, probe_ms, strict=True):
        last = bisect.bisect_right(updates, started) - 1  # the last update sent before it
        (near if last >= 0 and started - updates[last] <= NEAR_AN_UPDATE else far).append(ms)
    return near, far


def run_side(side: str, ws_url: str, serving: Any, gunicorn: Gunicorn, seeded: LiveMatch,
             followers: int, client_processes: int, duration: float, rate: float,
             idle_rss: float | None = None) -> dict[str, Any]:  # fmt: skip
    """One side's round. Memory per follower is the serving processes' RSS with the followers
    connected less their RSS idle: `idle_rss` when given (gunicorn serves every round, and
    after the first its allocator reuses what earlier followers freed, so RSS read just
    before a later round would hide their memory), else read now (a fresh process)."""
    crowd = Crowd(client_processes)
    try:
        rss_before = rss_mib(serving.pids()) if idle_rss is None else idle_rss
        connect_cpu = cpu_seconds(serving.pids())
        started = time.monotonic()
        with Probe(f"{gunicorn.url}/api/matches/{seeded.match_id}/") as connecting:
            connected = crowd.connect(ws_url, followers)
        connect_seconds = time.monotonic() - started
        connect_cpu = cpu_seconds(serving.pids()) - connect_cpu
        time.sleep(2)  # let the servers settle (and free what the handshakes used)
        rss_after = rss_mib(serving.pids())
        threads = thread_count(serving.pids())
        per_worker = gunicorn.connections_per_worker() if side == "project" else []
        updates = max(1, round(duration * rate))
        sent: dict[int, float] = {}
        failures: list[str] = []
        score_url = f"{gunicorn.url}/api/matches/{seeded.match_id}/score/"
        cpu_before, rest_before = cpu_seconds(serving.pids()), cpu_seconds(gunicorn.pids())
        fan_out_before = thread_cpu_seconds(serving.pids())
        client_before = sum(crowd.all("cpu"))
        clock = time.monotonic()
        with Probe(f"{gunicorn.url}/api/matches/{seeded.match_id}/") as probe:
            for k in range(updates):
                time.sleep(max(0.0, clock + k / rate - time.monotonic()))
                sent[k] = time.time()
                failure = post_score(score_url, seeded.organizer, update_of(k))
                if failure is not None:
                    failures.append(failure)
                    del sent[k]  # not sent: neither delivered nor lost
            crowd.all("wait", list(sent), DRAIN_SECONDS)
        window = time.monotonic() - clock
        cpu = cpu_seconds(serving.pids()) - cpu_before
        rest_cpu = cpu_seconds(gunicorn.pids()) - rest_before
        fan_out_cpu = thread_cpu_seconds(serving.pids()) - fan_out_before
        client_cpu = sum(crowd.all("cpu")) - client_before
        results = crowd.all("collect", sent)
    finally:
        crowd.close()
    for failure in failures[:3]:
        print(f"  update failed: {failure}", file=sys.stderr)
    latencies = sorted(x for r in results for x in r["latencies"])
    near, far = probes_near_updates(probe.started, probe.times, list(sent.values()))
    deliveries = len(latencies)
    return {
        "side": side,
        "followers": followers,
        "unconnected": followers - connected,
        "updates": updates,
        "failed": len(failures),
        "deliveries": deliveries,
        "lost": sum(r["lost"] for r in results),
        "seq_gaps": sum(r["gaps"] for r in results),
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else math.nan,
        "cpu_s": cpu,
        "cpu_us_per_delivery": 1e6 * cpu / deliveries if deliveries else math.nan,
        "rest_cpu_s": rest_cpu if side == "baseline" else math.nan,
        "fan_out_cpu_s": fan_out_cpu if side == "project" else math.nan,
        "fan_out_us_per_delivery": (
            1e6 * fan_out_cpu / deliveries if side == "project" and deliveries else math.nan
        ),
        "rss_mib": rss_after,
        "kib_per_follower": 1024 * (rss_after - rss_before) / connected if connected else math.nan,
        "rest_p95_ms": percentile(probe.times, 95),
        "probes": len(probe.times),
        "rest_p95_near_ms": percentile(near, 95),
        "rest_p95_far_ms": percentile(far, 95),
        "probes_near": len(near),
        "threads": threads,
        "per_worker": per_worker,
        "connect_s": connect_seconds,
        "connect_cpu_ms": 1000 * connect_cpu / connected if connected else math.nan,
        "connect_rest_p95_ms": percentile(connecting.times, 95),
        "connect_rest_failed": connecting.failed,
        "client_cpu_s": client_cpu,
        "window_s": window,
        "load": os.getloadavg()[0],
    }


def run_case(env: dict[str, str], redis_url: str, seeded: LiveMatch, processes: int,
             followers: int, client_processes: int, duration: float, rate: float,
             rounds: int = 1) -> list[dict[str, Any]]:  # fmt: skip
    """`rounds` pairs of sides on one gunicorn, the order swapped each round (project first,
    then baseline first, ...) so that a machine getting busier or quieter weighs on both."""
    from deltacrown.core.realtime import REDIS_PREFIX

    gunicorn = Gunicorn(env, processes)
    rows: list[dict[str, Any]] = []
    try:
        gunicorn.wait_ready()
        channel = f"match:{seeded.match_id}"
        ws_url = f"ws://127.0.0.1:{gunicorn.port}/ws/matches/{seeded.match_id}"
        # Warm-up, not recorded: a few updates to a few followers take the workers' first-use
        # costs (statement caches, first fan-out) off whichever side is measured first.
        run_side("project", ws_url, gunicorn, gunicorn, seeded, min(followers, WARM_UP_FOLLOWERS),
                 client_processes, WARM_UP_SECONDS, rate)  # fmt: skip
        with Probe(f"{gunicorn.url}/api/matches/{seeded.match_id}/") as quiet:
            time.sleep(5)
        idle_rss = rss_mib(gunicorn.pids())  # warm, before any round's followers
        db_number = redis_url.rsplit("/", 1)[-1] or "0"

        def project() -> dict[str, Any]:
            return run_side("project", ws_url, gunicorn, gunicorn, seeded, followers,
                            client_processes, duration, rate, idle_rss)  # fmt: skip

        def baseline() -> dict[str, Any]:
            server = Baseline(processes, redis_url, f"{REDIS_PREFIX}{db_number}:ch:{channel}",
                              f"{REDIS_PREFIX}seq:{channel}")  # fmt: skip
            try:
                return run_side("baseline", f"ws://127.0.0.1:{server.port}/", server,
                                gunicorn, seeded, followers, client_processes, duration, rate)  # fmt: skip
            finally:
                server.stop()

        for number in range(rounds):
            sides = (project, baseline) if number % 2 == 0 else (baseline, project)
            for side in sides:
                row = side()
                row["round"] = number + 1
                rows.append(row)
    finally:
        gunicorn.stop()
    for row in rows:
        row["quiet_rest_p95_ms"] = percentile(quiet.times, 95)
    return rows


# ----- output: bench/ws_fanout_report.py ------------------------------------------------------
def gunicorn_version() -> str:
    from importlib.metadata import version

    return version("gunicorn")


def raise_open_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed:
        new = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))  # the servers inherit it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--processes", type=int, default=2, help="gunicorn (and baseline) processes"
    )
    parser.add_argument("--followers", type=int, nargs="+", default=[1000])
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of updates")
    parser.add_argument("--rate", type=float, default=1.0, help="updates per second")
    parser.add_argument(
        "--rounds", type=int, default=1,
        help="pairs of sides per follower count, alternating which goes first; with more "
        "than one, each ratio's median is printed too",
    )  # fmt: skip
    parser.add_argument(
        "--client-nice", type=int, default=0,
        help="niceness of the followers' client processes (0): they stand in for remote "
        "devices; a positive value keeps them from taking CPU from the servers, both alike",
    )  # fmt: skip
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--output", type=Path, default=RESULTS, help="appended to")
    args = parser.parse_args(argv)

    ws_fanout_clients.CLIENT_NICE = args.client_nice
    load_at_start = os.getloadavg()
    raise_open_file_limit(min(20000, max(args.followers) + 1024))
    recreate_database(args.database_url)
    rows: list[dict[str, Any]] = []
    app = None
    try:
        app = seeding_app(args.database_url)
        for followers in args.followers:
            seeded = seed_live_match(app, f"fo{uuid.uuid4().hex[:8]}", domain="bench.test")
            try:
                env = server_env(args.database_url, args.redis_url, followers)
                for row in run_case(env, args.redis_url, seeded, args.processes, followers,
                                    args.client_processes, args.duration, args.rate,
                                    args.rounds):  # fmt: skip
                    print(json.dumps(row), flush=True)
                    rows.append(row)
            finally:
                forget_channels(args.redis_url, seeded)
    finally:
        from deltacrown.extensions import db

        if app is not None:
            with app.app_context():
                db.engine.dispose()
        drop_database(args.database_url)

    header = (
        f"bench/ws_fanout.py {' '.join(argv if argv is not None else sys.argv[1:]) or '(defaults)'}"
        f" (gunicorn {gunicorn_version()}, -w {args.processes} --threads {REST_THREADS})\n"
        f"recorded {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}; Python "
        f"{platform.python_version()}, websockets {websockets.__version__}, "
        f"{os.cpu_count()} CPUs shared by servers, {args.client_processes} client processes and "
        f"the sender; {platform.platform()}\n"
        f"{args.duration:g} s of updates at {args.rate:g}/s per side; latency = follower "
        f"receive time - sender send time, over every follower and update\n"
        f"load average at the start {' '.join(f'{x:.2f}' for x in load_at_start)}, at the end "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (other jobs shared the machine)\n"
    )
    text = header + "\n" + table(rows) + "\n\n" + "\n".join(ratios(rows)) + "\n"
    print()
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("a") as out:
        out.write("\n" + text)
    print(f"appended to {args.output}", file=sys.stderr)
    ok = all(row[key] == 0 for row in rows for key in ("lost", "seq_gaps", "unconnected", "failed"))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--baseline-server":
        port, redis_url, pubsub_channel, seq_key = sys.argv[2:6]
        asyncio.run(baseline_serve(int(port), redis_url, pubsub_channel, seq_key))
    else:
        raise SystemExit(main())

"""Hot reads in server mode beside a bare Flask + SQLAlchemy baseline, in one run.

    python bench/hot_reads.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --redis-url redis://127.0.0.1:6379/10 [--duration 5] [--connections 32] [--label 10k]

Seed the database first with bench/seed.py. The script makes sure a 256-player double
elimination has been played there (through the services, once; see bench/brackets.py), then
serves DeltaCrown (`DELTACROWN_ENV=production`, the rate limiter on in Redis with a limit no
client reaches) and bench/bare_app.py with the same gunicorn settings, `-k gthread -w 2
--threads 4`, keep-alive on, and loads each endpoint in turn with `wrk -t2 -cN -dS` when wrk is
installed, else with the Python load generator below (2 processes, N keep-alive connections in
all, each sending its next request when the last one is answered). It prints one JSON line per
endpoint: requests per second, p50 and p95 in milliseconds, the ratio of its requests per
second to the baseline's, and the database round trips one request costs (counted from the
libpq trace on an in-process app, the same code on the same database: see
tests/performance/wire.py). The machine's other load makes absolute figures noisy: compare
the ratios of one run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

APP_PORT, BARE_PORT = 8181, 8182
GUNICORN = [
    str(Path(sys.executable).with_name("gunicorn")),
    "-k", "gthread", "-w", "2", "--threads", "4", "--keep-alive", "30",
    "--log-level", "warning",
]  # fmt: skip


# ----- the load generator --------------------------------------------------------------------
def _client(port: int, path: str, until: float, latencies: list[float], errors: list[int]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.perf_counter() < until:
        start = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        except (OSError, http.client.HTTPException):
            errors.append(0)
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - start)
    connection.close()


def _process(port: int, path: str, connections: int, until: float, out: Any) -> None:
    latencies: list[float] = []
    errors: list[int] = []
    threads = [
        threading.Thread(target=_client, args=(port, path, until, latencies, errors))
        for _ in range(connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((latencies, errors))


def python_load(port: int, path: str, connections: int, duration: float) -> dict[str, Any]:
    queue: Any = multiprocessing.Queue()
    until = time.perf_counter() + duration
    per = [connections // 2, connections - connections // 2]
    workers = [
        multiprocessing.Process(target=_process, args=(port, path, n, until, queue)) for n in per
    ]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = [e for _, err in results for e in err]
    if not latencies:
        return {"rps": 0.0, "p50_ms": None, "p95_ms": None, "errors": len(errors)}
    return {
        "rps": round(len(latencies) / duration, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        "errors": len(errors),
    }


def wrk_load(port: int, path: str, connections: int, duration: float) -> dict[str, Any]:
    script = (
        "done = function(summary, latency, requests)\n"
        'io.write(string.format(\'JSON {"requests": %d, "p50": %d, "p95": %d, '
        '"errors": %d}\\n\', summary.requests, latency:percentile(50), '
        "latency:percentile(95), summary.errors.status + summary.errors.connect + "
        "summary.errors.read + summary.errors.timeout))\nend\n"
    )
    script_path = Path(tempfile.gettempdir()) / f"hot_reads_{os.getpid()}.lua"
    script_path.write_text(script)
    output = subprocess.run(  # noqa: S603  # nosec B603 - our own command line
        [str(shutil.which("wrk")), "-t2", f"-c{connections}", f"-d{int(duration)}s", "-s", str(script_path),
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in output.splitlines() if x.startswith("JSON "))
    found = json.loads(line[5:])
    return {
        "rps": round(found["requests"] / duration, 1),
        "p50_ms": round(found["p50"] / 1000, 1),
        "p95_ms": round(found["p95"] / 1000, 1),
        "errors": found["errors"],
    }


# ----- what to load --------------------------------------------------------------------------
def bracket_tournament(database_url: str) -> int:
    """A played 256-player double elimination (made once, through the services)."""
    import brackets as bracket_bench  # bench/brackets.py
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        found = connection.execute(
            sa.text(
                "SELECT id FROM tournaments WHERE name LIKE 'Bench %' AND status = 'completed' "
                "AND format = 'double_elimination' AND max_participants = 256 ORDER BY id LIMIT 1"
            )
        ).scalar()
    engine.dispose()
    if found:
        return int(found)
    bracket_bench.PostgresBackend.database_url = database_url
    backend = bracket_bench.PostgresBackend()
    seeds = list(range(1, 257))
    backend.prepare("double_elimination", seeds)
    backend.play(backend.generate("double_elimination", seeds))
    backend.context.pop()
    return int(backend.tournament_id)


def endpoints(database_url: str) -> list[tuple[str, str]]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        detail = connection.execute(
            sa.text(
                "SELECT id FROM tournaments WHERE visibility = 'public' AND deleted_at IS NULL "
                "AND status = 'registration_open' ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    bracket = bracket_tournament(database_url)
    cursor_page = _second_page_cursor(database_url)
    return [
        ("list default", "/api/tournaments/?page_size=20"),
        ("list page 50", "/api/tournaments/?page_size=20&page=50"),
        ("list cursor page 2", f"/api/tournaments/?page_size=20&cursor={cursor_page}"),
        ("list open by start", "/api/tournaments/?page_size=20&status=registration_open&ordering=start_at"),
        ("list by prize", "/api/tournaments/?page_size=20&ordering=-prize_pool"),
        ("list by name", "/api/tournaments/?page_size=20&ordering=name"),
        ("list game", "/api/tournaments/?page_size=20&game=valorant"),
        ("list region", "/api/tournaments/?page_size=20&region=dhaka"),
        ("list has_slots", "/api/tournaments/?page_size=20&has_slots=true"),
        ("list free", "/api/tournaments/?page_size=20&free=true"),
        ("search cup", "/api/tournaments/search/?q=cup&page_size=20"),
        ("upcoming", "/api/tournaments/upcoming/?page_size=20"),
        ("detail", f"/api/tournaments/{detail}/"),
        ("bracket 256 DE", f"/api/tournaments/{bracket}/bracket/"),
        ("standings 256 DE", f"/api/tournaments/{bracket}/standings/"),
    ]  # fmt: skip


def _in_process_app(database_url: str) -> Any:
    from deltacrown.app import create_app

    return create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
    )  # fmt: skip


def _second_page_cursor(database_url: str) -> str:
    client = _in_process_app(database_url).test_client()
    response = client.get("/api/tournaments/?page_size=20&cursor=")
    return str(response.headers["X-Next-Cursor"])


def round_trips(database_url: str, paths: list[tuple[str, str]]) -> dict[str, int]:
    """Database round trips of one request per endpoint (after a warm-up request)."""
    from deltacrown.extensions import db
    from tests.performance.wire import round_trips as tracing

    app = _in_process_app(database_url)
    client = app.test_client()
    with app.app_context():
        engine = db.engine
    counts = {}
    for name, path in paths:
        client.get(path)
        with tracing(engine) as trips:
            client.get(path)
        counts[name] = trips.count
    return counts


# ----- servers -------------------------------------------------------------------------------
def serve(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = open(Path(tempfile.gettempdir()) / f"hot_reads_{port}.log", "wb")  # noqa: SIM115 - the server's
    process = subprocess.Popen(  # noqa: S603  # nosec B603 - our own command line
        [*GUNICORN, "-b", f"127.0.0.1:{port}", app], cwd=ROOT, env=env,
        start_new_session=True, stdout=log, stderr=log,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit(f"{app} did not start on port {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--label", default="")
    parser.add_argument("--only", nargs="*", help="endpoint names to load (default: all)")
    args = parser.parse_args(argv)
    if not args.database_url or not args.redis_url:
        raise SystemExit("needs --database-url (PostgreSQL, seeded) and --redis-url")

    import sqlalchemy as sa

    paths = endpoints(args.database_url)
    if args.only:
        paths = [(name, path) for name, path in paths if name in args.only]
    trips = round_trips(args.database_url, paths)
    engine = sa.create_engine(args.database_url)
    with engine.connect() as connection:
        size = connection.execute(sa.text("SELECT count(*) FROM tournaments")).scalar_one()
        registrations = connection.execute(
            sa.text("SELECT count(*) FROM registrations")
        ).scalar_one()
    engine.dispose()

    env = {
        **os.environ,
        "DELTACROWN_ENV": "production",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.redis_url,
        "SECRET_KEY": "bench-" + "s" * 40,
        "JWT_SECRET_KEY": "bench-" + "j" * 40,
        "RATELIMIT_DEFAULT": "100000000/minute",
        "BENCH_DATABASE_URL": args.database_url,
        "PYTHONPATH": str(ROOT),
    }
    load = wrk_load if shutil.which("wrk") else python_load
    app = serve("wsgi:app", APP_PORT, env)
    bare = serve("bare_app:app", BARE_PORT, {**env, "PYTHONPATH": str(ROOT / "bench")})
    common = {"label": args.label, "tournaments": size, "registrations": registrations,
              "connections": args.connections, "duration": args.duration,
              "load": load.__name__}  # fmt: skip
    try:
        for port, path in ((BARE_PORT, "/tournaments/"), (APP_PORT, paths[0][1])):
            load(port, path, args.connections, 1.0)  # warm both up
        baseline = load(BARE_PORT, "/tournaments/", args.connections, args.duration)
        print(json.dumps({**common, "endpoint": "bare Flask + ORM, 20 rows", **baseline,
                          "ratio": 1.0}), flush=True)  # fmt: skip
        for name, path in paths:
            figures = load(APP_PORT, path, args.connections, args.duration)
            ratio = round(figures["rps"] / baseline["rps"], 2) if baseline["rps"] else None
            print(json.dumps({**common, "endpoint": name, "path": path, **figures,
                              "ratio": ratio, "db_round_trips": trips[name]}), flush=True)  # fmt: skip
    finally:
        stop(app)
        stop(bare)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Websocket fan-out in server mode: delivery latency, losses and server CPU per follower count.

    .venv/bin/python bench/ws_fanout.py                          # 1 and 2 processes, 100 and
                                                                 #   1,000 followers, REST and ws
    .venv/bin/python bench/ws_fanout.py --processes 2 --followers 1000 --path ws --duration 10

For each case (processes x followers x path) the script seeds a live best-of-3 match of a
public cup, starts gunicorn in server mode (`-k gthread -w PROCESSES --threads T`, T sized
for the followers: ceil(followers / processes) + `--headroom`) on PostgreSQL and Redis,
connects the followers to `/ws/matches/{id}` (asyncio `websockets` clients, no token: the
cup is public), then sends one score update per second (`--rate`) for `--duration` seconds
through `POST /api/matches/{id}/score/` as the organizer (`rest`) or as
`{"type": "score.update", ...}` frames on the organizer's own websocket (`ws`).

It prints one line per case, then the table it saves to `--output`:

- latency: receive time at a follower minus send time at the sender (taken just before the
  request or frame leaves), over every follower and every update: p50, p99 and max (ms);
- lost: updates some follower never received (must be 0), and `seq` gaps seen by followers;
- server CPU: user + system time of the gunicorn master and workers (from /proc/<pid>/stat)
  while the updates were sent and delivered, in seconds and as a share of one core;
- per worker: the followers each worker holds (its established sockets on the port), and
  followers whose handshake no thread answered within 20 s ("unconnected", must be 0);
- failed: updates the server did not accept (REST: an error or no answer within 10 s);
- RSS: resident memory of the gunicorn processes at the end of the updates;
- client CPU: what this process (sender and followers) used meanwhile, on the same CPUs;
- load: the machine's 1-minute load average at the end of the case (other jobs slow it).

Gunicorn gets `--worker-connections` equal to `--threads` unless told otherwise
(`--worker-connections gunicorn` keeps gunicorn's default of 1000): a gthread worker keeps
accepting connections up to that number whatever its free threads, and a connection it
accepted with every thread held by a follower waits until one leaves. With the cap equal to
the threads, a full worker stops accepting and the kernel hands new connections to another.

The database (`--database-url`, default `dc_fanout_bench` on the local server) is dropped,
created and migrated first and dropped at the end; the Redis database (`--redis-url`, default
db 13) only gets the keys of the channels used, deleted after each case. Sender and followers
run in this process on the same machine as the server, so the latencies include the client's
own event loop; the figures compare cases, they are not a capacity claim for other hardware.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import websockets  # noqa: E402

from tests.live import support  # noqa: E402
from tests.live.support import LiveMatch, forget_channels, seed_live_match  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "ws_fanout.txt"
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/dc_fanout_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
SECRET = f"bench-{uuid.uuid4().hex}"  # the servers and the seeding app sign tokens with it
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CONNECT_CONCURRENCY = 25  # handshakes in flight at once (each takes a server thread and a DB read)
CONNECT_SECONDS = 20  # a handshake not answered by then waits for a thread that never frees
DRAIN_SECONDS = 15
SEND_SECONDS = 10  # a REST update not answered by then counts as failed  # after the last update, how long followers may take to receive it


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


# ----- the server -----------------------------------------------------------------------------
class Server:
    """gunicorn gthread in server mode, on a port it picks (read back from its log), in its
    own process group so that stopping it stops its workers."""

    def __init__(
        self, env: dict[str, str], processes: int, threads: int, connections: int | None
    ) -> None:
        self.processes = processes
        self.log: IO[str] = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed in stop())
            "w+", prefix="ws-fanout-gunicorn-", suffix=".log"
        )
        command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", str(threads),
                   "-w", str(processes), "-b", "127.0.0.1:0", "--graceful-timeout", "3"]  # fmt: skip
        if connections is not None:
            command += ["--worker-connections", str(connections)]
            if connections <= threads:  # no room for idle keep-alive: say so (docs/operations.md)
                command += ["--keep-alive", "0"]
        command.append("wsgi:app")
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.port = 0

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_text()[-3000:]}")
            text = self.log_text()
            if not self.port and "Listening at: http://" in text:
                address = text.split("Listening at: http://")[1].split()[0]
                self.port = int(address.rsplit(":", 1)[1])
            booted = text.count("Booting worker")
            if self.port and booted >= self.processes and len(self.worker_pids()) >= self.processes:
                try:
                    with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310
                        return
                except (OSError, urllib.error.URLError):
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not get ready:\n{self.log_text()[-3000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """User + system time of the master and its workers so far."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()  # after "(comm)": state is fields[0]
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / CLOCK_TICKS

    def rss_mib(self) -> float:
        """Resident memory of the master and its workers (VmRSS), in MiB."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])  # kB
            except OSError:
                continue
        return total / 1024

    def connections_per_worker(self) -> list[int]:
        """Established TCP sockets on the server's port held by each worker."""
        established = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                parts = line.split()
                local_port = int(parts[1].rsplit(":", 1)[1], 16)
                if local_port == self.port and parts[3] == "01":  # 01 = ESTABLISHED
                    established.add(parts[9])  # inode
        counts = []
        for pid in self.worker_pids():
            count = 0
            try:
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    try:
                        target = os.readlink(fd)
                    except OSError:
                        continue
                    if target.startswith("socket:[") and target[8:-1] in established:
                        count += 1
            except OSError:
                pass
            counts.append(count)
        return sorted(counts, reverse=True)

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if self.process.poll() is not None:
                break
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        self.log.close()


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    """Server mode; the default rate limit is lifted: a thousand followers connecting from
    one address would otherwise be throttled as one client."""
    return support.server_env(database_url, redis_url, SECRET, RATELIMIT_DEFAULT="1000000/minute")


@contextmanager
def running(
    env: dict[str, str], processes: int, threads: int, connections: int | None
) -> Iterator[Server]:
    server = Server(env, processes, threads, connections)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# ----- one case -------------------------------------------------------------------------------
@dataclass
class Follower:
    ws: Any
    last_seq: int
    received: dict[int, float] = field(default_factory=dict)  # update number -> receive time
    seqs: list[int] = field(default_factory=list)


def update_of(k: int) -> dict[str, int]:
    """Update number k as a score of game 1 (p1 = k: unique per update, at most 9999)."""
    return {"game": 1, "p1": k, "p2": 0}


def number_of(data: dict[str, Any]) -> int:
    return int(data["p1"])


async def follow(ws_url: str, limit: asyncio.Semaphore) -> Follower | None:
    """A connected follower, or None when the server did not complete the handshake and
    send `connection_established` within CONNECT_SECONDS (no thread free for it)."""
    async with limit:
        try:
            ws = await websockets.connect(ws_url, open_timeout=CONNECT_SECONDS, max_size=2**20)
        except (TimeoutError, OSError, websockets.InvalidHandshake):
            return None
        try:
            hello = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_SECONDS))
        except (TimeoutError, websockets.ConnectionClosed):
            await ws.close()
            return None
    if hello.get("type") != "connection_established":
        raise RuntimeError(f"expected connection_established, got {hello}")
    return Follower(ws, int(hello["data"]["last_seq"]))


async def read(follower: Follower) -> None:
    try:
        async for raw in follower.ws:
            now = time.time()
            message = json.loads(raw)
            if "seq" in message:
                follower.seqs.append(int(message["seq"]))
            if message.get("type") == "match.score_updated":
                follower.received.setdefault(number_of(message["data"]), now)
    except websockets.ConnectionClosed:
        return


def post_score(url: str, token: str, body: dict[str, int]) -> str | None:
    """Send one update through REST; None, or why it failed (a status, or no answer)."""
    request = urllib.request.Request(  # noqa: S310  (the local bench server)
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=SEND_SECONDS) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        return f"{exc.code} {exc.read().decode()[:300]}"
    except (TimeoutError, OSError) as exc:
        return f"no answer within {SEND_SECONDS} s ({exc})"
    return None


async def run_case(
    server: Server, seeded: LiveMatch, followers: int, path: str, duration: float, rate: float
) -> dict[str, Any]:
    ws_url = f"ws://127.0.0.1:{server.port}/ws/matches/{seeded.match_id}"
    limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
    start_connect = time.monotonic()
    attempts = await asyncio.gather(*(follow(ws_url, limit) for _ in range(followers)))
    crowd = [f for f in attempts if f is not None]
    connect_seconds = time.monotonic() - start_connect
    readers = [asyncio.create_task(read(f)) for f in crowd]
    sender: Any = None
    sender_errors: list[Any] = []
    if path == "ws":
        sender = await websockets.connect(f"{ws_url}?token={seeded.organizer}")
        json.loads(await sender.recv())  # connection_established

        async def watch_sender() -> None:
            async for raw in sender:
                message = json.loads(raw)
                if message.get("type") == "error":
                    sender_errors.append(message)

        sender_reader = asyncio.create_task(watch_sender())
    per_worker = server.connections_per_worker()
    updates = max(1, round(duration * rate))
    sent: dict[int, float] = {}
    rest_url = f"{server.url}/api/matches/{seeded.match_id}/score/"
    loop = asyncio.get_running_loop()
    cpu_before, clock = server.cpu_seconds(), time.monotonic()
    client_before = sum(os.times()[:2])
    for k in range(updates):
        await asyncio.sleep(max(0.0, clock + k / rate - time.monotonic()))
        body = update_of(k)
        sent[k] = time.time()
        if path == "rest":
            failure = await loop.run_in_executor(None, post_score, rest_url, seeded.organizer, body)
            if failure is not None:
                sender_errors.append(failure)
                del sent[k]  # not sent: neither delivered nor lost
        else:
            await sender.send(json.dumps({"type": "score.update", **body}))
    drain_until = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < drain_until and any(len(f.received) < len(sent) for f in crowd):
        await asyncio.sleep(0.05)
    window = time.monotonic() - clock
    cpu = server.cpu_seconds() - cpu_before
    rss = server.rss_mib()
    client_cpu = sum(os.times()[:2]) - client_before
    for f in crowd:
        await f.ws.close()
    if sender is not None:
        await sender.close()
        await sender_reader
    await asyncio.gather(*readers)
    for failure in sender_errors[:3]:
        print(f"  update failed: {failure}", file=sys.stderr)

    latencies = sorted(
        (received - sent[k]) * 1000
        for f in crowd
        for k, received in f.received.items()
        if k in sent
    )
    lost = sum(len(sent) - len(f.received.keys() & sent.keys()) for f in crowd)
    gaps = sum(
        sum(1 for a, b in zip([f.last_seq, *f.seqs], f.seqs, strict=False) if b != a + 1)
        for f in crowd
    )
    return {
        "unconnected": followers - len(crowd),
        "updates": updates,
        "failed": len(sender_errors),
        "deliveries": len(latencies),
        "lost": lost,
        "seq_gaps": gaps,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "max_ms": latencies[-1] if latencies else math.nan,
        "cpu_s": cpu,
        "cpu_pct": 100 * cpu / window,
        "client_cpu_s": client_cpu,
        "rss_mib": rss,
        "connect_s": connect_seconds,
        "load": os.getloadavg()[0],
        "per_worker": per_worker,
    }


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


# ----- output ---------------------------------------------------------------------------------
COLUMNS = [
    ("procs", "processes", "{}"),
    ("followers", "followers", "{}"),
    ("path", "path", "{}"),
    ("threads", "threads", "{}"),
    ("worker conns", "worker_connections", "{}"),
    ("per worker", "per_worker", "{}"),
    ("unconnected", "unconnected", "{}"),
    ("updates", "updates", "{}"),
    ("failed", "failed", "{}"),
    ("deliveries", "deliveries", "{}"),
    ("lost", "lost", "{}"),
    ("seq gaps", "seq_gaps", "{}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p99 ms", "p99_ms", "{:.1f}"),
    ("max ms", "max_ms", "{:.1f}"),
    ("CPU s", "cpu_s", "{:.2f}"),
    ("CPU %", "cpu_pct", "{:.1f}"),
    ("client CPU s", "client_cpu_s", "{:.2f}"),
    ("RSS MiB", "rss_mib", "{:.0f}"),
    ("connect s", "connect_s", "{:.1f}"),
    ("load", "load", "{:.1f}"),
]


def table(rows: list[dict[str, Any]]) -> str:
    cells = [[fmt.format("/".join(map(str, row[key])) if key == "per_worker" else row[key])
              for _, key, fmt in COLUMNS] for row in rows]  # fmt: skip
    widths = [
        max(len(title), *(len(c[i]) for c in cells)) for i, (title, _, _) in enumerate(COLUMNS)
    ]
    lines = [" | ".join(title.rjust(w) for (title, _, _), w in zip(COLUMNS, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


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
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--followers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--path", choices=["rest", "ws", "both"], default="both")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of updates")
    parser.add_argument("--rate", type=float, default=1.0, help="updates per second")
    parser.add_argument("--headroom", type=int, default=16,
                        help="threads per process beyond its share of followers")  # fmt: skip
    parser.add_argument(
        "--worker-connections",
        default="threads",
        help="gunicorn --worker-connections: 'threads' (the default: equal to --threads, so a "
        "full worker stops accepting), 'gunicorn' (its own default, 1000) or a number",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    raise_open_file_limit(max(args.followers) * 3 + 1024)
    paths = ["rest", "ws"] if args.path == "both" else [args.path]
    recreate_database(args.database_url)
    rows: list[dict[str, Any]] = []
    app = None
    try:
        app = seeding_app(args.database_url)
        env = server_env(args.database_url, args.redis_url)
        for processes in args.processes:
            for followers in args.followers:
                threads = math.ceil(followers / processes) + args.headroom
                connections = (
                    {"threads": threads, "gunicorn": None}.get(args.worker_connections, None)
                    if not args.worker_connections.isdigit()
                    else int(args.worker_connections)
                )
                for path in paths:
                    seeded = seed_live_match(app, f"fo{uuid.uuid4().hex[:8]}", domain="bench.test")
                    try:
                        with running(env, processes, threads, connections) as server:
                            figures = asyncio.run(
                                run_case(server, seeded, followers, path, args.duration, args.rate)
                            )
                    finally:
                        forget_channels(args.redis_url, seeded)
                    row = {"processes": processes, "followers": followers, "path": path,
                           "threads": threads, "worker_connections": connections or 1000,
                           **figures}  # fmt: skip
                    print(json.dumps(row), flush=True)
                    rows.append(row)
    finally:
        from deltacrown.extensions import db

        if app is not None:
            with app.app_context():
                db.engine.dispose()
        drop_database(args.database_url)

    header = (
        f"bench/ws_fanout.py {' '.join(argv if argv is not None else sys.argv[1:]) or '(defaults)'}"
        f" (gunicorn {gunicorn_version()})\n"
        f"recorded {datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}; Python "
        f"{platform.python_version()}, websockets {websockets.__version__}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}\n"
        f"{args.duration:g} s of updates at {args.rate:g}/s per case; latency = follower "
        f"receive time - sender send time, over every follower and update\n"
    )
    text = header + "\n" + table(rows) + "\n"
    print()
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output}", file=sys.stderr)
    ok = all(row[key] == 0 for row in rows for key in ("lost", "seq_gaps", "unconnected", "failed"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

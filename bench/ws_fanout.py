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
  delivery cost alone is the difference;
- RSS: resident memory of the serving processes, and per follower (the growth from before the
  followers connected, divided by the followers; a later round on the same gunicorn reuses
  the memory of the first, so only round 1 measures it);
- REST p95: `GET /api/matches/{id}/` on gunicorn ten times a second during the updates: with
  the followers on gunicorn (project) and with them on the baseline (gunicorn followed by
  nobody), plus the same probe on a quiet machine before any follower connects;
- threads: threads of the serving processes with the followers connected;
- per worker: followers held by each gunicorn worker (established sockets on its port);
- load: the machine's 1-minute load average at the end of the case (other jobs slow it).

The database (`--database-url`, default `dc_fanout_bench` on the local server) is dropped,
created and migrated first and dropped at the end; the Redis database (`--redis-url`, default
db 13) only gets the keys of the channels used, deleted after each follower count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
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
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
CONNECT_CONCURRENCY = 50  # handshakes in flight at once per client process
CONNECT_SECONDS = 60  # a handshake not answered by then counts as unconnected
DRAIN_SECONDS = 30  # after the last update, how long followers may take to receive it
SEND_SECONDS = 10  # a REST update not answered by then counts as failed
PROBE_INTERVAL = 0.1  # seconds between REST probes
REST_THREADS = 8  # gunicorn threads per process: REST only, followers hold none
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


# ----- processes: CPU and memory ----------------------------------------------------------------
def cpu_seconds(pids: list[int]) -> float:
    """User + system time of `pids` so far."""
    total = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "(comm)": state is fields[0]
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def rss_mib(pids: list[int]) -> float:
    """Resident memory of `pids` (VmRSS), in MiB."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])  # kB
        except OSError:
            continue
    return total / 1024


def thread_count(pids: list[int]) -> int:
    """Threads of `pids`, in all."""
    total = 0
    for pid in pids:
        try:
            total += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return total


def stop_group(process: subprocess.Popen[Any]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


class Gunicorn:
    """gunicorn gthread in server mode, on a port it picks (read back from its log), in its
    own process group so that stopping it stops its workers."""

    def __init__(self, env: dict[str, str], processes: int) -> None:
        self.processes = processes
        self.log: IO[str] = tempfile.NamedTemporaryFile(  # noqa: SIM115  (closed in stop())
            "w+", prefix="ws-fanout-gunicorn-", suffix=".log"
        )
        command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads",
                   str(REST_THREADS), "-w", str(processes), "-b", "127.0.0.1:0",
                   "--graceful-timeout", "3", "wsgi:app"]  # fmt: skip
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
            if self.port and len(self.worker_pids()) >= self.processes:
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

    def pids(self) -> list[int]:
        return [self.process.pid, *self.worker_pids()]

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
        stop_group(self.process)
        self.log.close()


def server_env(database_url: str, redis_url: str, followers: int) -> dict[str, str]:
    """Server mode; the default rate limit and the per-address cap are lifted (every follower
    connects from 127.0.0.1)."""
    return support.server_env(
        database_url, redis_url, SECRET, RATELIMIT_DEFAULT="1000000/minute",
        WS_MAX_CONNECTIONS_PER_ADDRESS=str(followers + 100),
        WS_MAX_CONNECTIONS_PER_PROCESS=str(followers + 100),
    )  # fmt: skip


# ----- the baseline: a minimal asyncio broadcast server --------------------------------------------
async def baseline_serve(port: int, redis_url: str, pubsub_channel: str, seq_key: str) -> None:
    """Every socket receives every message of `pubsub_channel` as it arrives (after a hello
    with the channel's current seq, like the project's `connection_established`)."""
    import redis.asyncio as aioredis
    from websockets.asyncio.server import broadcast, serve

    # A bounded pool that waits: thousands of handshakes at once must not each open (or be
    # refused) a Redis connection.
    client = aioredis.Redis(connection_pool=aioredis.BlockingConnectionPool.from_url(
        redis_url, max_connections=16, timeout=None))  # fmt: skip
    sockets: set[Any] = set()

    async def handler(ws: Any) -> None:
        last_seq = int(await client.get(seq_key) or 0)
        sockets.add(ws)
        try:
            await ws.send(json.dumps({"type": "connection_established",
                                      "data": {"last_seq": last_seq}}))  # fmt: skip
            await ws.wait_closed()
        finally:
            sockets.discard(ws)

    pubsub = client.pubsub()
    await pubsub.subscribe(pubsub_channel)
    async with serve(
        handler, "127.0.0.1", port, reuse_port=True, compression=None, max_queue=4, backlog=2048
    ):  # fmt: skip  (gunicorn's backlog)
        print("ready", flush=True)
        async for message in pubsub.listen():
            if message["type"] == "message":
                broadcast(sockets, message["data"].decode())


class Baseline:
    def __init__(self, processes: int, redis_url: str, pubsub_channel: str, seq_key: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.processes = [
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    __file__,
                    "--baseline-server",
                    str(self.port),
                    redis_url,
                    pubsub_channel,
                    seq_key,
                ],
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )  # fmt: skip
            for _ in range(processes)
        ]
        for process in self.processes:
            if process.stdout is None or process.stdout.readline().strip() != "ready":
                raise RuntimeError("the baseline server did not start")

    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            stop_group(process)


# ----- followers, in client processes ------------------------------------------------------------
@dataclass
class Follower:
    ws: Any
    last_seq: int
    received: dict[int, float] = field(default_factory=dict)  # update number -> receive time
    seqs: list[int] = field(default_factory=list)


def update_of(k: int) -> dict[str, int]:
    """Update number k as a score of game 1 (p1 = k: unique per update, at most 9999)."""
    return {"game": 1, "p1": k, "p2": 0}


async def follow(ws_url: str, limit: asyncio.Semaphore) -> Follower | str:
    """A connected follower, or why the server did not complete the handshake and send its
    hello within CONNECT_SECONDS."""
    async with limit:
        try:
            ws = await websockets.connect(ws_url, open_timeout=CONNECT_SECONDS, max_size=2**20)
        except (TimeoutError, OSError, websockets.InvalidHandshake) as exc:
            return f"{type(exc).__name__}: {str(exc)[:80]}"
        try:
            hello = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_SECONDS))
        except (TimeoutError, websockets.ConnectionClosed) as exc:
            await ws.close()
            return f"no hello: {type(exc).__name__}"
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
                follower.received.setdefault(int(message["data"]["p1"]), now)
    except websockets.ConnectionClosed:
        return


async def clients(pipe: Any) -> None:
    """Serve the parent's commands: connect, cpu, wait, collect, close."""
    loop = asyncio.get_running_loop()
    crowd: list[Follower] = []
    readers: list[asyncio.Task[None]] = []
    while True:
        command, *args = await loop.run_in_executor(None, pipe.recv)
        if command == "connect":
            url, count = args
            limit = asyncio.Semaphore(CONNECT_CONCURRENCY)
            attempts = await asyncio.gather(*(follow(url, limit) for _ in range(count)))
            crowd = [f for f in attempts if isinstance(f, Follower)]
            for reason in sorted({f for f in attempts if isinstance(f, str)}):
                print(f"  not connected: {reason}", file=sys.stderr)
            readers = [asyncio.create_task(read(f)) for f in crowd]
            pipe.send(len(crowd))
        elif command == "cpu":
            pipe.send(sum(os.times()[:2]))
        elif command == "wait":
            keys, seconds = set(args[0]), args[1]
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and any(not keys <= f.received.keys() for f in crowd):
                await asyncio.sleep(0.1)
            pipe.send(True)
        elif command == "collect":
            sent: dict[int, float] = args[0]
            pipe.send({
                "latencies": [(t - sent[k]) * 1000 for f in crowd for k, t in f.received.items()
                              if k in sent],
                "lost": sum(len(sent) - len(f.received.keys() & sent.keys()) for f in crowd),
                "gaps": sum(sum(1 for a, b in zip([f.last_seq, *f.seqs], f.seqs, strict=False)
                                if b != a + 1) for f in crowd),
            })  # fmt: skip
        elif command == "close":
            for task in readers:
                task.cancel()
            pipe.send(True)
            os._exit(0)  # the kernel closes every socket at once


def client_main(pipe: Any) -> None:
    asyncio.run(clients(pipe))


class Crowd:
    """`followers` spread over `processes` client processes."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("fork")
        self.pipes, self.processes = [], []
        for _ in range(processes):
            parent, child = context.Pipe()
            process = context.Process(target=client_main, args=(child,), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def ask(self, *commands: Any) -> list[Any]:
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)
        return [pipe.recv() for pipe in self.pipes]

    def all(self, *command: Any) -> list[Any]:
        return self.ask(*([command] * len(self.pipes)))

    def connect(self, url: str, followers: int) -> int:
        share = [followers // len(self.pipes) + (i < followers % len(self.pipes))
                 for i in range(len(self.pipes))]  # fmt: skip
        return sum(self.ask(*(("connect", url, n) for n in share)))

    def close(self) -> None:
        self.all("close")
        for process in self.processes:
            process.join(timeout=10)


# ----- one side of a case ----------------------------------------------------------------------
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


class Probe:
    """GET `url` every PROBE_INTERVAL seconds in a thread; the response times (ms)."""

    def __init__(self, url: str) -> None:
        self.url, self.times, self.failed = url, [], 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=SEND_SECONDS) as r:  # noqa: S310
                    r.read()
                self.times.append((time.perf_counter() - started) * 1000)
            except (OSError, urllib.error.URLError):
                self.failed += 1
            self._stop.wait(max(0.0, PROBE_INTERVAL - (time.perf_counter() - started)))

    def __enter__(self) -> Probe:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self.thread.join()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def run_side(side: str, ws_url: str, serving: Any, gunicorn: Gunicorn, seeded: LiveMatch,
             followers: int, client_processes: int, duration: float, rate: float) -> dict[str, Any]:  # fmt: skip
    crowd = Crowd(client_processes)
    try:
        rss_before = rss_mib(serving.pids())
        started = time.monotonic()
        connected = crowd.connect(ws_url, followers)
        connect_seconds = time.monotonic() - started
        time.sleep(2)  # let the servers settle (and free what the handshakes used)
        rss_after = rss_mib(serving.pids())
        threads = thread_count(serving.pids())
        per_worker = gunicorn.connections_per_worker() if side == "project" else []
        updates = max(1, round(duration * rate))
        sent: dict[int, float] = {}
        failures: list[str] = []
        score_url = f"{gunicorn.url}/api/matches/{seeded.match_id}/score/"
        cpu_before, rest_before = cpu_seconds(serving.pids()), cpu_seconds(gunicorn.pids())
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
        client_cpu = sum(crowd.all("cpu")) - client_before
        results = crowd.all("collect", sent)
    finally:
        crowd.close()
    for failure in failures[:3]:
        print(f"  update failed: {failure}", file=sys.stderr)
    latencies = sorted(x for r in results for x in r["latencies"])
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
        "rss_mib": rss_after,
        "kib_per_follower": 1024 * (rss_after - rss_before) / connected if connected else math.nan,
        "rest_p95_ms": percentile(probe.times, 95),
        "probes": len(probe.times),
        "threads": threads,
        "per_worker": per_worker,
        "connect_s": connect_seconds,
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
        db_number = redis_url.rsplit("/", 1)[-1] or "0"

        def project() -> dict[str, Any]:
            return run_side("project", ws_url, gunicorn, gunicorn, seeded, followers,
                            client_processes, duration, rate)  # fmt: skip

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


# ----- output ---------------------------------------------------------------------------------
COLUMNS = [
    ("round", "round", "{}"),
    ("side", "side", "{}"),
    ("followers", "followers", "{}"),
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
    ("µs/delivery", "cpu_us_per_delivery", "{:.1f}"),
    ("REST CPU s", "rest_cpu_s", "{:.2f}"),
    ("RSS MiB", "rss_mib", "{:.0f}"),
    ("KiB/follower", "kib_per_follower", "{:.1f}"),
    ("REST p95 ms", "rest_p95_ms", "{:.1f}"),
    ("quiet p95 ms", "quiet_rest_p95_ms", "{:.1f}"),
    ("threads", "threads", "{}"),
    ("per worker", "per_worker", "{}"),
    ("connect s", "connect_s", "{:.1f}"),
    ("client CPU s", "client_cpu_s", "{:.1f}"),
    ("load", "load", "{:.1f}"),
]


def table(rows: list[dict[str, Any]]) -> str:
    cells = [[fmt.format("/".join(map(str, row[key])) or "-" if key == "per_worker" else row[key])
              for _, key, fmt in COLUMNS] for row in rows]  # fmt: skip
    widths = [
        max(len(title), *(len(c[i]) for c in cells)) for i, (title, _, _) in enumerate(COLUMNS)
    ]
    lines = [" | ".join(title.rjust(w) for (title, _, _), w in zip(COLUMNS, widths, strict=True))]
    lines.append("-+-".join("-" * w for w in widths))
    lines += [" | ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 and not math.isnan(a) else "n/a"


def ratios(rows: list[dict[str, Any]]) -> list[str]:
    """Per follower count and round: the project against the baseline, as the goals state
    them; with several rounds, the median of each ratio over the rounds. The project's CPU
    per delivery is taken without the REST updates' own cost (gunicorn's CPU in the baseline
    side, where it served the same updates and probes but no follower)."""
    lines = []
    medians: dict[int, list[tuple[float, float, float]]] = {}
    for project in (r for r in rows if r["side"] == "project"):
        base = next(r for r in rows if r["side"] == "baseline"
                    and r["followers"] == project["followers"]
                    and r.get("round") == project.get("round"))  # fmt: skip
        net_us = 1e6 * (project["cpu_s"] - base["rest_cpu_s"]) / max(1, project["deliveries"])
        medians.setdefault(project["followers"], []).append((
            project["p99_ms"] / base["p99_ms"],
            net_us / base["cpu_us_per_delivery"],
            project["rest_p95_ms"] / base["rest_p95_ms"],
        ))  # fmt: skip
        lines.append(
            f"{project['followers']} followers, round {project.get('round', 1)}: p99 "
            f"{project['p99_ms']:.1f} vs "
            f"{base['p99_ms']:.1f} ms = {ratio(project['p99_ms'], base['p99_ms'])}; server CPU "
            f"per delivery {net_us:.1f} µs (with the REST updates "
            f"{project['cpu_us_per_delivery']:.1f}) vs {base['cpu_us_per_delivery']:.1f} µs = "
            f"{ratio(net_us, base['cpu_us_per_delivery'])}; memory "
            f"{project['kib_per_follower'] / 1024:.3f} MiB per follower (baseline "
            f"{base['kib_per_follower'] / 1024:.3f}); REST p95 {project['rest_p95_ms']:.1f} ms "
            f"with the followers vs {base['rest_p95_ms']:.1f} ms with nobody following = "
            f"{ratio(project['rest_p95_ms'], base['rest_p95_ms'])}; lost {project['lost']}, "
            f"seq gaps {project['seq_gaps']}"
        )  # fmt: skip
    for followers, found in medians.items():
        if len(found) > 1:
            p99, cpu, rest = (statistics.median(column) for column in zip(*found, strict=True))
            lines.append(
                f"{followers} followers, median of {len(found)} rounds: p99 {p99:.2f}x, server "
                f"CPU per delivery {cpu:.2f}x, REST p95 {rest:.2f}x"
            )
    return lines


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
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--output", type=Path, default=RESULTS, help="appended to")
    args = parser.parse_args(argv)

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

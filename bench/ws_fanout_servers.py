"""The two servers bench/ws_fanout.py compares, and the measures of their processes.

gunicorn in server mode (gthread, on a port it picks) and the minimal asyncio `websockets`
baseline (run as `bench/ws_fanout.py --baseline-server`, one process per gunicorn process),
with the CPU time, resident memory and threads of the processes serving the followers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINT = Path(__file__).with_name("ws_fanout.py")  # its --baseline-server runs the baseline
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
REST_THREADS = 8  # gunicorn threads per process: REST only, followers hold none


# ----- processes: CPU and memory ----------------------------------------------------------------
def _stat_seconds(stat: str) -> float:
    """User + system time in a `/proc/.../stat` line."""
    fields = stat.rsplit(")", 1)[1].split()  # after "(comm)": state is fields[0]
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14, 15)


def cpu_seconds(pids: list[int]) -> float:
    """User + system time of `pids` so far."""
    total = 0.0
    for pid in pids:
        try:
            total += _stat_seconds(Path(f"/proc/{pid}/stat").read_text())
        except OSError:
            continue
    return total


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


# The threads of a project process that serve followers (named by `deltacrown.core.threads`):
# the hub (every socket's reads and writes, the fan-out), the Redis listener feeding it and
# the handler pool (handshakes, catch-ups). The REST threads and the main thread are left out.
FAN_OUT_THREADS = ("dc-ws-hub", "dc-live-listen", "dc-ws-job")


def thread_cpu_seconds(pids: list[int], names: tuple[str, ...] = FAN_OUT_THREADS) -> float:
    """CPU time so far of the threads of `pids` named `names`: from `schedstat` (nanoseconds
    on a CPU) where the kernel keeps it, else from `stat` (user + system, in clock ticks)."""
    total = 0.0
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            task = Path(f"/proc/{pid}/task/{tid}")
            try:
                if task.joinpath("comm").read_text().strip() not in names:
                    continue
                try:
                    total += int(task.joinpath("schedstat").read_text().split()[0]) / 1e9
                except (OSError, ValueError, IndexError):
                    total += _stat_seconds(task.joinpath("stat").read_text())
            except OSError:  # the thread ended meanwhile
                continue
    return total


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
                    str(ENTRY_POINT),
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

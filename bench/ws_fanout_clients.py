"""The clients of bench/ws_fanout.py's servers: followers, the sender's update, the REST probe.

Followers connect and read in asyncio client processes driven over pipes (`Crowd`); the
sender posts each score update through REST (`post_score`); `Probe` times a REST read ten
times a second in a thread.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import websockets

CONNECT_CONCURRENCY = 50  # handshakes in flight at once per client process
CONNECT_SECONDS = 60  # a handshake not answered by then counts as unconnected
SEND_SECONDS = 10  # a REST update not answered by then counts as failed
PROBE_INTERVAL = 0.1  # seconds between REST probes


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


# The client processes' niceness (`--client-nice`, set before they are forked): they stand in
# for remote devices, and a positive value keeps them from taking CPU from either server.
CLIENT_NICE = 0


def client_main(pipe: Any) -> None:
    if CLIENT_NICE:
        os.nice(CLIENT_NICE)
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


# ----- the sender and the REST probe ----------------------------------------------------------
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
        self.url, self.failed = url, 0
        self.times: list[float] = []  # each answered probe's response time (ms)
        self.started: list[float] = []  # each answered probe's start (time.time()), in order
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            started, wall = time.perf_counter(), time.time()
            try:
                with urllib.request.urlopen(self.url, timeout=SEND_SECONDS) as r:  # noqa: S310
                    r.read()
                self.times.append((time.perf_counter() - started) * 1000)
                self.started.append(wall)
            except (OSError, urllib.error.URLError):
                self.failed += 1
            self._stop.wait(max(0.0, PROBE_INTERVAL - (time.perf_counter() - started)))

    def __enter__(self) -> Probe:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self.thread.join()

"""Benchmark of the bracket engine: generation and full play-through, one JSON line per case.

    python bench/brackets.py                       # our engine, default sizes, JSON lines
    python bench/brackets.py --sizes 8 16 --repeat 1
    python bench/brackets.py --formats swiss --sizes 64 1024
    python bench/brackets.py --compare             # + brackets-manager.js via Node, ratios,
                                                   #   and both runs saved to bench/results/

Each line is {"engine", "op", "format", "n", "seconds", "repeat", "matches"}: `op` is
"generate" (seeds -> stage) or "play" (apply every result, in stage order, slot 1 winning;
`matches` is then the number of results applied); `seconds` is the best of `repeat` runs,
each on a fresh stage, after a garbage collection.

Round robin runs in groups of 8. Swiss (default rounds, ceil(log2 N)) runs for N = 64 ...
1024 unless `--sizes` says otherwise: "generate" pairs round 1, "play" plays every round and
pairs each next one (`next_round`), with winners drawn from a random generator seeded by N so
that score groups and rematch constraints look like a real event; its lines add `rounds` and
`pairing_seconds` (the part of "play" spent pairing). brackets-manager has no Swiss, so only
the elimination formats and round robin are compared.

Backends: `--backend engine` (the default) times the pure engine in memory. `--backend
postgres` (with `--database-url` or TEST_DATABASE_URL, a PostgreSQL database; the schema is
migrated first) times the persistence layer: "generate" is `brackets.services.generate_bracket`
(stage, round and match rows) in one unit of work, "play" enters every result through
`matches.services.enter_result` as the organizer, one commit per result, in stage
order with slot 1 winning (Swiss: winners drawn as above, each next round paired by the
service). The N confirmed registrations each case needs are bulk-inserted before the clock
starts, and everything a case created is deleted after it. Its "play" lines add
`cpu_seconds` (this process's CPU time) and `statements` (SQL statements sent), which a
shared machine's load does not move as it moves `seconds`; `database_seconds` (the part of
`seconds` spent in the driver sending statements and commits and waiting for them); and two
floors measured in the same run through the driver alone, as many transactions as results:
`commit_floor_seconds` (a one-row INSERT and its commit) and `result_floor_seconds` (the
least a result can be: a locking read of three rows, one statement writing two of them and
appending a row, the commit). With `--broker-url`, `effects_floor_seconds` sends the result
floor's statements through the app's unit of work, each followed by the six live events and
the enqueued reactions a committed result sends: the least a result costs through this stack
while it keeps them.

    python bench/brackets.py --backend postgres --database-url postgresql+psycopg://... \
        --formats single_elimination double_elimination --sizes 8 64 1024 --repeat 1
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from brackets_cases import DEFAULT_SIZES, FORMATS, OPTIONS, cases  # bench/brackets_cases.py
from brackets_postgres import PostgresBackend  # bench/brackets_postgres.py (--backend postgres)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deltacrown.brackets.engine import (  # noqa: E402
    MatchStatus,
    Stage,
    apply_result,
    generate,
    next_round,
)

REFERENCE_FORMATS = ("single_elimination", "double_elimination", "round_robin")
REFERENCE_DIR = Path(__file__).resolve().parent / "brackets_manager"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
REQUIRED_RATIO = 5.0
CHECKED_SIZES = (1024, 4096)


class Backend(Protocol):
    name: str

    def generate(self, format_name: str, seeds: list[int]) -> Any: ...

    def play(self, stage: Any) -> int:
        """Apply every result; return how many were applied."""


class EngineBackend:
    """The pure engine, in memory."""

    name = "deltacrown"

    def generate(self, format_name: str, seeds: list[int]) -> Stage:
        return generate(format_name, seeds, OPTIONS[format_name])

    def play(self, stage: Stage) -> int:
        if stage.format == "swiss":
            return self.play_swiss(stage)
        ready = MatchStatus.READY
        results = 0
        # Stage order is an order of play, so one pass finds every match ready in turn.
        for match in list(stage.matches.values()):
            if match.status is ready:
                apply_result(stage, match.id, match.slots[0].participant, [[1, 0]])  # type: ignore[arg-type]
                results += 1
        if not stage.is_complete:
            raise RuntimeError("the play-through left matches open")
        return results

    def play_swiss(self, stage: Stage) -> int:
        """Every round: random winners (seeded by N), then `next_round` until the end."""
        rng = random.Random(len(stage.seeds))  # noqa: S311 (reproducible results, not secrets)
        results = 0
        self.pairing_seconds = 0.0
        while True:
            for match_id in stage.rounds[-1].match_ids:
                match = stage.matches[match_id]
                apply_result(stage, match_id, rng.choice(match.participants), [[1, 0]])  # type: ignore[arg-type]
                results += 1
            if stage.is_complete:
                return results
            start = time.perf_counter()
            next_round(stage)
            self.pairing_seconds += time.perf_counter() - start


BACKENDS: dict[str, Callable[[], Backend]] = {"engine": EngineBackend, "postgres": PostgresBackend}


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def run(
    backend: Backend, sizes: list[int] | None, formats: list[str], repeat: int
) -> Iterator[dict[str, Any]]:
    for n, format_name in cases(sizes, formats):
        seeds = list(range(1, n + 1))
        best_generate = best_play = float("inf")
        matches = results = 0
        extra: dict[str, Any] = {}
        for _ in range(repeat):
            prepare = getattr(backend, "prepare", None)  # untimed set-up (postgres: the field)
            if prepare is not None:
                prepare(format_name, seeds)
            try:
                seconds, stage = _timed(lambda: backend.generate(format_name, seeds))  # noqa: B023
                best_generate = min(best_generate, seconds)
                matches = len(stage.matches)
                seconds, results = _timed(lambda: backend.play(stage))  # noqa: B023
                if seconds < best_play:
                    extra = dict(getattr(backend, "play_extra", {}))
                    if format_name == "swiss":
                        extra["rounds"] = len(stage.rounds)
                        extra["pairing_seconds"] = getattr(backend, "pairing_seconds", None)
                best_play = min(best_play, seconds)
            finally:  # a failed case must not leave its rows in a shared database
                cleanup = getattr(backend, "cleanup", None)
                if cleanup is not None:
                    cleanup()
        floor = getattr(backend, "commit_floor", None)
        if floor is not None and results:
            extra["commit_floor_seconds"] = round(floor(results), 3)
            extra["result_floor_seconds"] = round(backend.result_floor(results), 3)  # type: ignore[attr-defined]
            effects = backend.effects_floor(results)  # type: ignore[attr-defined]
            if effects is not None:
                extra["effects_floor_seconds"] = round(effects, 3)
            if getattr(backend, "outbox", False) and effects is not None:
                stored = backend.effects_floor(results, stored=True)  # type: ignore[attr-defined]
                extra["outbox_floor_seconds"] = round(stored, 3)
        base = {"engine": backend.name, "format": format_name, "n": n, "repeat": repeat}
        yield {**base, "op": "generate", "seconds": best_generate, "matches": matches}
        yield {**base, "op": "play", "seconds": best_play, "matches": results, **extra}


def run_reference(sizes: list[int], formats: list[str], repeat: int) -> list[dict[str, Any]]:
    """brackets-manager.js on the same cases, installed from npm into a temporary folder."""
    formats = [f for f in formats if f in REFERENCE_FORMATS]
    if not formats:
        return []
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        raise SystemExit("--compare needs node and npm on PATH")
    with tempfile.TemporaryDirectory(prefix="bench-brackets-manager-") as tmp:
        for name in ("package.json", "bench.js"):
            shutil.copy(REFERENCE_DIR / name, tmp)
        subprocess.run(  # noqa: S603
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=tmp, check=True
        )
        args = ["--sizes", *map(str, sizes), "--formats", *formats, "--repeat", str(repeat)]
        out = subprocess.run(  # noqa: S603
            [node, "--expose-gc", "bench.js", *args],
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        )
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def key(row: dict[str, Any]) -> tuple[str, str, int]:
    return row["op"], row["format"], row["n"]


def compare(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> bool:
    """Print brackets-manager / ours per case and our growth; True if every check passes."""
    reference = {key(row): row["seconds"] for row in theirs}
    ok = True
    print(f"{'op':9} {'format':19} {'n':>5} {'ours (s)':>10} {'theirs (s)':>11} {'ratio':>8}")
    for row in ours:
        if key(row) not in reference:
            continue
        ratio = reference[key(row)] / row["seconds"]
        checked = row["n"] in CHECKED_SIZES
        verdict = ("ok" if ratio >= REQUIRED_RATIO else "TOO SLOW") if checked else ""
        ok = ok and (ratio >= REQUIRED_RATIO or not checked)
        print(
            f"{row['op']:9} {row['format']:19} {row['n']:>5} {row['seconds']:>10.4f} "
            f"{reference[key(row)]:>11.4f} {ratio:>7.1f}x {verdict}"
        )
    ours_by_key = {key(row): row["seconds"] for row in ours}
    print("growth of our cost from n=1024 to n=4096 (n log n predicts 4.8x):")
    for op in ("generate", "play"):
        for format_name in REFERENCE_FORMATS:
            small = ours_by_key.get((op, format_name, 1024))
            large = ours_by_key.get((op, format_name, 4096))
            if small and large:
                print(f"  {op:9} {format_name:19} {large / small:5.1f}x")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="for every format (default: each one's own list)"
    )
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=FORMATS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="engine")
    parser.add_argument(
        "--database-url", help="--backend postgres: the database (default TEST_DATABASE_URL)"
    )
    parser.add_argument(
        "--broker-url",
        help="--backend postgres: enqueue what follows a result (ratings, notifications, "
        "webhooks) on this Celery broker, as server mode does, instead of running it inline "
        "(memory:// enqueues without running it; a Redis URL leaves it for a worker)",
    )
    parser.add_argument(
        "--redis-url",
        help="--backend postgres: publish the live events that follow a result through this "
        "Redis, as server mode does (by default they go to an in-process hub)",
    )
    parser.add_argument(
        "--outbox",
        action="store_true",
        help="--backend postgres, with --redis-url: store each result's live events and "
        "reactions in the outbox (OUTBOX_RELAY=worker) and time their relay apart "
        "(relay_seconds)",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time brackets-manager.js (node + npm), save both runs, print the ratios",
    )
    parser.add_argument("--output", type=Path, help="with --compare: where to write the lines")
    args = parser.parse_args(argv)

    PostgresBackend.database_url = args.database_url
    PostgresBackend.broker_url = args.broker_url
    PostgresBackend.redis_url = args.redis_url
    PostgresBackend.outbox = args.outbox
    backend = BACKENDS[args.backend]()
    formats = [f for f in args.formats if f in getattr(backend, "formats", FORMATS)]
    ours = []
    for row in run(backend, args.sizes, formats, args.repeat):
        print(json.dumps(row), flush=True)
        ours.append(row)
    if not args.compare:
        return 0
    theirs = run_reference(args.sizes or DEFAULT_SIZES, args.formats, args.repeat)
    for row in theirs:
        print(json.dumps(row), flush=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = args.output or RESULTS_DIR / f"brackets-{stamp}.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    machine = {
        "engine": "machine",
        "python": platform.python_version(),
        "node": subprocess.run(  # noqa: S603
            [shutil.which("node") or "node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "recorded_at": stamp,
    }
    output.write_text("".join(json.dumps(row) + "\n" for row in [machine, *ours, *theirs]))
    print(f"wrote {output}", file=sys.stderr)
    return 0 if compare(ours, theirs) else 1


if __name__ == "__main__":
    raise SystemExit(main())

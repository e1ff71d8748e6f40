"""bench/brackets.py times round robin (groups of 8) and a full Swiss, one JSON line per case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_round_robin_and_swiss_lines() -> None:
    out = subprocess.run(
        [sys.executable, "bench/brackets.py", "--sizes", "13", "64", "--repeat", "1",
         "--formats", "round_robin", "swiss"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )  # fmt: skip
    rows = {(r["op"], r["format"], r["n"]): r for r in map(json.loads, out.stdout.splitlines())}
    assert set(rows) == {
        (op, f, n)
        for op in ("generate", "play")
        for f in ("round_robin", "swiss")
        for n in (13, 64)
    }
    # Groups of 8: 13 players make groups of 7 and 6 (21 + 15 matches); 64 make 8 groups of 28.
    assert rows["generate", "round_robin", 13]["matches"] == 36
    assert rows["play", "round_robin", 64]["matches"] == 8 * 28
    # Swiss: ceil(log2 64) = 6 rounds of 32 matches, every one paired and played.
    swiss = rows["play", "swiss", 64]
    assert (swiss["rounds"], swiss["matches"]) == (6, 6 * 32)
    assert 0 < swiss["pairing_seconds"] <= swiss["seconds"]
    assert rows["generate", "swiss", 13]["matches"] == 6  # round 1; seed 13 has the bye

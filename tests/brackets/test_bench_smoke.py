"""bench/brackets.py runs (small sizes, engine only) and prints one parseable JSON line per case."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_a_json_line_per_case() -> None:
    out = subprocess.run(
        [sys.executable, "bench/brackets.py", "--sizes", "8", "13", "64", "--repeat", "1"]
        + ["--formats", "single_elimination", "double_elimination"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    cases = {(r["op"], r["format"], r["n"]) for r in rows}
    assert len(rows) == len(cases) == 2 * 2 * 3
    for op in ("generate", "play"):
        for format_name in ("single_elimination", "double_elimination"):
            for n in (8, 13, 64):
                assert (op, format_name, n) in cases
    for row in rows:
        assert row["engine"] == "deltacrown"
        assert isinstance(row["seconds"], float) and 0 < row["seconds"] < 5
    matches = {(r["op"], r["format"], r["n"]): r["matches"] for r in rows}
    assert matches["generate", "single_elimination", 13] == 12
    assert matches["play", "double_elimination", 13] == 2 * 13 - 2  # reset not needed

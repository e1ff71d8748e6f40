"""bench/brackets.py --backend postgres runs at a small size, prints one JSON line per case
with its floors, and deletes what it created (so the benchmark with persistence cannot rot)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres


def _count(database_url: str, table: str) -> int:
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
    engine.dispose()
    return int(value)


def test_the_postgres_backend_prints_a_line_per_case_and_cleans_up(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    before = {t: _count(database_url, t) for t in ("tournaments", "users", "matches")}
    out = subprocess.run(
        [
            sys.executable,
            "bench/brackets.py",
            "--backend",
            "postgres",
            "--database-url",
            database_url,
            "--broker-url",  # reactions enqueued, as in server mode (and the effects floor)
            "memory://",
            "--formats",
            "single_elimination",
            "double_elimination",
            "swiss",
            "--sizes",
            "8",
            "--repeat",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {(r["op"], r["format"]) for r in rows} == {
        (op, fmt)
        for op in ("generate", "play")
        for fmt in ("single_elimination", "double_elimination", "swiss")
    }
    matches = {(r["op"], r["format"]): r["matches"] for r in rows}
    assert matches["generate", "double_elimination"] == 15
    assert matches["play", "single_elimination"] == 7
    assert matches["play", "double_elimination"] == 14  # the reset is not needed
    assert matches["play", "swiss"] == 12  # three rounds of four, paired by the service
    assert all(r["engine"] == "deltacrown-postgres" and r["seconds"] > 0 for r in rows)
    for play in (r for r in rows if r["op"] == "play"):  # the database's part and the floors
        assert 0 < play["database_seconds"] < play["seconds"]
        # The server's own clock: some of the driver's time, never more than all of it.
        assert 0 < play["server_seconds"] <= play["database_seconds"]
        assert play["commit_floor_seconds"] > 0 and play["result_floor_seconds"] > 0
        assert play["effects_floor_seconds"] > 0
    assert {t: _count(database_url, t) for t in before} == before

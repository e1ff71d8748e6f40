"""The restore drill (scripts/restore-drill.sh) restores a pg_dump of the test database into a
scratch database and finds the same tables, rows and revision; a broken dump fails it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "restore-drill.sh"


@pytest.fixture
def postgres_url(database_url: str, is_postgres: bool) -> str:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    return database_url


def drill(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        ["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_a_dump_restores_with_the_same_tables_rows_and_revision(postgres_url):
    result = drill(postgres_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("restore drill OK:")
    assert "revision none" not in result.stdout


def test_a_broken_dump_fails_the_drill(postgres_url, tmp_path):
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")
    result = drill(postgres_url, str(broken))
    assert result.returncode != 0
    assert "restore drill OK" not in result.stdout

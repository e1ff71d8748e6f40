"""The bracket engine is pure: its tests build no app and open no database.

The suite-wide autouse fixtures in tests/conftest.py (per-test transaction, logging reset)
both need the session app, which runs the migrations; these no-op overrides keep that cost
and that coupling away from tests that never touch Flask (HOUSE_STYLE §5.3 item 14).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _isolated_db() -> Iterator[None]:
    yield


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield


@pytest.fixture(autouse=True)
def _session_celery_is_default() -> Iterator[None]:
    yield

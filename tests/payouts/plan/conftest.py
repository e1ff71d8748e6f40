"""The payout plan is pure: its tests build no app and open no database (the suite-wide
autouse fixtures are overridden with no-ops, as for the bracket engine)."""

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


@pytest.fixture(autouse=True)
def _session_celery_is_current() -> Iterator[None]:
    yield

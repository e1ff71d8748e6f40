"""Fixtures shared by the core tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from deltacrown.app import create_app
from deltacrown.extensions import db


@pytest.fixture
def make_limited_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    """Build apps with rate limiting on (memory store unless a test passes REDIS_URL). They
    only read the database, so they use their own connections next to the test's."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        if "REDIS_URL" not in overrides:
            overrides.setdefault("RATELIMIT_STORAGE_URI", "memory://")
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=database_url,
            STORAGE_ROOT=str(tmp_path / "storage"),
            RATELIMIT_ENABLED=True,
            **overrides,
        )
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def worker_mode(app: Flask, is_postgres: bool, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The session's app with OUTBOX_RELAY=worker (core.outbox), on PostgreSQL only."""
    if not is_postgres:
        pytest.skip("the outbox relay needs PostgreSQL")
    monkeypatch.setitem(app.config, "OUTBOX_RELAY", "worker")
    yield

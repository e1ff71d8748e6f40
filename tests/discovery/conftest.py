"""Fixtures for the discovery tests: the cast, and a builder for committed tournaments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from tests.factories import make_tournament


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user(username="owner")


@pytest.fixture
def helper(make_user: Any) -> Any:
    return make_user(username="helper")


@pytest.fixture
def stranger(make_user: Any) -> Any:
    return make_user(username="stranger")


def schedule(start_in_days: float) -> dict[str, str]:
    """Dates for a tournament starting in `start_in_days`, registration open from now."""
    now = utcnow().replace(microsecond=0)
    start = now + timedelta(days=start_in_days)
    return {
        "registration_opens_at": isoformat(now + timedelta(minutes=1)),
        "registration_closes_at": isoformat(start - timedelta(hours=1)),
        "start_at": isoformat(start),
    }


@pytest.fixture
def tourney(app: Flask, owner: Any) -> Any:
    """`tourney(name, status="published", start_in_days=7, by=owner, **body)` → id (committed)."""

    def build(
        name: str,
        *,
        status: str = "published",
        start_in_days: float = 7,
        by: Any = None,
        **body: Any,
    ) -> int:
        body = {**schedule(start_in_days), **body}
        return make_tournament(app, (by or owner).id, status=status, name=name, **body)

    return build


@pytest.fixture
def in_app(app: Flask) -> Any:
    """`in_app(fn, *args)`: run `fn` in its own app context and commit (for API tests)."""

    def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        with app.app_context():
            result = fn(*args, **kwargs)
            db.session.commit()
            db.session.remove()
        return result

    return run


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [t["name"] for t in response.get_json()]

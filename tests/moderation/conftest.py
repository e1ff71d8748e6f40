"""Moderation fixtures: the cast and tournaments of the registrations suite, the started cups
and live-server followers of the live suite, and helpers to sanction and revoke.

Sanctions are cached per user for 60 s; every test here starts and ends with an empty cache
(the per-test rollback would otherwise leave a cached sanction on an id the next test's user
reuses)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from deltacrown.extensions import cache
from tests.live.conftest import (  # noqa: F401  (fixtures)
    all_matches,
    any_cup,
    api,
    cup,
    follow,
    m,
    server,
    started,
)
from tests.registrations.conftest import (  # noqa: F401  (fixtures)
    _session_celery,
    co_organizer,
    coins,
    give_profile,
    headers_now,
    join,
    make_player,
    make_team,
    organizer,
    register,
    stranger,
    team_of,
    tournament,
)


@pytest.fixture(autouse=True)
def _empty_sanction_cache(app: Flask) -> Iterator[None]:
    with app.app_context():
        cache.clear()
    yield
    with app.app_context():
        cache.clear()


@pytest.fixture
def revoke(app: Flask) -> Any:
    """`revoke(sanction_id)` lifts a sanction through the service (as the system)."""

    def run(sanction_id: int) -> None:
        from deltacrown.core.actors import SYSTEM
        from deltacrown.extensions import db
        from deltacrown.moderation import services

        with app.test_request_context():
            services.revoke_sanction(sanction_id, actor=SYSTEM)
            db.session.commit()
            db.session.remove()

    return run

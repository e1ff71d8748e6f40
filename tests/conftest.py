"""Test fixtures: one app and schema per session, one rolled-back transaction per test.

The database comes from TEST_DATABASE_URL (server mode: PostgreSQL) or is a temporary SQLite
file (embedded default). The schema is built by running the migrations, which tests them too.

Isolation (HOUSE_STYLE §5.3 item 14): each engine in `db.engines` is replaced by one
connection inside an outer transaction, and the session joins it with savepoints, so a
service's or a request's `commit()` only releases a savepoint. The canary in
tests/core/test_isolation.py proves it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from deltacrown.app import MIGRATIONS_DIR, create_app
from deltacrown.extensions import db

REQUIRED_MARKERS = {
    m.strip() for m in os.environ.get("DELTACROWN_REQUIRE_MARKERS", "").split(",") if m.strip()
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL (row locks, concurrency)")
    config.addinivalue_line("markers", "browser: needs a headless Chromium")
    config.addinivalue_line(
        "markers", "own_isolation: the test runs the isolation recipe itself (the canary)"
    )
    config.addinivalue_line(
        "markers",
        "embedded: builds its own app on a SQLite file (the embedded default); runs in the "
        "embedded run only",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """Under CI, a skipped test that carries a required marker is a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and REQUIRED_MARKERS:
        missing = REQUIRED_MARKERS & {m.name for m in item.iter_markers()}
        if missing:
            report.outcome = "failed"
            report.longrepr = f"required marker(s) {sorted(missing)} skipped: {report.longrepr}"


def _worker_database_url(base_url: str) -> str:
    """Give each xdist worker its own PostgreSQL database, created fresh."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return base_url
    url = sa.make_url(base_url)
    name = f"{url.database}_{worker}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    parsed = sa.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    if not url.startswith("postgresql"):
        yield url
        return
    own = _worker_database_url(url)
    yield own
    if own != url:  # an xdist worker's own database: gone with the worker
        _drop_database(own)


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The session's app; its schema is built by the migrations."""
    from flask_migrate import upgrade

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        STORAGE_ROOT=str(tmp_path_factory.mktemp("storage")),
    )
    with app.app_context():
        # A reused PostgreSQL database may hold an older schema: start from empty (the
        # analytics view first: it depends on the tables).
        if database_url.startswith("postgresql"):
            db.session.execute(
                sa.text("DROP MATERIALIZED VIEW IF EXISTS tournament_analytics_summary")
            )
            db.session.commit()
        db.drop_all()
        db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    return app


@contextmanager
def isolated_database(app: Flask) -> Iterator[None]:
    """The isolation recipe: every engine is pinned to one connection inside an outer
    transaction, the session joins it with savepoints (a `commit()` releases a savepoint),
    and everything is rolled back at the end."""
    with app.app_context():
        engines: dict[Any, Any] = db.engines  # type: ignore[assignment]
        originals = dict(engines)
        pinned = []
        for key, engine in originals.items():
            connection = engine.connect()
            transaction = connection.begin()
            engines[key] = connection
            pinned.append((key, connection, transaction))
    factory = db.session.session_factory
    previous_mode = factory.kw.get("join_transaction_mode")
    factory.kw["join_transaction_mode"] = "create_savepoint"
    try:
        yield
    finally:
        if previous_mode is None:
            factory.kw.pop("join_transaction_mode", None)
        else:
            factory.kw["join_transaction_mode"] = previous_mode
        with app.app_context():
            db.session.remove()
            engines = db.engines  # type: ignore[assignment]
            for key, connection, transaction in pinned:
                if transaction.is_active:
                    transaction.rollback()
                connection.close()
                engines[key] = originals[key]


@pytest.fixture(autouse=True)
def _isolated_db(app: Flask, request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test runs inside `isolated_database` (the canary, marked `own_isolation`, runs
    the recipe itself)."""
    if request.node.get_closest_marker("own_isolation"):
        yield
        return
    with isolated_database(app):
        yield


@pytest.fixture(autouse=True)
def _fresh_webhook_breakers(app: Flask) -> Iterator[None]:
    """The embedded default keeps webhook breakers in process memory by endpoint id, and a
    rolled-back test gives its ids out again: each test starts with closed breakers."""
    yield
    app.extensions.pop("deltacrown_webhook_breakers", None)


@pytest.fixture(autouse=True)
def _session_celery_is_default(app: Flask) -> Iterator[None]:
    """`shared_task` resolves to the most recently built Celery app: tests that build other
    apps (migrations, live servers, factory checks) must not leave theirs as the default."""
    app.extensions["celery"].set_default()
    yield
    app.extensions["celery"].set_default()


@pytest.fixture(autouse=True)
def _restore_logging(app: Flask) -> Iterator[None]:
    """Tests that build non-testing apps reconfigure the shared logger; put it back."""
    yield
    import logging

    if not logging.getLogger("deltacrown").propagate:
        from deltacrown.core.logging import configure_logging

        configure_logging(app)


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """For service tests: an active app context (API tests must not use it)."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Any:
    """Create (and commit, inside the test's transaction) a user; returns a snapshot."""
    from tests.helpers import create_user

    return lambda **kwargs: create_user(app, **kwargs)


@pytest.fixture
def user(make_user: Any) -> Any:
    return make_user()


@pytest.fixture
def staff(make_user: Any) -> Any:
    return make_user(username="staffer", is_staff=True)


@pytest.fixture
def superuser(make_user: Any) -> Any:
    return make_user(username="root", is_superuser=True)


@pytest.fixture
def sanction(app: Flask) -> Iterator[Any]:
    """`sanction(type=..., scope=..., user_id=... | team_id=..., ...)` records a sanction
    (tests.factories.make_sanction) and returns its id. The enforcement cache entries of the
    users and teams it touched are dropped afterwards: the test's rollback removes the rows,
    and a later test's user may reuse the id."""
    from deltacrown.extensions import cache
    from deltacrown.moderation.enforcement import cache_key
    from tests.factories import make_sanction

    keys: list[str] = []

    def create(**values: Any) -> int:
        if values.get("user_id") is not None:
            keys.append(cache_key("user", values["user_id"]))
        if values.get("team_id") is not None:
            keys.append(cache_key("team", values["team_id"]))
        return make_sanction(app, **values)

    yield create
    with app.app_context():
        for key in keys:
            cache.delete(key)


# Server mode runs the suite a second time for what the database and Redis change; a test that
# touches neither (pure rules, engines, renderers: no `app` among the fixtures it asks for,
# directly or through other fixtures, and no word of server mode in its module), or that is
# marked `embedded` (it builds its own SQLite app whatever the mode), has already run in the
# embedded mode and is not run again. DELTACROWN_RUN_ALL=1 runs everything.
_SERVER_MODE_WORDS = ("TEST_DATABASE_URL", "TEST_REDIS_URL", "postgres", "is_postgres", "redis")
_APP_FIXTURES = {"app", "database_url", "is_postgres"}


def _asks_for_app(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    names = list(info.argnames)
    for marker in item.iter_markers("usefixtures"):
        names.extend(marker.args)
    seen: set[str] = set()
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in _APP_FIXTURES:
            return True
        for definition in info.name2fixturedefs.get(name, ()):
            names.extend(definition.argnames)
    return False


_module_mentions_server_mode: dict[str, bool] = {}


def _mentions_server_mode(item: pytest.Item) -> bool:
    path = str(item.path)
    if path not in _module_mentions_server_mode:
        text = item.path.read_text(encoding="utf-8")
        _module_mentions_server_mode[path] = any(word in text for word in _SERVER_MODE_WORDS)
    return _module_mentions_server_mode[path]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not os.environ.get("TEST_DATABASE_URL") or os.environ.get("DELTACROWN_RUN_ALL"):
        return
    keep, ran_embedded = [], []
    for item in items:
        pure = item.get_closest_marker("embedded") is not None or (
            not _asks_for_app(item)
            and item.get_closest_marker("postgres") is None
            and item.get_closest_marker("browser") is None
            and not _mentions_server_mode(item)
        )
        (ran_embedded if pure else keep).append(item)
    if ran_embedded:
        config.hook.pytest_deselected(items=ran_embedded)
        items[:] = keep

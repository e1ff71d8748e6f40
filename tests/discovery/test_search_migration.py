"""Migration c3search0009: it builds the search objects on each database, back-fills them,
`flask db check` stays clean with them (autogenerate ignores them), the downgrade removes
every one, and a later SQLite batch migration keeps them working through
`sqlite_search_triggers_suspended`."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask import Flask

from deltacrown.app import MIGRATIONS_DIR, create_app
from deltacrown.extensions import db
from deltacrown.tournaments.discovery import TournamentSearchArgs, search_tournaments
from deltacrown.tournaments.search import sqlite_search_triggers_suspended
from tests.factories import build_tournament
from tests.helpers import create_user

BEFORE = "c3search0009-1"
WORD_TRIGGERS = {
    "tournament_search_insert",
    "tournament_search_update",
    "tournament_search_delete",
    "tournament_search_game_rename",
}
# Migration h7trgm0013: the trigram table's own triggers.
SQLITE_TRIGGERS = WORD_TRIGGERS | {
    name.replace("search_", "search_trigram_") for name in WORD_TRIGGERS
}
SHADOWS = ("data", "idx", "content", "docsize", "config")


def found(q: str) -> set[str]:
    args = TournamentSearchArgs().load({"q": q})
    return {t.name for t in db.session.scalars(search_tournaments(None, args))}


def sqlite_objects() -> tuple[set[str], set[str]]:
    rows = db.session.execute(sa.text("SELECT type, name FROM sqlite_master")).all()
    tables = {
        name for kind, name in rows if kind == "table" and name.startswith("tournament_search")
    }
    triggers = {name for kind, name in rows if kind == "trigger"}
    return tables, triggers


def postgres_objects() -> dict[str, Any]:
    scalar = db.session.scalar
    return {
        "column": scalar(
            sa.text(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_name = 'tournaments' "
                "AND column_name IN ('search_vector', 'search_text')"
            )
        ),
        "index": scalar(
            sa.text(
                "SELECT count(*) FROM pg_indexes "
                "WHERE indexname IN ('ix_tournaments_search_vector', 'ix_tournaments_search_text')"
            )
        ),
        "triggers": scalar(
            sa.text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tournament_search_%'")
        ),
        "functions": scalar(
            sa.text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'tournament_search_%'")
        ),
    }


def seed_cup(app: Flask) -> None:
    owner = create_user(app, username=f"m{uuid.uuid4().hex[:8]}")
    with app.app_context():
        build_tournament(owner.id, status="published", name="Backfill Cup")
        db.session.commit()
        db.session.remove()


def roundtrip(app: Flask, objects: Any, present: Any, absent: Any) -> None:
    from flask_migrate import check, downgrade, upgrade

    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    seed_cup(app)
    with app.app_context():
        assert objects() == present
        db.session.remove()  # end the read transaction (WAL would keep showing its snapshot)
        check(directory=MIGRATIONS_DIR)  # raises if autogenerate sees any difference
        downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
        assert objects() == absent
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        # Tournaments made before the upgrade are back-filled.
        assert found("backfill") == {"Backfill Cup"}
        check(directory=MIGRATIONS_DIR)
        db.session.remove()
        db.engine.dispose()


def test_sqlite_objects_are_built_checked_and_removed(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}")
    tables = {
        name
        for table in ("tournament_search", "tournament_search_trigram")
        for name in (table, *(f"{table}_{s}" for s in SHADOWS))
    }
    roundtrip(app, sqlite_objects, (tables, SQLITE_TRIGGERS), (set(), set()))


def test_the_trigram_revision_downgrades_to_word_search_alone(tmp_path):
    from flask_migrate import downgrade, upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 't.db'}")
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    seed_cup(app)
    with app.app_context():
        assert found("ackfill") == {"Backfill Cup"}
        db.session.remove()
        downgrade(directory=MIGRATIONS_DIR, revision="h7trgm0013-1")
        tables, triggers = sqlite_objects()
        assert tables == {"tournament_search", *(f"tournament_search_{s}" for s in SHADOWS)}
        assert triggers == WORD_TRIGGERS
        db.session.remove()
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        assert found("ackfill") == {"Backfill Cup"}  # back-filled
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_postgres_objects_are_built_checked_and_removed(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    url = sa.make_url(database_url)
    name = f"dc_search_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=url.set(database=name).render_as_string(hide_password=False),
        )
        present = {"column": 2, "index": 2, "triggers": 2, "functions": 4}
        absent = {"column": 0, "index": 0, "triggers": 0, "functions": 0}
        roundtrip(app, postgres_objects, present, absent)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# ----- SQLite batch migrations after this one ------------------------------------------------
@pytest.fixture
def scratch(tmp_path):
    from flask_migrate import upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'b.db'}")
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    seed_cup(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def foreign_keys_off(connection: sa.Connection) -> sa.Connection:
    # As for any SQLite rebuild of a referenced table: foreign keys off, before BEGIN.
    connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
    return connection


def rebuild(connection: sa.Connection, table: str) -> None:
    """What a later migration's batch_alter_table does on SQLite: copy, drop, rename."""
    operations = Operations(MigrationContext.configure(connection, opts={"render_as_batch": True}))
    with operations.batch_alter_table(table, recreate="always") as batch:
        batch.add_column(sa.Column("scratch", sa.Integer, nullable=True))


def test_a_batch_rebuild_breaks_on_the_search_triggers_without_the_helper(scratch):
    with scratch.app_context():
        with pytest.raises(sa.exc.OperationalError, match="error in trigger"):
            with db.engine.connect() as connection:
                rebuild(foreign_keys_off(connection), "tournaments")


@pytest.mark.parametrize("table", ["tournaments", "games"])
def test_a_batch_rebuild_keeps_search_working_with_the_helper(scratch, table):
    with scratch.app_context():
        with db.engine.connect() as connection:
            with sqlite_search_triggers_suspended(foreign_keys_off(connection)):
                rebuild(connection, table)
            connection.commit()
        assert sqlite_objects()[1] == SQLITE_TRIGGERS
        assert found("backfill") == {"Backfill Cup"}
        db.session.execute(sa.text("UPDATE games SET name = 'Zeta' WHERE slug = 'valorant'"))
        assert found("zeta") == {"Backfill Cup"}
        db.session.execute(sa.text("UPDATE tournaments SET name = 'Renamed Cup'"))
        assert found("renamed") == {"Renamed Cup"}
        db.session.rollback()
        db.session.remove()

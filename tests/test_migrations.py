"""Migrations build the schema the models describe, both ways, on SQLite and PostgreSQL."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from deltacrown.analytics import summary
from deltacrown.app import MIGRATIONS_DIR, create_app
from deltacrown.extensions import db
from deltacrown.tournaments.search import include_object as search_objects


def include_object(obj, name, type_, reflected, compare_to):
    """As migrations/env.py: the search objects and the analytics summary have no model."""
    return summary.include_object(obj, name, type_, reflected, compare_to) and search_objects(
        obj, name, type_, reflected, compare_to
    )


def test_models_and_migrations_agree(app_ctx):
    """The `flask db check` equivalent on the session database (built by `upgrade`)."""
    connection = db.session.connection()
    context = MigrationContext.configure(
        connection,
        # As migrations/env.py: the search objects (FTS5 table, tsvector column) have no model.
        opts={"compare_type": True, "render_as_batch": True, "include_object": include_object},
    )
    assert compare_metadata(context, db.metadata) == []


def _roundtrip(url):
    from flask_migrate import downgrade, upgrade

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "games", "game_profiles", "audit_entries"} <= tables
        downgrade(directory=MIGRATIONS_DIR, revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        assert db.session.scalar(sa.text("SELECT count(*) FROM games")) == 9
        db.session.remove()
        db.engine.dispose()


def test_upgrade_downgrade_upgrade_from_empty_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")


@pytest.mark.postgres
def test_upgrade_downgrade_upgrade_from_empty_postgres(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    url = sa.make_url(database_url)
    name = f"dc_migr_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        _roundtrip(url.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_existing_audit_entries_get_their_actor_kind(tmp_path):
    """An entry with an actor id was a user's; one without was the system's."""
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    before = ScriptDirectory(MIGRATIONS_DIR).get_revision("h2kernel0013").down_revision
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'kind.sqlite3'}")
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision=before)
        db.session.execute(
            sa.text(
                "INSERT INTO audit_entries (actor_id, action, created_at) VALUES "
                "(5, 'user.updated', '2026-01-01 00:00:00'), "
                "(NULL, 'tournament.registration_open', '2026-01-01 00:00:00')"
            )
        )
        db.session.commit()
        upgrade(directory=MIGRATIONS_DIR, revision="h2kernel0013")
        rows = db.session.execute(
            sa.text("SELECT action, actor_kind FROM audit_entries ORDER BY id")
        ).all()
        assert [tuple(row) for row in rows] == [
            ("user.updated", "user"),
            ("tournament.registration_open", "system"),
        ]
        db.session.remove()
        db.engine.dispose()

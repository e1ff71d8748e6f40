"""Migrations build the schema the models describe, both ways, on SQLite and PostgreSQL."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from deltacrown.app import MIGRATIONS_DIR, create_app
from deltacrown.extensions import db
from deltacrown.tournaments.search import include_object


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

"""Alembic environment for Flask-Migrate.

Batch mode on SQLite (ALTER TABLE support), the metadata naming convention, type comparison,
and `include_object` for objects autogenerate must ignore. No `fileConfig`: the app's logging
stays as configured.
"""

import logging

from alembic import context
from flask import current_app

config = context.config
logger = logging.getLogger("alembic.env")

# Objects that live in the database but not in the models (search triggers, FTS tables, ...).
IGNORED_TABLES: set[str] = set()


def include_object(obj, name, type_, reflected, compare_to):
    from deltacrown.analytics import summary
    from deltacrown.tournaments import search

    if type_ == "table" and name in IGNORED_TABLES:
        return False
    if not summary.include_object(obj, name, type_, reflected, compare_to):
        return False  # the analytics summary: a materialized view on PostgreSQL
    return search.include_object(obj, name, type_, reflected, compare_to)


def render_item(type_, obj, autogen_context):
    """Render our column types as the plain SQLAlchemy types they store."""
    import sqlalchemy as sa

    from deltacrown.core.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, sa.JSON) and getattr(obj, "_variant_mapping", None):
        autogen_context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'
    return False


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_metadata():
    return current_app.extensions["migrate"].db.metadata


def run_migrations_offline():
    context.configure(
        url=get_engine().url.render_as_string(hide_password=False),
        target_metadata=get_metadata(),
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["compare_type"] = True
    conf_args["include_object"] = include_object
    conf_args["render_item"] = render_item
    engine = get_engine()
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        conf_args["render_as_batch"] = sqlite
        if sqlite:
            # Batch mode rebuilds a table by copy, drop and rename; with foreign keys on, a
            # table other rows reference (wallets) cannot be dropped. SQLite ignores this
            # pragma inside a transaction, so it is set on the driver connection before the
            # migration's transaction begins (Alembic's recipe), and checked after it.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if broken:
                    raise RuntimeError(f"migrations left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

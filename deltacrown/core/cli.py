"""Operator commands shared by every domain: `flask jobs list|run`; `flask db upgrade` and
`flask openapi write` (Flask-Migrate's and flask-smorest's) report what they did in one line;
`flask openapi refresh|breaking` keep the committed API contract (`core.contract`)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import click
from alembic.runtime.migration import MigrationContext
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from deltacrown.core import contract
from deltacrown.core.api_document import api_of
from deltacrown.core.db import db
from deltacrown.core.i18n import i18n_cli
from deltacrown.core.scheduler import beat_schedule, run_job
from deltacrown.core.storage_cli import storage_cli

jobs_cli = AppGroup("jobs", help="Periodic jobs from the beat schedule.")


@jobs_cli.command("list")
def list_jobs() -> None:
    """List the periodic jobs and their schedules."""
    for name, entry in beat_schedule().items():
        click.echo(f"{name}\t{entry['task']}\t{entry['schedule']}")


@jobs_cli.command("run")
@click.argument("name")
def run(name: str) -> None:
    """Run one periodic job now (by entry name or task name)."""
    try:
        result = run_job(current_app._get_current_object(), name)  # type: ignore[attr-defined]
    except KeyError as exc:
        raise click.ClickException(
            f"no periodic job named {name!r}; see `flask jobs list`"
        ) from exc
    click.echo(f"ran {name}" + (f": {result}" if result is not None else ""))


# ----- one line of report for the library commands ----------------------------------------
def _database_revisions() -> list[str]:
    """The revisions the database is at (several on a branched history; none when empty)."""
    with db.engine.connect() as connection:
        return sorted(MigrationContext.configure(connection).get_current_heads())


def _database_name() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _report_upgrade(original: Callable[..., Any]) -> Callable[..., Any]:
    @with_appcontext
    @click.pass_context
    def upgrade(ctx: click.Context, **kwargs: Any) -> None:
        before = [] if kwargs.get("sql") else _database_revisions()
        ctx.invoke(original, **kwargs)
        if kwargs.get("sql"):
            return  # the SQL went to standard output; a report would end up in the script
        after = _database_revisions()
        where = _database_name()
        now = ", ".join(after) or "no revision"
        if after == before:
            click.echo(f"database {where} already at {now}; nothing to upgrade")
        else:
            was = ", ".join(before) or "an empty schema"
            click.echo(f"database {where} upgraded from {was} to {now}")

    return upgrade


def _report_openapi_write(original: Callable[..., Any]) -> Callable[..., Any]:
    @with_appcontext
    @click.pass_context
    def write(ctx: click.Context, **kwargs: Any) -> None:
        ctx.invoke(original, **kwargs)
        output = kwargs["output_file"]
        name = getattr(output, "name", "-")
        paths = len(api_of().spec.to_dict()["paths"])
        # Written to standard output, the document must stay the only thing there.
        click.echo(
            f"wrote the OpenAPI document ({paths} paths, {kwargs['format']}) to {name}",
            err=name in ("-", "<stdout>"),
        )

    return write


def _with_report(group: click.Command, name: str, wrap: Callable[..., Any]) -> click.Command:
    """A copy of `group` whose command `name` runs as before, then echoes one line."""
    if not isinstance(group, click.Group):
        return group
    command = group.commands.get(name)
    if command is None or command.callback is None:
        return group  # a library version without that command: leave it as it is
    reported = copy.copy(command)
    reported.callback = wrap(command.callback)
    patched = copy.copy(group)
    patched.commands = {**group.commands, name: reported}
    return patched


def register(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
    app.cli.add_command(storage_cli)
    app.cli.add_command(i18n_cli)
    # Flask-Migrate and flask-smorest print nothing on success; the libraries' groups are
    # module-level objects, so the app gets patched copies and the originals stay untouched.
    if "db" in app.cli.commands:
        app.cli.add_command(_with_report(app.cli.commands["db"], "upgrade", _report_upgrade))
    if "openapi" in app.cli.commands:
        openapi = _with_report(app.cli.commands["openapi"], "write", _report_openapi_write)
        if isinstance(openapi, click.Group):
            openapi = copy.copy(openapi)
            openapi.commands = {
                **openapi.commands,
                "refresh": contract.refresh_command,
                "breaking": contract.breaking_command,
            }
        app.cli.add_command(openapi)

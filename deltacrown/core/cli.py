"""Operator commands shared by every domain: `flask jobs list|run`."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from deltacrown.core.scheduler import beat_schedule, run_job

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


def register(app: Flask) -> None:
    app.cli.add_command(jobs_cli)

"""`flask analytics refresh [--tournament ID] [--dry-run] [--no-concurrent]`: refresh the
tournament summary now, with a progress bar."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.analytics import summary
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import unit_of_work

analytics_cli = AppGroup("analytics", help="Analytics operations.")


@analytics_cli.command("refresh")
@click.option("--tournament", "tournament_id", type=int, help="Only this tournament's row.")
@click.option("--dry-run", is_flag=True, help="Say what would be refreshed; change nothing.")
@click.option(
    "--no-concurrent",
    is_flag=True,
    help="PostgreSQL: refresh without CONCURRENTLY (faster, blocks readers meanwhile).",
)
def refresh(tournament_id: int | None, dry_run: bool, no_concurrent: bool) -> None:
    """Recompute the tournament analytics summary."""
    with unit_of_work(write=not dry_run):
        count = summary.tournaments_to_refresh(tournament_id)
        if tournament_id is not None and count == 0:
            raise click.ClickException(f"No tournament {tournament_id}.")
        if dry_run:
            click.echo(f"Would refresh {count} tournament(s) ({summary.dialect()}).")
            return
        with click.progressbar(length=count, label="Refreshing the summary") as bar:
            rows = summary.refresh(tournament_id, now=utcnow(), concurrently=not no_concurrent)
            bar.update(count)
    click.echo(f"{rows} summary row(s) refreshed")


def register(app: Flask) -> None:
    app.cli.add_command(analytics_cli)

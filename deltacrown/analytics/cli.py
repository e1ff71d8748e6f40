"""`flask analytics refresh [--tournament ID] [--dry-run] [--no-concurrent]`: refresh the
tournament summary now, with a progress bar."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.analytics import summary
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import unit_of_work

BATCH = 500
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
    """Recompute the tournament analytics summary.

    PostgreSQL refreshes the materialized view in one statement (all tournaments); SQLite
    replaces the table's rows BATCH tournaments at a time, the bar following them.
    """
    with unit_of_work(write=not dry_run):
        ids = summary.tournaments_to_refresh(tournament_id)
        if tournament_id is not None and not ids:
            raise click.ClickException(f"No tournament {tournament_id}.")
        if dry_run:
            click.echo(f"Would refresh {len(ids)} tournament(s) ({summary.dialect()}).")
            return
        now = utcnow()
        if summary.dialect() == "postgresql":
            with click.progressbar(length=1, label="Refreshing the view") as bar:
                summary.refresh(now=now, concurrently=not no_concurrent)
                bar.update(1)
        else:
            with click.progressbar(length=len(ids), label="Refreshing the summary") as bar:
                for first in range(0, len(ids), BATCH):
                    chunk = ids[first : first + BATCH]
                    summary.replace_rows(chunk, now=now)
                    bar.update(len(chunk))
    click.echo(f"{len(ids)} tournament(s) refreshed")


def register(app: Flask) -> None:
    app.cli.add_command(analytics_cli)

"""`flask tournaments close-checkin ID`: close a tournament's check-in by hand (the sweep does
it at `checkin_closes_at`). The tournaments domain has no command group of its own; this one
is named after what it acts on."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.core.actors import SYSTEM
from deltacrown.core.errors import DomainError
from deltacrown.core.transaction import unit_of_work
from deltacrown.registrations import services

tournaments_cli = AppGroup("tournaments", help="Tournament operations.")


@tournaments_cli.command("close-checkin")
@click.argument("tournament_id", type=int)
def close_checkin(tournament_id: int) -> None:
    """Close check-in now: confirmed but not checked in → no_show, then waitlist promotion."""

    try:
        with unit_of_work():
            counts = services.close_checkin(tournament_id, actor=SYSTEM)
    except DomainError as exc:
        raise click.ClickException(exc.detail or exc.title) from exc
    click.echo(
        f"check-in closed for tournament {tournament_id}: "
        f"{counts['no_show']} no-show(s), {counts['promoted']} promoted"
    )


def register(app: Flask) -> None:
    app.cli.add_command(tournaments_cli)

"""`flask leaderboards rebuild [--game SLUG] [--season ID]`: rebuild boards from the points
rows (and each game's rating board), each swapped in atomically, with a progress bar."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.core.errors import DomainError
from deltacrown.core.transaction import unit_of_work
from deltacrown.leaderboards import boards, queries, services

leaderboards_cli = AppGroup("leaderboards", help="Leaderboard operations.")


@leaderboards_cli.command("rebuild")
@click.option("--game", "game_ref", help="Only this game (slug).")
@click.option("--season", "season_id", type=int, help="Only this season's boards.")
def rebuild(game_ref: str | None, season_id: int | None) -> None:
    """Rebuild leaderboards from the points rows."""
    try:
        with unit_of_work(write=False):
            game_id = queries.game_by_ref(game_ref).id if game_ref else None
            if season_id is not None:
                queries.get_season(season_id)
            selected = services.boards_to_rebuild(game_id, season_id)
            entries = 0
            with click.progressbar(selected, label="Rebuilding boards") as bar:
                for board in bar:
                    entries += boards.rebuild(board)
    except DomainError as exc:
        raise click.ClickException(exc.detail or exc.title) from exc
    click.echo(f"{len(selected)} board(s) rebuilt, {entries} entries")


def register(app: Flask) -> None:
    app.cli.add_command(leaderboards_cli)

"""`flask certificates generate TOURNAMENT_ID [--lang bn] [--force]`: make a completed
tournament's certificates now, with a progress bar (what the task does after completion)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.certificates import batch
from deltacrown.certificates.wording import LANGUAGES
from deltacrown.core.errors import DomainError

certificates_cli = AppGroup("certificates", help="Participants' certificates.")


@certificates_cli.command("generate")
@click.argument("tournament_id", type=int)
@click.option("--lang", type=click.Choice(LANGUAGES), default=None, help="Only this language.")
@click.option("--force", is_flag=True, help="Draw existing certificates again (same codes).")
def generate(tournament_id: int, lang: str | None, force: bool) -> None:
    """Make every participant's certificate of a completed tournament."""
    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(click.progressbar(length=total, label="certificates", file=None))
            bars[0].__enter__()
        bars[0].update(done - bars[0].pos)

    try:
        summary = batch.generate(tournament_id, lang, force=force, progress=progress)
    except DomainError as exc:
        raise click.ClickException(exc.detail or exc.title) from exc
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
    click.echo(
        f"tournament {tournament_id}: {summary.made} certificate(s) ready, "
        f"{len(summary.failed)} failed"
    )
    if summary.failed:
        raise click.ClickException("some certificates failed; see the log, then run again")


def register(app: Flask) -> None:
    app.cli.add_command(certificates_cli)

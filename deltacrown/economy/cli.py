"""`flask economy ...`: operator commands for wallets and the ledger."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.economy.queries import find_ledger_mismatches

economy_cli = AppGroup("economy", help="DeltaCoin wallets and the ledger.")


@economy_cli.command("verify-ledger")
def verify_ledger() -> None:
    """Check every wallet's invariant; list mismatches and exit 1 if there is any."""

    checked, mismatches = find_ledger_mismatches()
    for mismatch in mismatches:
        click.echo(mismatch.describe(), err=True)
    if mismatches:
        click.echo(f"{len(mismatches)} of {checked} wallets broken", err=True)
        raise SystemExit(1)
    click.echo(f"ledger OK: {checked} wallets checked")


def register(app: Flask) -> None:
    app.cli.add_command(economy_cli)

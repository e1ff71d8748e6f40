"""`flask users ...`: operator commands for accounts."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.accounts import queries, services, twofactor, verification
from deltacrown.core.actors import SYSTEM
from deltacrown.core.errors import DomainError
from deltacrown.core.transaction import unit_of_work

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-superuser")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_superuser(username: str, email: str, password: str) -> None:
    """Create a staff superuser (prompts for what is not given)."""

    try:
        with unit_of_work():
            user = services.register_user(
                username=username, email=email, password=password, is_superuser=True
            )
    except DomainError as exc:
        raise click.ClickException(exc.detail or exc.title) from exc
    click.echo(f"created superuser {user.username} (id {user.id})")


@users_cli.command("reset-2fa")
@click.argument("login")
def reset_two_factor(login: str) -> None:
    """Turn off two-factor sign-in of the account LOGIN (username or e-mail) whose
    authenticator and recovery codes are lost; audited. It can set it up again at once."""
    with unit_of_work():
        user = queries.find_user_by_login(login)
        if user is None:
            raise click.ClickException(f"no account {login!r}")
        done = twofactor.reset(user, actor=SYSTEM)
    click.echo(f"two-factor sign-in of {user.username} " + ("turned off" if done else "was off"))


@users_cli.command("verify-email")
@click.argument("user")
def verify_email(user: str) -> None:
    """Mark USER's e-mail address verified (USER: username, e-mail or id); audited."""
    with unit_of_work():
        found = queries.find_user(int(user)) if user.isdigit() else None
        found = found or queries.find_user_by_login(user)
        if found is None:
            raise click.ClickException(f"no user {user!r}")
        verification.mark_verified_as_staff(found, actor=SYSTEM)
        email = found.email
    click.echo(f"{email} is verified")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)

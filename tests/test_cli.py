"""Operator commands: users create-superuser, demo seed, jobs."""

import sqlalchemy as sa

from deltacrown.accounts.models import GameProfile, User
from deltacrown.extensions import db


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_create_superuser_non_interactive(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create-superuser",
            "--username",
            "boss",
            "--email",
            "boss@example.test",
            "--password",
            "a-strong-password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created superuser boss" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "boss"))
        assert user.is_superuser and user.is_staff


def test_create_superuser_prompts_for_missing_values(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create-superuser", "--username", "prompted"],
        input="prompted@example.test\nsecret-password-1\nsecret-password-1\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User.is_staff).where(User.username == "prompted"))


def test_create_superuser_reports_rule_violations(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create-superuser",
            "--username",
            "weak",
            "--email",
            "weak@example.test",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "at least 10" in result.output
    assert count(app, User) == 0


def test_demo_seed_is_idempotent_and_prints_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "admin" in first.output and "alice" in first.output
    users, profiles = count(app, User), count(app, GameProfile)
    assert users == 5 and profiles >= 8
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0, second.output
    assert (count(app, User), count(app, GameProfile)) == (users, profiles)


def test_demo_staff_user_can_log_in(app, client):
    from deltacrown.demo import DEMO_PASSWORD

    app.test_cli_runner().invoke(args=["demo", "seed"])
    response = client.post("/api/auth/login/", json={"login": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    token = response.get_json()["access_token"]
    me = client.get("/api/auth/me/", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["is_staff"] is True
    assert me.get_json()["email_verified"] is True  # demo addresses are verified


def test_jobs_list_and_run(app):
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["jobs", "list"])
    assert "purge-revoked-tokens" in listing.output
    result = runner.invoke(args=["jobs", "run", "purge-revoked-tokens"])
    assert result.exit_code == 0, result.output
    unknown = runner.invoke(args=["jobs", "run", "no-such-job"])
    assert unknown.exit_code != 0 and "no periodic job" in unknown.output


def test_db_upgrade_says_what_it_did(app, tmp_path):
    from deltacrown.app import create_app

    url = f"sqlite:///{tmp_path / 'upgrade.sqlite3'}"
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    first = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert first.exit_code == 0, first.output
    lines = [line for line in first.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "upgraded from an empty schema to " in lines[0], first.output
    again = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert "already at " in again.output and "nothing to upgrade" in again.output
    with fresh.app_context():
        db.engine.dispose()


def test_openapi_write_says_what_it_wrote(app, tmp_path):
    import json

    target = tmp_path / "openapi.json"
    result = app.test_cli_runner().invoke(args=["openapi", "write", str(target)])
    assert result.exit_code == 0, result.output
    paths = len(json.loads(target.read_text())["paths"])
    assert result.output.strip() == f"wrote the OpenAPI document ({paths} paths, json) to {target}"

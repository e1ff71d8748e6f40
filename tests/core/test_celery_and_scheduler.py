"""Celery runs tasks inside the app context and unit of work; the embedded beat runs due jobs."""

from datetime import timedelta

import sqlalchemy as sa

from deltacrown.accounts.models import RevokedToken
from deltacrown.core import scheduler
from deltacrown.core.time import utcnow
from deltacrown.extensions import db


def test_celery_is_configured_from_celeryconfig(app):
    celery = app.extensions["celery"]
    assert celery.conf.task_serializer == "json"
    assert celery.conf.accept_content == ["json"]
    assert "purge-revoked-tokens" in celery.conf.beat_schedule
    assert "accounts.purge_expired_revoked_tokens" in celery.tasks


def test_a_task_runs_in_the_app_context_and_commits(app):
    with app.app_context():
        now = utcnow()
        db.session.add_all(
            [
                RevokedToken(jti="old", expires_at=now - timedelta(days=1), revoked_at=now),
                RevokedToken(jti="live", expires_at=now + timedelta(days=1), revoked_at=now),
            ]
        )
        db.session.commit()
    task = app.extensions["celery"].tasks["accounts.purge_expired_revoked_tokens"]
    assert task.apply().get() == 1
    with app.app_context():
        assert db.session.scalars(sa.select(RevokedToken.jti)).all() == ["live"]


def test_the_cli_module_exposes_a_lazy_celery_app(monkeypatch, database_url):
    monkeypatch.setenv("DELTACROWN_ENV", "testing")
    monkeypatch.setenv("TEST_DATABASE_URL", database_url)
    import deltacrown.celery_app as module

    celery = module.celery
    assert "accounts.purge_expired_revoked_tokens" in celery.tasks


def test_embedded_scheduler_runs_only_due_jobs(app, monkeypatch):
    ran = []
    monkeypatch.setattr(
        scheduler,
        "beat_schedule",
        lambda: {
            "often": {"task": "t.often", "schedule": 1.0},
            "rarely": {"task": "t.rarely", "schedule": 3600.0},
        },
    )
    monkeypatch.setattr(scheduler, "run_job", lambda _app, name: ran.append(name))
    thread = scheduler.EmbeddedScheduler(app)
    thread.last_run = {name: utcnow() - timedelta(seconds=5) for name in ("often", "rarely")}
    thread.run_due()
    assert ran == ["often"]


def test_embedded_scheduler_is_off_under_testing(app):
    assert scheduler.start_embedded_scheduler(app) is None

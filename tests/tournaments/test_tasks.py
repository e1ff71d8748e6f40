"""The schedule sweep: registration opens and closes at its times, by the beat task or
`flask jobs run`, and only for tournaments that are due."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

import celeryconfig
from deltacrown.core.audit import AuditEntry
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.tournaments import services, tasks
from deltacrown.tournaments.models import Tournament, TournamentStatus
from tests.factories import build_tournament, make_tournament

S = TournamentStatus


def status_of(app, tournament_id):
    with app.app_context():
        return db.session.scalar(sa.select(Tournament.status).where(Tournament.id == tournament_id))


def test_the_sweep_opens_and_closes_registration_on_time(app_ctx, owner):
    tournament = build_tournament(owner.id, status="published")
    opens, closes = tournament.registration_opens_at, tournament.registration_closes_at
    with time_machine.travel(opens - timedelta(seconds=1), tick=False):
        assert services.apply_scheduled_transitions() == {"opened": 0, "closed": 0}
    with time_machine.travel(opens, tick=False):
        assert services.apply_scheduled_transitions() == {"opened": 1, "closed": 0}
    assert tournament.status == S.REGISTRATION_OPEN
    with time_machine.travel(closes - timedelta(seconds=1), tick=False):
        assert services.apply_scheduled_transitions() == {"opened": 0, "closed": 0}
    with time_machine.travel(closes + timedelta(minutes=3), tick=False):
        assert services.apply_scheduled_transitions() == {"opened": 0, "closed": 1}
        assert services.apply_scheduled_transitions() == {"opened": 0, "closed": 0}
    assert tournament.status == S.REGISTRATION_CLOSED


def test_the_sweep_leaves_drafts_deleted_cancelled_and_unscheduled_alone(app_ctx, owner, load):
    draft = build_tournament(owner.id)
    cancelled = build_tournament(owner.id, status="cancelled")
    deleted = build_tournament(owner.id)
    services.delete_tournament(deleted.id, actor=load(owner))
    manual = build_tournament(
        owner.id, status="published", registration_opens_at=None, registration_closes_at=None
    )
    with time_machine.travel(utcnow() + timedelta(days=6), tick=False):
        assert services.apply_scheduled_transitions() == {"opened": 0, "closed": 0}
    assert [t.status for t in (draft, cancelled, deleted, manual)] == [
        S.DRAFT,
        S.CANCELLED,
        S.DRAFT,
        S.PUBLISHED,
    ]


def test_a_missed_window_ends_closed(app_ctx, owner):
    """After downtime spanning the whole window, one run catches up: open, then closed."""
    tournament = build_tournament(owner.id, status="published")
    with time_machine.travel(tournament.registration_closes_at + timedelta(hours=1), tick=False):
        assert services.apply_scheduled_transitions() == {"opened": 1, "closed": 1}
    assert tournament.status == S.REGISTRATION_CLOSED


def test_a_manually_closed_registration_stays_closed(app_ctx, owner):
    tournament = build_tournament(owner.id, status="registration_closed")
    with time_machine.travel(tournament.registration_closes_at + timedelta(hours=1), tick=False):
        assert services.apply_scheduled_transitions() == {"opened": 0, "closed": 0}


def test_scheduled_moves_are_audited_as_the_system(app_ctx, owner):
    tournament = build_tournament(owner.id, status="published")
    with time_machine.travel(tournament.registration_opens_at, tick=False):
        tasks.apply_scheduled_transitions.run()
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "tournament.registration_open")
    ).one()
    assert (entry.actor_id, entry.actor_kind.value) == (None, "system")
    assert entry.after == {"status": "registration_open", "scheduled": True}


def test_flask_jobs_run_applies_the_schedule(app, owner):
    tournament_id = make_tournament(app, owner.id, status="published")
    with app.app_context():
        opens = db.session.get(Tournament, tournament_id).registration_opens_at
    runner = app.test_cli_runner()
    with time_machine.travel(opens + timedelta(seconds=30), tick=False):
        result = runner.invoke(args=["jobs", "run", "tournaments.apply_scheduled_transitions"])
    assert result.exit_code == 0, result.output
    assert "'opened': 1" in result.output
    assert status_of(app, tournament_id) == S.REGISTRATION_OPEN


def test_the_sweep_runs_every_minute_from_beat():
    entry = celeryconfig.beat_schedule["apply-tournament-schedules"]
    assert entry["task"] == "tournaments.apply_scheduled_transitions"
    assert entry["schedule"] == timedelta(minutes=1)

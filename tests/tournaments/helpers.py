"""Helpers for the tournaments service tests (inside an app context)."""

from __future__ import annotations

import sqlalchemy as sa

from deltacrown.core.audit import AuditEntry
from deltacrown.extensions import db
from deltacrown.tournaments import services
from deltacrown.tournaments.schemas import TournamentCreateArgs, TournamentUpdateArgs
from tests.factories import tournament_body


def create(actor, **overrides):
    return services.create_tournament(
        actor=actor, data=TournamentCreateArgs().load(tournament_body(**overrides))
    )


def update(tournament, actor, **changes):
    return services.update_tournament(
        tournament.id, actor=actor, changes=TournamentUpdateArgs().load(changes)
    )


def audit_actions(tournament):
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.target_type == "tournaments", AuditEntry.target_id == tournament.id)
            .order_by(AuditEntry.id)
        )
    )


def iso(value):
    return value.isoformat()

"""Purging rows with everything that refers to them, found through the foreign keys."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.core.purge import purge
from deltacrown.extensions import db
from deltacrown.registrations.models import PaymentStatus, Registration, RegistrationStatus
from deltacrown.tournaments.models import Tournament
from tests.factories import build_tournament


def test_a_purge_takes_the_dependent_rows_and_leaves_the_rest(app_ctx: Any, make_user: Any) -> None:
    owner, player, bystander = make_user(), make_user(), make_user()
    doomed = build_tournament(owner.id, status="registration_open")
    kept = build_tournament(bystander.id, status="registration_open")
    for tournament in (doomed, kept):
        db.session.add(
            Registration(tournament_id=tournament.id, user_id=player.id,
                         registered_by_id=player.id, answers={},
                         status=RegistrationStatus.CONFIRMED,
                         payment_status=PaymentStatus.NOT_REQUIRED)
        )  # fmt: skip
    db.session.flush()

    purge(db.session, {"tournaments": {doomed.id}})

    assert db.session.scalar(sa.select(sa.func.count()).where(Tournament.id == doomed.id)) == 0
    remaining = db.session.scalars(sa.select(Registration.tournament_id)).all()
    assert remaining == [kept.id]
    assert db.session.get(Tournament, kept.id) is not None

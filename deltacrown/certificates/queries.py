"""Reads of certificates and of who is owed one."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.brackets.models import TournamentResult
from deltacrown.certificates.errors import CertificateNotFoundError
from deltacrown.certificates.models import Certificate
from deltacrown.extensions import db
from deltacrown.registrations.models import Registration, RegistrationMember, RegistrationStatus
from deltacrown.teams.models import Team


@dataclass(frozen=True)
class Recipient:
    """One person owed a certificate: a roster member of a registration that took part."""

    registration_id: int
    user_id: int
    participant_name: str
    team_name: str | None
    placement: int | None


def display_name(user: User) -> str:
    return (user.display_name or "").strip() or (user.username or "").strip() or "Participant"


def recipients(tournament_id: int, registration_ids: list[int] | None = None) -> list[Recipient]:
    """Everyone owed a certificate of the tournament, best placement first: each member of a
    confirmed registration or of one that has a placement (solo registrations list their
    player as their one member)."""
    placement = TournamentResult.placement
    query = (
        sa.select(Registration.id, User, Team.name, placement)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .join(User, User.id == RegistrationMember.user_id)
        .outerjoin(Team, Team.id == Registration.team_id)
        .outerjoin(
            TournamentResult,
            sa.and_(
                TournamentResult.registration_id == Registration.id,
                TournamentResult.tournament_id == tournament_id,
            ),
        )
        .where(
            Registration.tournament_id == tournament_id,
            sa.or_(Registration.status == RegistrationStatus.CONFIRMED, placement.is_not(None)),
        )
        .order_by(placement.is_(None), placement, Registration.id, RegistrationMember.id)
    )
    if registration_ids is not None:
        query = query.where(Registration.id.in_(registration_ids))
    return [
        Recipient(registration_id, user.id, display_name(user), team, place)
        for registration_id, user, team, place in db.session.execute(query)
    ]


def current(tournament_id: int, user_id: int, language: str) -> Certificate | None:
    """The certificate that is not revoked of this person, tournament and language."""
    return db.session.scalars(
        sa.select(Certificate).where(
            Certificate.tournament_id == tournament_id,
            Certificate.user_id == user_id,
            Certificate.language == language,
            Certificate.revoked_at.is_(None),
        )
    ).first()


def get(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise CertificateNotFoundError(f"No certificate {certificate_id}.")
    return certificate


def by_code(code: str) -> Certificate:
    certificate = db.session.scalars(sa.select(Certificate).where(Certificate.code == code)).first()
    if certificate is None:
        raise CertificateNotFoundError("No certificate has this code.")
    return certificate


def of_tournament(tournament_id: int, user_id: int | None = None) -> sa.Select[tuple[Certificate]]:
    query = sa.select(Certificate).where(Certificate.tournament_id == tournament_id)
    if user_id is not None:
        query = query.where(Certificate.user_id == user_id)
    return query


def of_user(user_id: int) -> sa.Select[tuple[Certificate]]:
    return sa.select(Certificate).where(Certificate.user_id == user_id)

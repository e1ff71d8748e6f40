"""Read helpers for registrations, waitlists, payments and refunds, and the answers this
domain gives to the tournaments and teams hooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from deltacrown.extensions import db
from deltacrown.registrations.errors import RegistrationNotFoundError
from deltacrown.registrations.models import (
    ACTIVE_STATUSES,
    HOLDING_STATUSES,
    Payment,
    PaymentStatus,
    Registration,
    RegistrationMember,
    RegistrationStatus,
    SubmissionStatus,
)
from deltacrown.teams.models import Team
from deltacrown.tournaments.models import FINISHED, Tournament, TournamentStatus

S = RegistrationStatus


def _with_people(query: sa.Select[Any]) -> sa.Select[Any]:
    return query.options(
        selectinload(Registration.user),
        selectinload(Registration.team),
        selectinload(Registration.payments),
    )


# ----- single registrations ------------------------------------------------------------------
def get_registration(registration_id: int, *, fresh: bool = False) -> Registration:
    """A registration by id (RegistrationNotFoundError); `fresh` re-reads it from the database."""
    if fresh:
        registration = db.session.scalar(
            sa.select(Registration)
            .where(Registration.id == registration_id)
            .execution_options(populate_existing=True)
        )
    else:
        registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationNotFoundError(f"No registration {registration_id}.")
    return registration


def find_active_for_user(tournament_id: int, user_id: int) -> Registration | None:
    """The active registration that lists `user_id` (solo or on a roster), if any."""
    return db.session.scalars(
        sa.select(Registration)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .where(
            RegistrationMember.tournament_id == tournament_id,
            RegistrationMember.user_id == user_id,
            RegistrationMember.is_active.is_(True),
        )
    ).first()


def find_active_solo(tournament_id: int, user_id: int) -> Registration | None:
    return db.session.scalars(
        sa.select(Registration).where(
            Registration.tournament_id == tournament_id,
            Registration.user_id == user_id,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    ).first()


def find_active_team(tournament_id: int, team_id: int) -> Registration | None:
    return db.session.scalars(
        sa.select(Registration).where(
            Registration.tournament_id == tournament_id,
            Registration.team_id == team_id,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    ).first()


def find_registration_of(tournament_id: int, user_id: int) -> Registration | None:
    """The active registration `user_id` acts for: their solo one, or their team's as captain,
    else the one that lists them (a roster member, who may not act for it)."""
    solo = find_active_solo(tournament_id, user_id)
    if solo is not None:
        return solo
    captained = db.session.scalars(
        sa.select(Registration)
        .join(Team, Team.id == Registration.team_id)
        .where(
            Registration.tournament_id == tournament_id,
            Registration.status.in_(ACTIVE_STATUSES),
            Team.captain_id == user_id,
        )
    ).first()
    return captained or find_active_for_user(tournament_id, user_id)


def active_members_in(tournament_id: int, user_ids: list[int]) -> list[int]:
    """Those of `user_ids` already on an active registration of the tournament."""
    if not user_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(RegistrationMember.user_id).where(
                RegistrationMember.tournament_id == tournament_id,
                RegistrationMember.user_id.in_(user_ids),
                RegistrationMember.is_active.is_(True),
            )
        )
    )


def is_listed_on_any(tournament_id: int, user_id: int) -> bool:
    """Whether the user is (or was) on any registration of the tournament."""
    return (
        db.session.scalar(
            sa.select(RegistrationMember.id)
            .where(
                RegistrationMember.tournament_id == tournament_id,
                RegistrationMember.user_id == user_id,
            )
            .limit(1)
        )
        is not None
    )


# ----- counts and the waitlist ---------------------------------------------------------------
def count_by_status(tournament_id: int, statuses: tuple[RegistrationStatus, ...]) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(
                Registration.tournament_id == tournament_id, Registration.status.in_(statuses)
            )
        )
        or 0
    )


def count_holding(tournament_id: int) -> int:
    """Registrations holding a place (pending + confirmed): what capacity counts."""
    return count_by_status(tournament_id, HOLDING_STATUSES)


def count_checked_in(tournament_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(
                Registration.tournament_id == tournament_id,
                Registration.status == S.CONFIRMED,
                Registration.checked_in_at.is_not(None),
            )
        )
        or 0
    )


def waitlist(tournament_id: int) -> sa.Select[tuple[Registration]]:
    """Waitlisted registrations, first in line first."""
    return (
        sa.select(Registration)
        .where(Registration.tournament_id == tournament_id, Registration.status == S.WAITLISTED)
        .order_by(Registration.waitlist_position, Registration.id)
    )


def waitlisted(tournament_id: int) -> list[Registration]:
    return list(db.session.scalars(waitlist(tournament_id)))


def last_position(tournament_id: int) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.max(Registration.waitlist_position)).where(
                Registration.tournament_id == tournament_id, Registration.status == S.WAITLISTED
            )
        )
        or 0
    )


# ----- lists ---------------------------------------------------------------------------------
def list_for_tournament(
    tournament_id: int,
    *,
    status: RegistrationStatus | None = None,
    payment_status: PaymentStatus | None = None,
    public: bool = False,
) -> sa.Select[tuple[Registration]]:
    """A tournament's registrations in sign-up order; `public` keeps confirmed ones only."""
    query = sa.select(Registration).where(Registration.tournament_id == tournament_id)
    if public:
        query = query.where(Registration.status == S.CONFIRMED)
    else:
        if status is not None:
            query = query.where(Registration.status == status)
        if payment_status is not None:
            query = query.where(Registration.payment_status == payment_status)
    return _with_people(query).order_by(Registration.id)


def ids_listing_or_made_by(user_id: int) -> sa.CompoundSelect:
    """The ids of the registrations that list the user or that they made: a union of two
    index lookups (`id IN (members) OR registered_by_id = :u` reads every registration)."""
    return sa.union(
        sa.select(RegistrationMember.registration_id).where(RegistrationMember.user_id == user_id),
        sa.select(Registration.id).where(Registration.registered_by_id == user_id),
    )


def list_for_user(
    user_id: int, *, status: RegistrationStatus | None = None
) -> sa.Select[tuple[Registration]]:
    """Registrations that list the user or that they made, newest first."""
    query = sa.select(Registration).where(Registration.id.in_(ids_listing_or_made_by(user_id)))
    if status is not None:
        query = query.where(Registration.status == status)
    return _with_people(query).order_by(Registration.id.desc())


def list_payments(
    tournament_id: int, *, status: SubmissionStatus | None = None
) -> sa.Select[tuple[Payment]]:
    """A tournament's payment submissions, oldest first (the verification queue)."""
    query = sa.select(Payment).where(Payment.tournament_id == tournament_id)
    if status is not None:
        query = query.where(Payment.status == status)
    return query.options(
        selectinload(Payment.registration).selectinload(Registration.user),
        selectinload(Payment.registration).selectinload(Registration.team),
    ).order_by(Payment.submitted_at, Payment.id)


def transaction_id_taken(method: str, transaction_id: str) -> bool:
    """Whether a live (not rejected) submission already used this id with this method."""
    return (
        db.session.scalar(
            sa.select(Payment.id).where(
                Payment.method == method,
                Payment.transaction_id == transaction_id,
                Payment.status != SubmissionStatus.REJECTED,
            )
        )
        is not None
    )


def list_refunds_due(*, include_refunded: bool = False) -> sa.Select[tuple[Registration]]:
    """Manual payments to give back by hand (oldest first); with `include_refunded`, also
    the ones staff already marked refunded."""
    query = sa.select(Registration).where(Registration.refund_due_at.is_not(None))
    if not include_refunded:
        query = query.where(Registration.refunded_at.is_(None))
    return _with_people(query).order_by(Registration.refund_due_at, Registration.id)


# ----- sweeps ----------------------------------------------------------------------------------
def expired_offers(now: datetime) -> sa.Select[tuple[int]]:
    """Tournament ids with a pending registration whose payment deadline has passed."""
    return (
        sa.select(Registration.tournament_id)
        .where(
            Registration.status == S.PENDING,
            Registration.payment_status.in_((PaymentStatus.AWAITING, PaymentStatus.REJECTED)),
            Registration.payment_due_at.is_not(None),
            Registration.payment_due_at <= now,
        )
        .distinct()
    )


def tournaments_with_waitlist() -> sa.Select[tuple[int]]:
    """Tournaments still taking promotions that have someone waiting."""
    return (
        sa.select(Registration.tournament_id)
        .join(Tournament, Tournament.id == Registration.tournament_id)
        .where(
            Registration.status == S.WAITLISTED,
            Tournament.status.in_(
                (TournamentStatus.REGISTRATION_OPEN, TournamentStatus.REGISTRATION_CLOSED)
            ),
        )
        .distinct()
    )


def checkins_due_to_close(now: datetime) -> sa.Select[tuple[int]]:
    """Tournaments whose check-in has closed with confirmed registrations not checked in."""
    return (
        sa.select(Tournament.id)
        .join(Registration, Registration.tournament_id == Tournament.id)
        .where(
            Tournament.status.in_(
                (TournamentStatus.REGISTRATION_OPEN, TournamentStatus.REGISTRATION_CLOSED)
            ),
            Tournament.checkin_closes_at.is_not(None),
            Tournament.checkin_closes_at <= now,
            Tournament.deleted_at.is_(None),
            Registration.status == S.CONFIRMED,
            Registration.checked_in_at.is_(None),
        )
        .distinct()
    )


def cancelled_with_active_registrations() -> sa.Select[tuple[int]]:
    """Cancelled tournaments whose registrations were not wound up (a missed signal)."""
    return (
        sa.select(Tournament.id)
        .join(Registration, Registration.tournament_id == Tournament.id)
        .where(
            Tournament.status == TournamentStatus.CANCELLED,
            Registration.status.in_(ACTIVE_STATUSES),
        )
        .distinct()
    )


# ----- hooks other domains ask -------------------------------------------------------------------
def registrations_exist(tournament_id: int) -> bool:
    """Whether players hold (or held until the start) registrations: answers exist."""
    return (
        db.session.scalar(
            sa.select(Registration.id)
            .where(
                Registration.tournament_id == tournament_id,
                Registration.status.not_in((S.CANCELLED, S.REJECTED)),
            )
            .limit(1)
        )
        is not None
    )


def roster_lock_reason(team_id: int) -> str | None:
    """Why a team's roster is locked: an active registration in an `ongoing` tournament."""
    name = db.session.scalar(
        sa.select(Tournament.name)
        .join(Registration, Registration.tournament_id == Tournament.id)
        .where(
            Registration.team_id == team_id,
            Registration.status.in_(ACTIVE_STATUSES),
            Tournament.status == TournamentStatus.ONGOING,
        )
        .limit(1)
    )
    return None if name is None else f"The team is playing in {name}, which is under way."


def team_has_active_registration(team_id: int) -> bool:
    """Whether the team holds an active registration in a tournament not yet finished."""
    return (
        db.session.scalar(
            sa.select(Registration.id)
            .join(Tournament, Tournament.id == Registration.tournament_id)
            .where(
                Registration.team_id == team_id,
                Registration.status.in_(ACTIVE_STATUSES),
                Tournament.status.not_in(tuple(FINISHED)),
            )
            .limit(1)
        )
        is not None
    )

"""Signing up (solo or team), withdrawing, and organizers' approval.

`register` decides everything under the tournament's row lock: eligibility, duplicates,
capacity (pending + confirmed against `max_participants`) and the waitlist position. The
partial unique indexes (one active registration per user / team, one active roster per player)
back the checks up, so a race that slipped past them still ends in a 409, never a duplicate.

Order of checks: the tournament (404), its invite code (403), sanctions (403), the body's
shape and the captaincy (422, 403), the registration window (409), roster and answers (422),
duplicates (409), then capacity (a place, the waitlist, or 409) and payment (409
`insufficient_funds`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.models import GameProfile
from deltacrown.accounts.verification import ensure_email_verified
from deltacrown.core import audit, signals
from deltacrown.core.actors import Actor, UserActor
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.registrations import policies, queries
from deltacrown.registrations.errors import (
    AlreadyRegisteredError,
    ApprovalNotRequiredError,
    InvalidInviteCodeError,
    InvalidRosterError,
    NotTeamCaptainError,
    PlacesAvailableError,
    PlayerInOtherRosterError,
    RegistrationClosedError,
    TournamentFullError,
    TournamentNotFoundError,
    TournamentStartedError,
    WaitlistDisabledError,
)
from deltacrown.registrations.models import (
    CancelReason,
    MemberRole,
    PaymentStatus,
    Registration,
    RegistrationMember,
    RegistrationStatus,
)
from deltacrown.registrations.services.common import (
    audit_foreign,
    check_sanctions,
    confirm,
    emit,
    end,
    lock_tournament,
    payment_deadline,
    ready_to_confirm,
    require_manager,
    snapshot,
    visible_registration,
)
from deltacrown.registrations.services.payments import charge_coins, give_back
from deltacrown.registrations.services.waitlist import enqueue, fill_places, free_places, renumber
from deltacrown.teams import queries as team_queries
from deltacrown.teams.models import MembershipStatus, Team
from deltacrown.tournaments import customfields
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import ParticipantType, Tournament, TournamentStatus

S = RegistrationStatus
P = PaymentStatus


# ----- eligibility -----------------------------------------------------------------------------
def _entry_tournament(
    tournament_id: int, actor: Actor | None, invite_code: str | None
) -> Tournament:
    """The locked tournament, if the actor may try to enter it: drafts are invisible (404);
    a private tournament needs its invite code (403 `invalid_invite_code`)."""
    tournament = lock_tournament(tournament_id)
    if policies.can_manage(actor, tournament):
        return tournament
    tournament.ensure_not_frozen()
    if tournament.is_draft:
        raise TournamentNotFoundError(f"No tournament {tournament_id}.")
    if tournament.visibility.value == "private" and (
        not invite_code or invite_code != tournament.invite_code
    ):
        raise InvalidInviteCodeError("This private tournament needs its invite code.")
    return tournament


def _ensure_open(tournament: Tournament, now: datetime) -> None:
    # The status decides (organizers may open early); a closing time already past counts as
    # closed even before the schedule sweep has moved the status.
    closes = tournament.registration_closes_at
    if tournament.status != TournamentStatus.REGISTRATION_OPEN or (
        closes is not None and now >= closes
    ):
        raise RegistrationClosedError(
            f"Tournament {tournament.id} is not taking registrations ({tournament.status.value})."
        )


def _missing_profiles(user_ids: Sequence[int], game_id: int) -> set[int]:
    having = set(
        db.session.scalars(
            sa.select(GameProfile.user_id).where(
                GameProfile.game_id == game_id, GameProfile.user_id.in_(list(user_ids))
            )
        )
    )
    return set(user_ids) - having


def _captained_team(tournament: Tournament, actor: UserActor, team_id: int) -> Team:
    """The team, which the actor captains (or staff); 422 / 403 otherwise."""
    team = team_queries.find_team(team_id)
    if team is None or not team.is_active or team.game_id != tournament.game_id:
        raise InvalidRosterError(
            "Give an active team of this tournament's game.",
            errors={"team": ["No active team of this game with this id."]},
        )
    if team.captain_id != actor.id and not policies.is_staff(actor):
        raise NotTeamCaptainError("Only the team's captain may register it.")
    return team


def _default_roster(tournament: Tournament, team: Team) -> tuple[list[int], list[int]]:
    """The roster a captain who names none means: the team's active members, captain first,
    then in joining order; the first `team_size` play and the rest are substitutes. Only when
    every member fits (team_size up to team_size + max_substitutes); otherwise nothing, and
    the captain names the players."""
    active = sorted(
        (m for m in team.memberships if m.status == MembershipStatus.ACTIVE),
        key=lambda m: (m.user_id != team.captain_id, m.joined_at, m.id),
    )
    size, limit = tournament.team_size, tournament.team_size + tournament.max_substitutes
    if not size <= len(active) <= limit:
        return [], []
    ids = [m.user_id for m in active]
    return ids[:size], ids[size:]


def _team_roster(
    tournament: Tournament, team: Team, roster: Sequence[int], substitutes: Sequence[int]
) -> list[tuple[int, MemberRole]]:
    """The validated roster: `team_size` players and up to `max_substitutes`, all active
    members of the team with a game profile for the game (InvalidRosterError otherwise).
    No roster and no substitutes: the team's members, when they fit (`_default_roster`)."""
    if not roster and not substitutes:
        roster, substitutes = _default_roster(tournament, team)
    errors: dict[str, list[str]] = {}
    if len(roster) != tournament.team_size:
        on_team = sum(1 for m in team.memberships if m.status == MembershipStatus.ACTIVE)
        errors["roster"] = [
            f"Name exactly {tournament.team_size} players (the team has {on_team} active "
            "members; without a roster all of them register when they fit the team size "
            "and substitutes)."
        ]
    if len(substitutes) > tournament.max_substitutes:
        errors["substitutes"] = [f"At most {tournament.max_substitutes} substitutes."]
    everyone = [*roster, *substitutes]
    if len(set(everyone)) != len(everyone):
        errors.setdefault("roster", []).append("A player may appear only once.")
    if errors:
        raise InvalidRosterError(
            "The roster does not fit the tournament; see errors.", errors=errors
        )
    active = {m.user_id for m in team.memberships if m.status == MembershipStatus.ACTIVE}
    outsiders = [uid for uid in everyone if uid not in active]
    if outsiders:
        raise InvalidRosterError(
            "Every player must be an active member of the team.",
            errors={"roster": [f"User {uid} is not on the team." for uid in outsiders]},
        )
    missing = _missing_profiles(everyone, tournament.game_id)
    if missing:
        raise InvalidRosterError(
            f"Every player needs a {tournament.game.name} game profile.",
            errors={"roster": [f"User {uid} has no game profile." for uid in sorted(missing)]},
        )
    members = [(uid, MemberRole.PLAYER) for uid in roster]
    return members + [(uid, MemberRole.SUBSTITUTE) for uid in substitutes]


def _check_duplicates(
    tournament: Tournament, actor: UserActor, team: Team | None, user_ids: list[int]
) -> None:
    if team is not None:
        if queries.find_active_team(tournament.id, team.id) is not None:
            raise AlreadyRegisteredError(f"Team {team.name} is already registered.")
    elif queries.find_active_solo(tournament.id, actor.id) is not None:
        raise AlreadyRegisteredError("You are already registered for this tournament.")
    taken = queries.active_members_in(tournament.id, user_ids)
    if taken:
        raise PlayerInOtherRosterError(
            "Some players are already on another registration of this tournament.",
            errors={"roster": [f"User {uid} is already registered." for uid in sorted(taken)]},
            user_ids=sorted(taken),
        )


# ----- sign-up -----------------------------------------------------------------------------------
def register(
    tournament_id: int,
    *,
    actor: UserActor,
    answers: Mapping[str, Any] | None = None,
    team_id: int | None = None,
    roster: Sequence[int] | None = None,
    substitutes: Sequence[int] | None = None,
    invite_code: str | None = None,
    waitlist_only: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register the actor (solo) or the actor's team for a tournament.

    A free place → `confirmed` (free, or a coin fee debited now) or `pending` (a cash fee to
    pay by `payment_due_at`, or an approval to wait for). No place → `waitlisted` at the end of
    the line, or TournamentFullError when the waitlist is off. `waitlist_only` (the waitlist
    join endpoint) refuses with PlacesAvailableError when a place is free, and with
    WaitlistDisabledError when there is no waitlist.

    Raises TournamentNotFoundError, InvalidInviteCodeError, SanctionedError,
    NotTeamCaptainError, RegistrationClosedError, ValidationError, InvalidAnswersError,
    InvalidRosterError, AlreadyRegisteredError, PlayerInOtherRosterError, TournamentFullError,
    WaitlistDisabledError, PlacesAvailableError, InsufficientFundsError, EmailNotVerifiedError
    (403: an entry fee and an unverified address, when REQUIRE_EMAIL_VERIFICATION is on).
    """
    now = now or utcnow()
    tournament = _entry_tournament(tournament_id, actor, invite_code)
    check_sanctions([actor.id], tournament.id)
    if tournament.entry_fee is not None:  # free registration needs no verified address
        ensure_email_verified(actor)
    is_team = tournament.participant_type == ParticipantType.TEAM
    team: Team | None = None
    if is_team:
        if team_id is None:
            raise InvalidRosterError(
                "A team tournament: give the team and its roster.",
                errors={"team": ["Required for a team tournament."]},
            )
        team = _captained_team(tournament, actor, team_id)
    elif team_id is not None or roster or substitutes:
        raise ValidationError(
            "A solo tournament: register yourself, without a team or roster.",
            errors={"team": ["Not allowed in a solo tournament."]},
        )
    _ensure_open(tournament, now)
    if team is not None:
        members = _team_roster(tournament, team, roster or [], substitutes or [])
        check_sanctions([uid for uid, _ in members], tournament.id, team_id=team.id)
    else:
        members = [(actor.id, MemberRole.PLAYER)]
        if _missing_profiles([actor.id], tournament.game_id):
            raise InvalidRosterError(
                f"Add your {tournament.game.name} game profile before registering.",
                errors={"game_profile": [f"No {tournament.game.name} game profile."]},
            )
    cleaned = customfields.validate_answers(
        tournament_queries.live_custom_fields(tournament.id), answers
    )
    user_ids = [uid for uid, _ in members]
    _check_duplicates(tournament, actor, team, user_ids)
    # Anyone already waiting goes first (places freed by other means: a capacity increase).
    fill_places(tournament, now=now)
    has_place = free_places(tournament) > 0
    if waitlist_only and not tournament.waitlist_enabled:
        raise WaitlistDisabledError(f"Tournament {tournament.id} has no waitlist.")
    if waitlist_only and has_place:
        raise PlacesAvailableError("Places are free: register instead of joining the waitlist.")
    if not has_place and not tournament.waitlist_enabled:
        raise TournamentFullError(f"Tournament {tournament.id} is full.")
    registration = _create(tournament, actor, team, members, cleaned, has_place, now)
    if team is not None and team.captain_id != actor.id:
        audit.record(
            actor=actor,
            action="registration.created",
            target=registration,
            after=snapshot(registration),
        )
    emit(signals.registration_created, registration, status=registration.status.value)
    return registration


def _create(
    tournament: Tournament,
    actor: UserActor,
    team: Team | None,
    members: list[tuple[int, MemberRole]],
    answers: dict[str, Any],
    has_place: bool,
    now: datetime,
) -> Registration:
    fee = tournament.entry_fee
    registration = Registration(
        tournament_id=tournament.id,
        user_id=None if team is not None else actor.id,
        team_id=team.id if team is not None else None,
        registered_by_id=actor.id,
        status=S.PENDING,
        payment_status=P.NOT_REQUIRED if fee is None else P.AWAITING,
        fee_amount=fee.amount if fee else None,
        fee_currency=fee.currency if fee else None,
        fee_coins=fee.coins if fee else None,
        answers=answers,
        created_at=now,
        updated_at=now,
        members=[
            RegistrationMember(tournament_id=tournament.id, user_id=uid, role=role)
            for uid, role in members
        ],
    )
    try:
        # A savepoint: an index violation (a race the checks missed) or a failed debit
        # leaves nothing behind.
        with db.session.begin_nested():
            if not has_place:
                enqueue(registration, tournament)
            db.session.add(registration)
            db.session.flush()
            if has_place:
                if registration.fee_coins is not None:
                    charge_coins(registration, tournament, actor=actor)
                elif registration.payment_status == P.AWAITING:
                    registration.payment_due_at = payment_deadline(tournament, now)
                if ready_to_confirm(registration, tournament):
                    confirm(registration, tournament, now)
                db.session.flush()
    except IntegrityError as exc:
        _check_duplicates(tournament, actor, team, [uid for uid, _ in members])
        raise AlreadyRegisteredError("Already registered.") from exc
    return registration


# ----- withdrawal ----------------------------------------------------------------------------------
def _ensure_before_start(tournament: Tournament) -> None:
    if tournament.status in (TournamentStatus.ONGOING, TournamentStatus.COMPLETED):
        raise TournamentStartedError(
            f"Tournament {tournament.id} is {tournament.status.value}: too late to withdraw."
        )


def _release(
    registration: Registration,
    tournament: Tournament,
    status: RegistrationStatus,
    *,
    actor: Actor | None,
    now: datetime,
    reason: CancelReason | None = None,
) -> None:
    """End an active registration, give back what it paid, pass its place on."""
    held_place = registration.holds_place
    end(registration, status, now=now, actor=actor, reason=reason)
    give_back(registration, actor=actor, now=now)
    db.session.flush()
    if held_place:
        fill_places(tournament, now=now)
    else:
        renumber(tournament.id)
    db.session.flush()


def cancel_registration(
    registration_id: int, *, actor: UserActor, now: datetime | None = None
) -> Registration:
    """Withdraw (the player or captain, staff on their behalf) or remove (organizers) a
    registration before the tournament is `ongoing`. A coin fee goes back to the wallet, a
    manual payment becomes a refund due, and the place passes to the waitlist at once.

    Raises RegistrationNotFoundError, PermissionDeniedError, TournamentStartedError,
    InvalidTransitionError (already ended).
    """

    now = now or utcnow()
    registration, tournament = visible_registration(registration_id, actor)
    if not policies.can_cancel(actor, registration):
        raise PermissionDeniedError("Only the player or the team's captain may withdraw.")
    if policies.is_registrant(actor, registration):
        tournament.ensure_not_frozen()
    _ensure_before_start(tournament)
    if not registration.is_active:
        raise InvalidTransitionError(
            f"Registration {registration.id} is already {registration.status.value}."
        )
    by_owner = policies.is_registrant(actor, registration)
    reason = CancelReason.WITHDRAWN if by_owner else CancelReason.REMOVED
    before = snapshot(registration)
    _release(registration, tournament, S.CANCELLED, actor=actor, now=now, reason=reason)
    audit_foreign(actor, registration, "registration.cancelled", before, reason=reason.value)
    emit(signals.registration_cancelled, registration, reason=reason.value, actor_id=actor.id)
    return registration


# ----- approval ------------------------------------------------------------------------------------
def _awaiting_approval(registration: Registration, tournament: Tournament) -> None:
    if not tournament.requires_approval:
        raise ApprovalNotRequiredError(f"Tournament {tournament.id} does not require approval.")
    if registration.status not in (S.PENDING, S.WAITLISTED) or registration.approved_at:
        raise InvalidTransitionError(
            f"Registration {registration.id} is not awaiting approval "
            f"({registration.status.value})."
        )


def approve_registration(
    registration_id: int, *, actor: UserActor, now: datetime | None = None
) -> Registration:
    """Organizers/staff approve; a paid (or free) pending registration is confirmed, a
    waitlisted one keeps its place in line, approved. Audited.

    Raises RegistrationNotFoundError, PermissionDeniedError, ApprovalNotRequiredError,
    InvalidTransitionError.
    """
    now = now or utcnow()
    registration, tournament = visible_registration(registration_id, actor)
    require_manager(actor, tournament)
    _awaiting_approval(registration, tournament)
    before = snapshot(registration)
    registration.approved_at = now
    registration.approved_by_id = actor.id
    if registration.status == S.PENDING and ready_to_confirm(registration, tournament):
        confirm(registration, tournament, now)
    db.session.flush()
    audit_foreign(actor, registration, "registration.approved", before)
    return registration


def reject_registration(
    registration_id: int, *, actor: UserActor, reason: str, now: datetime | None = None
) -> Registration:
    """Organizers/staff reject a registration awaiting approval, with a reason; what it paid
    goes back and its place passes on. Audited.

    Raises RegistrationNotFoundError, PermissionDeniedError, ValidationError (no reason),
    ApprovalNotRequiredError, InvalidTransitionError.
    """
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            "Say why the registration is rejected.", errors={"reason": ["Required."]}
        )
    registration, tournament = visible_registration(registration_id, actor)
    require_manager(actor, tournament)
    _awaiting_approval(registration, tournament)
    before = snapshot(registration)
    registration.rejection_reason = reason
    _release(registration, tournament, S.REJECTED, actor=actor, now=now)
    audit_foreign(actor, registration, "registration.rejected", before, reason=reason)
    emit(signals.registration_rejected, registration, reason=reason, actor_id=actor.id)
    return registration

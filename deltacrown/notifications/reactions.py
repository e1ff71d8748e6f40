"""What each signal means for people: `react(event, payload)` turns one committed event (the
signal's name and its ids) into notices, run by the `notifications.react` task.

| event | who is told | kind |
| --- | --- | --- |
| registration_created (pending / waitlisted) | the registration's people | registration_received / registration_waitlisted |
| registration_confirmed, _rejected, waitlist_promoted, payment_verified, _rejected, _refunded | the registration's people | same name |
| registration_cancelled (not by the tournament's cancellation) | its people but the one who cancelled | registration_cancelled |
| team_invite_sent | the invitee | team_invite |
| team_member_joined / team_member_left | the captain (and a removed member) | team_member_joined / _left |
| match_state_changed → ready, tournament_started (its ready and live matches) | both sides (a lobby's members) | match_ready |
| match_state_changed → awaiting_confirmation | the sides that did not submit | result_submitted |
| dispute_opened | the tournament's organizers | dispute_opened |
| dispute_resolved | the match's sides | dispute_resolved |
| match_schedule_changed (proposed / accepted / declined) | the other side / the proposing side | schedule_proposed / _accepted / _declined |
| tournament_cancelled | everyone registered | tournament_cancelled |
| tournament_completed | the confirmed participants | tournament_completed |
| payout_paid | the payee | payout_paid |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deltacrown.matches.models import became_playable
from deltacrown.notifications import audience
from deltacrown.notifications.kinds import NotificationType as T
from deltacrown.notifications.services import Notice, notify
from deltacrown.payouts import queries as payouts
from deltacrown.payouts.errors import PayoutNotFoundError
from deltacrown.registrations.models import CancelReason, RegistrationStatus

Reaction = Callable[[dict[str, Any]], int]


def _tournament_link(tournament_id: int) -> str:
    return f"/api/tournaments/{tournament_id}/"


def _registration(kind: T) -> Reaction:
    def react(payload: dict[str, Any]) -> int:
        registration_id = int(payload["registration_id"])
        tournament_id = int(payload["tournament_id"])
        people = audience.registration_people([registration_id])
        notice = Notice(
            kind,
            {"registration_id": registration_id, "tournament_id": tournament_id},
            {"tournament": audience.tournament_name(tournament_id)},
            f"/api/registrations/{registration_id}/",
        )
        return len(notify(people, notice))

    return react


def _registration_created(payload: dict[str, Any]) -> int:
    status = payload.get("status")
    if status == RegistrationStatus.PENDING.value:
        return _registration(T.REGISTRATION_RECEIVED)(payload)
    if status == RegistrationStatus.WAITLISTED.value:
        return _registration(T.REGISTRATION_WAITLISTED)(payload)
    return 0  # confirmed at once: `registration_confirmed` follows


def _registration_cancelled(payload: dict[str, Any]) -> int:
    if payload.get("reason") == CancelReason.TOURNAMENT_CANCELLED.value:
        return 0  # `tournament_cancelled` tells them
    registration_id = int(payload["registration_id"])
    tournament_id = int(payload["tournament_id"])
    actor_id = payload.get("actor_id")
    people = [p for p in audience.registration_people([registration_id]) if p != actor_id]
    notice = Notice(
        T.REGISTRATION_CANCELLED,
        {"registration_id": registration_id, "tournament_id": tournament_id},
        {"tournament": audience.tournament_name(tournament_id)},
        f"/api/registrations/{registration_id}/",
    )
    return len(notify(people, notice))


def _team_invite(payload: dict[str, Any]) -> int:
    team_id = int(payload["team_id"])
    notice = Notice(
        T.TEAM_INVITE,
        {"team_id": team_id, "invite_id": int(payload["invite_id"])},
        {"team": audience.team_name(team_id)},
        "/api/me/team-invites/",
    )
    return len(notify([int(payload["user_id"])], notice))


def _team_member(kind: T) -> Reaction:
    def react(payload: dict[str, Any]) -> int:
        team_id, user_id = int(payload["team_id"]), int(payload["user_id"])
        removed_by = payload.get("removed_by")
        captain = audience.team_captain(team_id)
        people = {captain} if captain is not None else set()
        if removed_by is not None and removed_by != user_id:
            people.add(user_id)  # removed by someone else: tell them too
        people -= {removed_by, None}
        if removed_by is None:
            people.discard(user_id)  # one does not need telling that one joined or left
        notice = Notice(
            kind,
            {"team_id": team_id, "user_id": user_id},
            {"team": audience.team_name(team_id), "username": audience.username(user_id)},
            f"/api/teams/{team_id}/",
        )
        return len(notify([p for p in people if p is not None], notice))

    return react


def _match_notice(payload: dict[str, Any]) -> T | None:
    """What a match's change of status tells its sides: that it is ready (it became ready, or
    went live straight from scheduled), that a result waits for their confirmation, or
    nothing."""
    before, after = payload.get("before"), payload.get("after")
    if became_playable(before, after):
        return T.MATCH_READY
    return T.RESULT_SUBMITTED if after == "awaiting_confirmation" else None


def concerns_anyone(event: str, payload: dict[str, Any]) -> bool:
    """Whether `react` may notify anyone of this event (False: it would do nothing, so the
    receiver need not enqueue it): a match reaching a state nobody is told of."""
    return event != "match_state_changed" or _match_notice(payload) is not None


def _match_state_changed(payload: dict[str, Any]) -> int:
    match_id, tournament_id = int(payload["match_id"]), int(payload["tournament_id"])
    kind = _match_notice(payload)
    if kind is None:
        return 0
    if kind == T.MATCH_READY:
        submitter = None
    else:
        submitter = audience.pending_submitter(match_id)
    _, sides = audience.match_sides(match_id)
    others = [side for side in sides if side != submitter]
    notice = Notice(
        kind,
        {"match_id": match_id, "tournament_id": tournament_id},
        {"tournament": audience.tournament_name(tournament_id)},
        f"/api/matches/{match_id}/",
    )
    return len(notify(audience.registration_people(others), notice))


def _tournament_started(payload: dict[str, Any]) -> int:
    """The first matches were created ready (rows being created announce no state change):
    their sides hear it when the tournament starts."""
    tournament_id = int(payload["tournament_id"])
    name = audience.tournament_name(tournament_id)
    created = 0
    for match_id in audience.playable_matches(tournament_id):
        _, sides = audience.match_sides(match_id)
        notice = Notice(
            T.MATCH_READY,
            {"match_id": match_id, "tournament_id": tournament_id},
            {"tournament": name},
            f"/api/matches/{match_id}/",
        )
        created += len(notify(audience.registration_people(sides), notice))
    return created


def _dispute_opened(payload: dict[str, Any]) -> int:
    tournament_id = int(payload["tournament_id"])
    dispute_id = int(payload["dispute_id"])
    notice = Notice(
        T.DISPUTE_OPENED,
        {"dispute_id": dispute_id, "match_id": int(payload["match_id"])},
        {"tournament": audience.tournament_name(tournament_id)},
        f"/api/disputes/{dispute_id}/",
    )
    return len(notify(audience.tournament_managers(tournament_id), notice))


def _dispute_resolved(payload: dict[str, Any]) -> int:
    match_id, tournament_id = int(payload["match_id"]), int(payload["tournament_id"])
    _, sides = audience.match_sides(match_id)
    notice = Notice(
        T.DISPUTE_RESOLVED,
        {"dispute_id": int(payload["dispute_id"]), "match_id": match_id},
        {"tournament": audience.tournament_name(tournament_id)},
        f"/api/matches/{match_id}/",
    )
    return len(notify(audience.registration_people(sides), notice))


SCHEDULE_KINDS = {
    "proposed": T.SCHEDULE_PROPOSED,
    "accepted": T.SCHEDULE_ACCEPTED,
    "declined": T.SCHEDULE_DECLINED,
}


def _match_schedule_changed(payload: dict[str, Any]) -> int:
    """A proposal goes to the other side; its answer to the proposing side."""
    match_id, tournament_id = int(payload["match_id"]), int(payload["tournament_id"])
    kind = SCHEDULE_KINDS.get(str(payload.get("step")))
    if kind is None:
        return 0
    proposer = int(payload["registration_id"])
    _, sides = audience.match_sides(match_id)
    told = [s for s in sides if s != proposer] if kind is T.SCHEDULE_PROPOSED else [proposer]
    notice = Notice(
        kind,
        {"match_id": match_id, "proposal_id": int(payload["proposal_id"])},
        {"tournament": audience.tournament_name(tournament_id)},
        f"/api/matches/{match_id}/schedule-proposals/",
    )
    return len(notify(audience.registration_people(told), notice))


def _tournament(kind: T, statuses: tuple[RegistrationStatus, ...]) -> Reaction:
    def react(payload: dict[str, Any]) -> int:
        tournament_id = int(payload["tournament_id"])
        people = audience.tournament_players(
            tournament_id, statuses, cancelled_with_it=kind == T.TOURNAMENT_CANCELLED
        )
        notice = Notice(
            kind,
            {"tournament_id": tournament_id},
            {"tournament": audience.tournament_name(tournament_id)},
            _tournament_link(tournament_id),
        )
        return len(notify(people, notice))

    return react


def _prize(payout_id: int) -> str | None:
    """What a payout paid, as words ("500 DeltaCoins", "BDT 1,000.00"); None if unknown."""
    try:
        payout = payouts.get_payout(payout_id)
    except PayoutNotFoundError:
        return None
    if payout.coins:
        return f"{payout.coins:,} DeltaCoins"
    if payout.amount is not None:
        return f"{payout.currency} {payout.amount:,.2f}"
    return None


def _payout_paid(payload: dict[str, Any]) -> int:
    tournament_id = payload.get("tournament_id")
    payout_id = int(payload["payout_id"])
    prize = _prize(payout_id)
    notice = Notice(
        T.PAYOUT_PAID,
        {"payout_id": payout_id},
        {"tournament": audience.tournament_name(tournament_id), "prize": prize},
        _tournament_link(int(tournament_id)) if tournament_id is not None else None,
    )
    return len(notify([int(payload["user_id"])], notice))


S = RegistrationStatus
REACTIONS: dict[str, Reaction] = {
    "registration_created": _registration_created,
    "registration_confirmed": _registration(T.REGISTRATION_CONFIRMED),
    "registration_cancelled": _registration_cancelled,
    "registration_rejected": _registration(T.REGISTRATION_REJECTED),
    "waitlist_promoted": _registration(T.WAITLIST_PROMOTED),
    "payment_verified": _registration(T.PAYMENT_VERIFIED),
    "payment_rejected": _registration(T.PAYMENT_REJECTED),
    "payment_refunded": _registration(T.PAYMENT_REFUNDED),
    "team_invite_sent": _team_invite,
    "team_member_joined": _team_member(T.TEAM_MEMBER_JOINED),
    "team_member_left": _team_member(T.TEAM_MEMBER_LEFT),
    "match_state_changed": _match_state_changed,
    "tournament_started": _tournament_started,
    "dispute_opened": _dispute_opened,
    "match_schedule_changed": _match_schedule_changed,
    "dispute_resolved": _dispute_resolved,
    "tournament_cancelled": _tournament(
        T.TOURNAMENT_CANCELLED, (S.PENDING, S.CONFIRMED, S.WAITLISTED)
    ),
    "tournament_completed": _tournament(T.TOURNAMENT_COMPLETED, (S.CONFIRMED,)),
    "payout_paid": _payout_paid,
}


def react(event: str, payload: dict[str, Any]) -> int:
    """Notify whoever `event` concerns; how many notices were created (unknown events: 0)."""
    reaction = REACTIONS.get(event)
    return reaction(payload) if reaction is not None else 0

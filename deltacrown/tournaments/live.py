"""Who may follow a tournament's live channels (its own and its matches'): the access rule
(`tournaments.access`) answered as websocket close codes; and the channels and ids of
`tournament.state_changed`, which `deltacrown.wiring` announces after every status change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import orm

from deltacrown.extensions import db
from deltacrown.moderation import enforcement as moderation
from deltacrown.tournaments import access, policies
from deltacrown.tournaments.models import Tournament, TournamentStatus, Visibility

CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND = 4401, 4403, 4404

CLOSE_CODES = {
    access.Sight.VISIBLE: None,
    access.Sight.NOT_FOUND: CLOSE_NOT_FOUND,
    access.Sight.SIGN_IN: CLOSE_UNAUTHENTICATED,
    access.Sight.FORBIDDEN: CLOSE_FORBIDDEN,
}


def find(tournament_id: int) -> Tournament | None:
    """The tournament, unless deleted. Loaded alone: its game, organizer and staff rows are
    read only when a check asks for them (an anonymous follower's never does), so a crowd
    connecting to a public match costs one row each."""
    tournament = db.session.get(Tournament, tournament_id, options=[orm.lazyload("*")])
    if tournament is None or tournament.is_deleted:
        return None
    return tournament


def check(tournament: Tournament, user: Any) -> int | None:
    """None when `user` (None: anonymous) may follow; else the websocket close code. Public
    and unlisted tournaments: anyone. Private: organizers, participants and staff (a token is
    needed: 4401 without, 4403 for others). Drafts: organizers and staff only (4404). A user
    under a ban or a suspension (global or of this tournament) follows no private or draft
    channel (4403)."""
    code = CLOSE_CODES[access.sight(user, tournament)]
    private = (
        tournament.visibility is Visibility.PRIVATE or tournament.status is TournamentStatus.DRAFT
    )
    if code is None and private and user is not None:
        decision = moderation.check(user.id, moderation.Action.FOLLOW_PRIVATE, tournament.id)
        if not decision.allowed:
            return CLOSE_FORBIDDEN
    return code


def check_id(tournament_id: int, user: Any) -> int | None:
    """`check` on a freshly loaded tournament (a long-lived socket re-checks on `auth`)."""
    tournament = find(tournament_id)
    return CLOSE_NOT_FOUND if tournament is None else check(tournament, user)


def is_organizer(tournament_id: int, user: Any) -> bool:
    tournament = find(tournament_id)
    return tournament is not None and user is not None and policies.can_manage(user, tournament)


def state_channels(tournament: Tournament) -> list[str]:
    """Where `tournament.state_changed` is published."""
    return [f"tournament:{tournament.id}"]


def state_ids(tournament: Tournament) -> dict[str, Any]:
    return {"tournament_id": tournament.id}

"""What match followers see live: `match.state_changed` after every committed status change of
a match (on any path: this domain, the brackets service, the admin; the listener is
connected by `deltacrown.wiring` with `state_channels` and `state_ids`), and the running score of
a live match (`update_score`), kept as `score_updated` events and broadcast as
`match.score_updated` on the match and tournament channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, policies, queries
from deltacrown.matches.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.models import Match, MatchEvent, MatchStatus
from deltacrown.moderation import enforcement as moderation

M = MatchStatus
MAX_GAME_SCORE = 9999


def state_channels(match: Match) -> list[str]:
    """Where `match.state_changed` is published (announced by `deltacrown.wiring`)."""
    return [f"match:{match.id}", f"tournament:{match.tournament_id}"]


def state_ids(match: Match) -> dict[str, Any]:
    return {"match_id": match.id, "tournament_id": match.tournament_id}


# ----- live score ------------------------------------------------------------------------------
def update_score(
    match_id: int,
    *,
    game: int,
    p1: int,
    p2: int,
    actor: Any,
    now: datetime | None = None,
) -> Match:
    """The running score of game `game` of a live match, by a side or an organizer: kept as a
    `score_updated` event and broadcast as `match.score_updated`. It informs followers only;
    the result still comes from submit/confirm.

    Raises MatchNotFoundError, PermissionDeniedError, InvalidTransitionError (not live),
    ValidationError (game outside 1..best_of, scores outside 0..9999), MutedError (403
    `muted`: a mute or ban is in force on the actor).
    """
    now = now or utcnow()
    match, tournament = queries.visible_match(match_id, actor, for_update=True)
    if not kind_of(match).series:
        raise ValidationError(
            "A battle-royale lobby has no head-to-head running score; submit its games.",
            errors={"game": ["Not available for a lobby match."]},
        )
    side = queries.side_of(match, actor)
    if side is None and not policies.can_referee(actor, tournament):
        raise PermissionDeniedError("Only the match's sides and organizers update its score.")
    if getattr(actor, "id", None) is not None:  # a person: the system is never muted
        moderation.enforce(actor.id, moderation.Action.LIVE_MESSAGE, match.tournament_id)
    if match.status is not M.LIVE:
        raise InvalidTransitionError(
            f"Match {match.id} is {match.status.value}; cannot update the live score.",
            current_status=match.status.value,
            allowed_from=[M.LIVE.value],
        )
    errors: dict[str, list[str]] = {}
    if not 1 <= game <= match.best_of:
        errors["game"] = [f"Must be between 1 and {match.best_of} (best of {match.best_of})."]
    for name, value in (("p1", p1), ("p2", p2)):
        if not 0 <= value <= MAX_GAME_SCORE:
            errors[name] = [f"Must be between 0 and {MAX_GAME_SCORE}."]
    if errors:
        raise ValidationError("The score update is not valid.", errors=errors)
    lifecycle.record_event(match, "score_updated", actor, registration_id=side, now=now,
                 game=game, p1=p1, p2=p2)  # fmt: skip
    lifecycle.publish_event(
        match,
        "match.score_updated",
        game=game,
        p1=p1,
        p2=p2,
        updated_by=getattr(actor, "id", None),
        live_scores=live_scores(match.id, latest={game: (p1, p2)}),
    )
    return match


def live_scores(
    match_id: int, latest: dict[int, tuple[int, int]] | None = None
) -> list[dict[str, int]]:
    """The last running score of each game, from the match's `score_updated` events."""
    by_game: dict[int, tuple[int, int]] = {}
    for data in db.session.scalars(
        sa.select(MatchEvent.data)
        .where(MatchEvent.match_id == match_id, MatchEvent.type == "score_updated")
        .order_by(MatchEvent.id)
    ):
        by_game[int(data["game"])] = (int(data["p1"]), int(data["p2"]))
    by_game.update(latest or {})
    return [{"game": g, "p1": a, "p2": b} for g, (a, b) in sorted(by_game.items())]

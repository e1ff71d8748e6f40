"""Helpers the bracket use cases share: loading a tournament for an actor, the locks a result
takes, score rules, event payloads, and finishing a stage (playoffs or completion)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.brackets import engine, policies, queries, store
from deltacrown.brackets.errors import (
    InvalidScoresError,
    MatchNotFoundError,
    TournamentNotOngoingError,
    translate,
)
from deltacrown.brackets.models import Round, SeedingMethod, Stage, StageStatus
from deltacrown.core import audit, realtime, signals
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.extensions import db
from deltacrown.matches.models import Match
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import Tournament, TournamentStatus

T = TournamentStatus

# Reactions run in the same unit of work whenever a tournament's final placements are written
# or corrected (the matches domain keeps its TournamentResult rows with them). Installed by a
# later domain's receivers.connect(); idempotent per hook.
PLACEMENT_HOOKS: list[Callable[[int], Any]] = []


def on_final_placements(hook: Callable[[int], Any]) -> None:
    if hook not in PLACEMENT_HOOKS:
        PLACEMENT_HOOKS.append(hook)


# Reactions to an organizer recording a result directly, outside the match lifecycle
# (`record_match_result` with an actor, or a lobby's game): `hook(match, actor, now, game)`,
# `game` the lobby's 1-based game number or None for a head-to-head match. The matches domain
# supersedes the submissions and closes the dispute the result settles. Same unit of work;
# idempotent per hook.
DIRECT_RESULT_HOOKS: list[Callable[..., Any]] = []


def on_direct_result(hook: Callable[..., Any]) -> None:
    if hook not in DIRECT_RESULT_HOOKS:
        DIRECT_RESULT_HOOKS.append(hook)


# ----- loading for an actor ------------------------------------------------------------------
def _managed(tournament_id: int, actor: Any) -> Tournament:
    """The tournament, row-locked, if the actor may manage it (404 when invisible, else 403)."""
    tournament = queries.visible_tournament(tournament_id, actor, for_update=True)
    if not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")
    return tournament


def _channel(tournament_id: int) -> str:
    return f"tournament:{tournament_id}"


def _delete_stages(stage_ids: list[int]) -> None:
    db.session.flush()
    for stage_id in stage_ids:
        queries.lock_stage(stage_id)
    if stage_ids:
        db.session.execute(
            sa.delete(Match).where(Match.stage_id.in_(stage_ids)),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            sa.delete(Round).where(Round.stage_id.in_(stage_ids)),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            sa.delete(Stage).where(Stage.id.in_(stage_ids)),
            execution_options={"synchronize_session": False},
        )
        db.session.expire_all()


def _result_context(
    match_id: int, actor: Any, *, states: tuple[T, ...]
) -> tuple[Tournament, Stage]:
    """Lock the match's tournament, check who acts, then lock the match's stage."""
    match = queries.get_match(match_id)
    tournament = tournament_queries.get_tournament(match.tournament_id, for_update=True)
    if actor is not None and not queries.can_see(tournament, actor):
        raise MatchNotFoundError(f"No match {match_id}.")
    if not policies.can_record_result(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")
    if tournament.status not in states:
        raise TournamentNotOngoingError(
            f"Tournament {tournament.id} is {tournament.status.value}; results are entered "
            "while it is ongoing.",
            tournament_status=tournament.status.value,
        )
    return tournament, queries.lock_stage(match.stage_id)


def _check_scores(
    match: engine.Match,
    winner: int | None,
    scores: Sequence[Sequence[int]],
    best_of: int,
    forfeit: bool,
) -> None:
    """Our rules on top of the engine's shape check: a forfeit has no scores, a series has
    at most best-of games, and the winner won more games than the loser (a draw: as many)."""
    if forfeit:
        if scores:
            raise InvalidScoresError(
                "A forfeit has no scores.", errors={"scores": ["Must be empty."]}
            )
        return
    if len(scores) > best_of:
        raise InvalidScoresError(
            f"A best-of-{best_of} has at most {best_of} games.",
            errors={"scores": [f"At most {best_of} games."]},
        )
    if not scores:
        return
    won = [sum(1 for game in scores if game[i] > game[1 - i]) for i in (0, 1)]
    first, second = match.participants
    if winner is None:
        ok = won[0] == won[1]
    else:
        slot = 0 if winner == first else 1
        ok = won[slot] > won[1 - slot]
    if not ok:
        raise InvalidScoresError(
            "The scores do not make the given winner win the series.",
            errors={"scores": ["The winner must win more games than the opponent."]},
        )


def _snapshot(row: Match) -> dict[str, Any]:
    return {
        "status": row.status.value,
        "winner_registration_id": row.winner_registration_id,
        "scores": [list(g) for g in row.scores],
    }


def _match_event(row: Match) -> dict[str, Any]:
    return {
        "match_id": row.id,
        "tournament_id": row.tournament_id,
        "stage_id": row.stage_id,
        "status": row.status.value,
        "participants": list(row.participant_ids),
        "winner_registration_id": row.winner_registration_id,
        "scores": [list(g) for g in row.scores],
    }


def _finish_stage(
    tournament: Tournament,
    loaded: store.Loaded,
    placements: list[engine.Placement],
    *,
    actor: Any,
    now: datetime,
) -> None:
    """The stage is over: record its placements. A group stage hands over to its playoffs
    (generated from its standings); the tournament completes with its last stage."""
    stage = loaded.row
    stage.status = StageStatus.COMPLETED
    stage.placements = store.placements_json(placements)
    stage.completed_at = now
    db.session.flush()
    if loaded.stage.options.get("playoffs"):
        _generate_playoffs(tournament, loaded, actor=actor)
        return
    for hook in PLACEMENT_HOOKS:
        hook(tournament.id)
    if tournament.status is not T.ONGOING:
        return  # a correction of a completed tournament's last stage: placements only
    tournament.transition(T.COMPLETED, at=now)
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.completed",
        target=tournament,
        before={"status": T.ONGOING.value},
        after={"status": T.COMPLETED.value, "champion": placements[0].participant},
    )
    signals.send_after_commit(signals.tournament_completed, "brackets", tournament_id=tournament.id)
    realtime.publish(
        _channel(tournament.id),
        "tournament.completed",
        {"tournament_id": tournament.id, "placements": stage.placements},
    )


def _generate_playoffs(tournament: Tournament, loaded: store.Loaded, *, actor: Any) -> Stage:
    """The playoff stage of a completed group stage, seeded by its standings."""
    try:
        playoffs = engine.generate_playoffs(loaded.stage)
    except engine.BracketError as exc:
        raise translate(exc) from exc
    row = store.create_stage(
        tournament.id,
        loaded.row.number + 1,
        playoffs,
        requested_options=dict(loaded.stage.options["playoffs"]["options"]),
        best_of=loaded.row.best_of,
        seeding=SeedingMethod.STANDINGS,
        rng_seed=None,
        created_by_id=getattr(actor, "id", None),
    )
    signals.send_after_commit(
        signals.bracket_generated,
        "brackets",
        tournament_id=tournament.id,
        stage_ids=[row.id],
        actor_id=getattr(actor, "id", None),
    )
    realtime.publish(
        _channel(tournament.id),
        "bracket.generated",
        {"tournament_id": tournament.id, "stage_ids": [row.id], "regenerated": False},
    )
    return row

"""Helpers the bracket use cases share: loading a tournament for an actor, the locks a result
takes, event payloads, and finishing a stage (playoffs,
or the tournament's completion and its TournamentResult rows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.brackets import engine, policies, queries, store
from deltacrown.brackets.errors import (
    TournamentNotOngoingError,
    translate,
)
from deltacrown.brackets.models import Round, SeedingMethod, Stage, StageStatus, TournamentResult
from deltacrown.core import realtime, signals
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.extensions import db
from deltacrown.matches.models import Match
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import Tournament, TournamentStatus

T = TournamentStatus


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


def lock_for_result(match_id: int, *, states: tuple[T, ...]) -> tuple[Tournament, Stage]:
    """Lock the match's tournament (checking it is in one of `states`), then its stage."""
    match = queries.get_match(match_id)
    tournament = tournament_queries.get_tournament(match.tournament_id, for_update=True)
    if tournament.status not in states:
        raise TournamentNotOngoingError(
            f"Tournament {tournament.id} is {tournament.status.value}; results are entered "
            "while it is ongoing.",
            tournament_status=tournament.status.value,
        )
    return tournament, queries.lock_stage(match.stage_id)


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


def finish_stage(
    tournament: Tournament,
    loaded: store.Loaded,
    placements: list[engine.Placement],
    *,
    now: datetime,
) -> bool:
    """The stage is over: record its placements. A group stage hands over to its playoffs
    (generated from its standings); the last stage's placements are the tournament's
    (TournamentResult rows, rewritten when a correction changes them), and an ongoing
    tournament completes with it. True when the tournament completed."""
    stage = loaded.row
    stage.status = StageStatus.COMPLETED
    stage.placements = store.placements_json(placements)
    stage.completed_at = now
    db.session.flush()
    if loaded.stage.options.get("playoffs"):
        _generate_playoffs(tournament, loaded)
        return False
    write_tournament_results(tournament.id, stage.placements)
    if tournament.status is not T.ONGOING:
        return False  # a correction of a completed tournament's last stage: placements only
    tournament.transition(T.COMPLETED, at=now)
    db.session.flush()
    signals.send_after_commit(signals.tournament_completed, "brackets", tournament_id=tournament.id)
    realtime.publish(
        _channel(tournament.id),
        "tournament.completed",
        {"tournament_id": tournament.id, "placements": stage.placements},
    )
    return True


def write_tournament_results(tournament_id: int, placements: list[Any]) -> None:
    """Replace the tournament's TournamentResult rows with `placements` (the last stage's)."""
    db.session.execute(
        sa.delete(TournamentResult).where(TournamentResult.tournament_id == tournament_id)
    )
    db.session.add_all(
        TournamentResult(
            tournament_id=tournament_id,
            registration_id=p["registration_id"],
            placement=p["placement"],
        )
        for p in placements
    )
    db.session.flush()


def _generate_playoffs(tournament: Tournament, loaded: store.Loaded) -> Stage:
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
        created_by_id=None,  # the system, from the group stage's standings
    )
    signals.send_after_commit(
        signals.bracket_generated,
        "brackets",
        tournament_id=tournament.id,
        stage_ids=[row.id],
        actor_id=None,
    )
    realtime.publish(
        _channel(tournament.id),
        "bracket.generated",
        {"tournament_id": tournament.id, "stage_ids": [row.id], "regenerated": False},
    )
    return row

"""Leaderboards' Celery tasks (thin wrappers around services): reactions to results and the
rebuild. Each is idempotent (rows are replaced, ratings keyed by match and game), so a
redelivered task (acks_late) changes nothing more."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from deltacrown.leaderboards import services


@shared_task(name="leaderboards.tournament_completed", acks_late=True, reject_on_worker_lost=True)
def tournament_completed(tournament_id: int) -> None:
    """Points rows of a completed tournament, its lobby games' ratings, then its boards."""
    services.on_tournament_completed(tournament_id)


@shared_task(name="leaderboards.match_completed", acks_late=True, reject_on_worker_lost=True)
def match_completed(match_id: int) -> None:
    """The ratings of a decided head-to-head match's players."""
    services.on_match_completed(match_id)


@shared_task(name="leaderboards.result_corrected", acks_late=True, reject_on_worker_lost=True)
def result_corrected(match_id: int, tournament_id: int) -> None:
    """Ratings replayed from the corrected match on; a completed tournament's points again."""
    services.on_result_corrected(match_id, tournament_id)


@shared_task(name="leaderboards.score_missed_tournaments")
def score_missed_tournaments() -> int:
    """Score completed tournaments whose points rows are missing (a lost reaction)."""
    return services.score_missed_tournaments()


@shared_task(name="leaderboards.rebuild", acks_late=True, reject_on_worker_lost=True)
def rebuild(game_id: int | None = None, season_id: int | None = None) -> dict[str, Any]:
    """Rebuild boards from the rows (each swapped in atomically)."""
    return services.rebuild(game_id, season_id)

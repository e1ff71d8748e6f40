"""Payouts' reactions to other domains' signals, connected by `deltacrown.wiring`:

* `tournament_completed` → enqueue `payouts.create_for_tournament`. The signal is sent after
  the completing commit, so the task sees the placements. An organizer (or staff) can always
  run the same creation again with `POST /api/tournaments/{id}/payouts/`.
* `tournament_cancelled` → enqueue `payouts.release_cancelled_pool` (the organizer gets a
  held prize pool back; registrations refund the entry fees from the same escrow).
* `match_result_corrected` → enqueue `payouts.follow_corrected_results` (nothing happens for
  a tournament without payouts; after payouts, they follow the corrected placements).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
CREATE_TASK = "payouts.create_for_tournament"
CORRECT_TASK = "payouts.follow_corrected_results"
RELEASE_TASK = "payouts.release_cancelled_pool"


def on_tournament_completed(sender: Any, *, tournament_id: int, **payload: Any) -> None:
    """Enqueue payout creation; never raises (a raising receiver would keep the signal from
    the receivers after it)."""
    task = current_app.extensions["celery"].tasks[CREATE_TASK]
    try:
        task.delay(tournament_id=tournament_id)
    except Exception:
        log.exception("enqueueing payouts of tournament %s failed", tournament_id)


def on_match_result_corrected(sender: Any, *, tournament_id: int, **payload: Any) -> None:
    """Enqueue the payouts' correction; never raises."""
    task = current_app.extensions["celery"].tasks[CORRECT_TASK]
    try:
        task.delay(tournament_id=tournament_id)
    except Exception:
        log.exception("enqueueing the payout correction of tournament %s failed", tournament_id)


def on_tournament_cancelled(sender: Any, *, tournament_id: int, **payload: Any) -> None:
    """Enqueue the release of a held prize pool; never raises."""
    task = current_app.extensions["celery"].tasks[RELEASE_TASK]
    try:
        task.delay(tournament_id=tournament_id)
    except Exception:
        log.exception("enqueueing the pool release of tournament %s failed", tournament_id)

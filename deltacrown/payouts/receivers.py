"""Payouts' reactions to other domains' signals, connected by `deltacrown.wiring`:

* `tournament_completed` → enqueue `payouts.create_for_tournament`. The signal is sent after
  the completing commit, so the task sees the placements. An organizer (or staff) can always
  run the same creation again with `POST /api/tournaments/{id}/payouts/`.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
CREATE_TASK = "payouts.create_for_tournament"


def on_tournament_completed(sender: Any, *, tournament_id: int, **payload: Any) -> None:
    """Enqueue payout creation; never raises (a raising receiver would keep the signal from
    the receivers after it)."""
    task = current_app.extensions["celery"].tasks[CREATE_TASK]
    try:
        task.delay(tournament_id=tournament_id)
    except Exception:
        log.exception("enqueueing payouts of tournament %s failed", tournament_id)

"""This domain's reactions to other domains' signals, connected by `deltacrown.wiring`:

* `tournament_cancelled` → enqueue `registrations.wind_up_cancelled_tournament` (cancel every
  registration, refund coin fees, list manual refunds for staff, notify). The signal is sent
  after the tournament's commit, so the task sees the cancelled tournament; the periodic
  sweep winds up any cancelled tournament a lost task left behind.

Its answers to what lower domains ask (tournaments, teams) are in `providers`.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)
WIND_UP_TASK = "registrations.wind_up_cancelled_tournament"


def on_tournament_cancelled(sender: Any, *, tournament_id: int, **payload: Any) -> None:
    """Enqueue the wind-up on this app's Celery (in-process in the embedded default).

    It never raises: a receiver that raised would keep the signal from the receivers after
    it, and the periodic sweep winds up any cancelled tournament left behind.
    """
    task = current_app.extensions["celery"].tasks[WIND_UP_TASK]
    try:
        task.delay(tournament_id=tournament_id, actor_id=payload.get("actor_id"))
    except Exception:
        log.exception("winding up cancelled tournament %s failed; the sweep will", tournament_id)

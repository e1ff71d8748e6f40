"""This domain's reactions to other domains' signals, connected by `deltacrown.wiring`:

* `match_completed` → `leaderboards.match_completed` (the players' ratings);
* `tournament_completed` → `leaderboards.tournament_completed` (points rows, lobby ratings,
  boards, the live `leaderboard.updated`);
* `match_result_corrected` → `leaderboards.result_corrected` (ratings replayed; a completed
  tournament's points rewritten).

Signals are sent after the sender's commit, so each task sees the committed result. A
receiver never raises (it would keep the signal from the receivers after it); `flask
leaderboards rebuild` and the recompute endpoint rebuild boards from the rows.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

log = logging.getLogger(__name__)


def _enqueue(name: str, **kwargs: Any) -> None:
    task = current_app.extensions["celery"].tasks[name]
    try:
        task.delay(**kwargs)
    except Exception:
        log.exception("leaderboards: %s(%s) failed", name, kwargs)


def on_match_completed(sender: Any, *, match_id: int, **payload: Any) -> None:
    _enqueue("leaderboards.match_completed", match_id=match_id)


def on_tournament_completed(sender: Any, *, tournament_id: int, **payload: Any) -> None:
    _enqueue("leaderboards.tournament_completed", tournament_id=tournament_id)


def on_match_result_corrected(
    sender: Any, *, match_id: int, tournament_id: int, **payload: Any
) -> None:
    _enqueue("leaderboards.result_corrected", match_id=match_id, tournament_id=tournament_id)

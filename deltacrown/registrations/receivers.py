"""This domain's reactions to other domains, and its answers to their hooks.

`connect()` (called by the app factory's `register_receivers`, idempotent) installs:
* `tournament_cancelled` → enqueue `registrations.wind_up_cancelled_tournament` (cancel every
  registration, refund coin fees, list manual refunds for staff, notify). The signal is sent
  after the tournament's commit, so the task sees the cancelled tournament; the periodic
  sweep winds up any cancelled tournament a lost task left behind;
* the tournaments hook "has this tournament registrations?" (custom fields lock);
* the teams hooks: a roster is locked while the team has an active registration in an
  `ongoing` tournament, and a team with an active registration in an unfinished tournament
  cannot disband.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from deltacrown.core.signals import tournament_cancelled

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


def install_hooks() -> None:
    """Answer the tournaments and teams hooks with real registrations."""
    from deltacrown import teams
    from deltacrown.registrations import queries
    from deltacrown.tournaments import live as tournament_live
    from deltacrown.tournaments import queries as tournament_queries

    tournament_queries.set_registrations_probe(queries.registrations_exist)
    tournament_live.set_participant_query(
        lambda tournament_id, user_id: (
            queries.find_registration_of(tournament_id, user_id) is not None
        )
    )
    teams.set_roster_lock_query(queries.roster_lock_reason)
    teams.set_active_registration_query(queries.team_has_active_registration)


def connect() -> None:
    tournament_cancelled.connect(on_tournament_cancelled)
    install_hooks()

"""This domain's reactions to other domains' signals, connected by `deltacrown.wiring`.

Every signal of `RECEIVED` hands its ids to the `notifications.react` task (in-process in the
embedded default, a worker in server mode), which works out who is told what
(`reactions`). Signals are sent after the sender's commit, so the task sees the committed
rows. A receiver never raises: one that did would keep the signal from the receivers after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import current_app

from deltacrown.notifications import reactions

log = logging.getLogger(__name__)
REACT_TASK = "notifications.react"

RECEIVED = (
    "registration_created",
    "registration_confirmed",
    "registration_cancelled",
    "registration_rejected",
    "waitlist_promoted",
    "payment_verified",
    "payment_rejected",
    "payment_refunded",
    "team_invite_sent",
    "team_member_joined",
    "team_member_left",
    "match_state_changed",
    "tournament_started",
    "dispute_opened",
    "dispute_resolved",
    "match_schedule_changed",
    "tournament_cancelled",
    "tournament_completed",
    "payout_paid",
)


def receiver(event: str) -> Callable[..., None]:
    """The receiver of signal `event`: enqueue the reaction with the signal's ids."""

    def receive(sender: Any, **payload: Any) -> None:
        task = current_app.extensions["celery"].tasks[REACT_TASK]
        plain = {k: v for k, v in payload.items() if isinstance(v, str | int | float | bool | None)}
        if not reactions.concerns_anyone(event, plain):
            return  # nobody is told of it: no task
        try:
            task.delay(event, plain)
        except Exception:
            log.exception("notifying about %s %s failed", event, plain)

    receive.__name__ = f"notify_{event}"
    receive.__qualname__ = receive.__name__
    return receive


RECEIVERS: dict[str, Callable[..., None]] = {event: receiver(event) for event in RECEIVED}

"""This domain's reactions to other domains' signals (connected by `deltacrown.wiring`): each
event an endpoint can follow becomes a `webhooks.fan_out` task, started the way this app runs
webhook work (`dispatch`), so the request that caused it is not held up.

Signals are sent after the commit, so nothing is sent for a change that was rolled back.
A receiver never raises: the signal's other receivers still run.
"""

from __future__ import annotations

import logging
from typing import Any

from deltacrown.matches.models import became_playable
from deltacrown.webhooks import dispatch
from deltacrown.webhooks.events import TOURNAMENT_EVENTS

log = logging.getLogger(__name__)


def _emit(event_type: str, tournament_id: int | None, **ids: Any) -> None:
    if tournament_id is None:  # an event of no tournament (a payout made outside one):
        return  # endpoints follow tournaments, so no task would find one to send it to
    try:
        dispatch.enqueue(
            dispatch.FAN_OUT_TASK, event_type=event_type, tournament_id=tournament_id, ids=ids
        )
    except Exception:
        log.exception("webhook event %s for tournament %s not queued", event_type, tournament_id)


def on_tournament_state_changed(
    sender: Any, *, tournament_id: int, before: str, after: str, **_: Any
) -> None:
    event_type = TOURNAMENT_EVENTS.get(str(after))
    if event_type is not None:
        _emit(event_type, tournament_id, previous_status=str(before))


def on_registration_created(
    sender: Any, *, registration_id: int, tournament_id: int, **_: Any
) -> None:
    _emit("registration.created", tournament_id, registration_id=registration_id)


def on_registration_confirmed(
    sender: Any, *, registration_id: int, tournament_id: int, **_: Any
) -> None:
    _emit("registration.confirmed", tournament_id, registration_id=registration_id)


def on_registration_cancelled(
    sender: Any, *, registration_id: int, tournament_id: int, **_: Any
) -> None:
    _emit("registration.cancelled", tournament_id, registration_id=registration_id)


def on_match_state_changed(
    sender: Any, *, match_id: int, tournament_id: int, after: str, before: Any = None, **_: Any
) -> None:
    if became_playable(before, after):
        _emit("match.ready", tournament_id, match_id=match_id)


def on_match_completed(sender: Any, *, match_id: int, tournament_id: int, **_: Any) -> None:
    _emit("match.completed", tournament_id, match_id=match_id)


def on_dispute_opened(
    sender: Any, *, dispute_id: int, match_id: int, tournament_id: int, **_: Any
) -> None:
    _emit("match.disputed", tournament_id, match_id=match_id, dispute_id=dispute_id)


def on_dispute_resolved(
    sender: Any,
    *,
    dispute_id: int,
    match_id: int,
    tournament_id: int,
    status: Any = None,
    outcome: Any = None,
    **_: Any,
) -> None:
    _emit(
        "dispute.resolved",
        tournament_id,
        match_id=match_id,
        dispute_id=dispute_id,
        status=None if status is None else str(status),
        outcome=None if outcome is None else str(outcome),
    )


def on_payout_paid(
    sender: Any, *, payout_id: int, tournament_id: int | None, user_id: int, **_: Any
) -> None:
    _emit("payout.paid", tournament_id, payout_id=payout_id, user_id=user_id)

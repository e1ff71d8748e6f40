"""Signal receivers that count domain events in `core.metrics` (connected in `wiring`).

Signals arrive after the commit, so a rolled-back registration is never counted. Which
signal increments which counter:

| counter | signal |
| --- | --- |
| `deltacrown_registrations_total{status}` | `registration_created` |
| `deltacrown_matches_completed_total` | `match_completed` |
| `deltacrown_disputes_opened_total` | `dispute_opened` |
| `deltacrown_payouts_total{outcome="paid"}` | `payout_paid` (sent by payouts) |
| `deltacrown_payouts_total{outcome="failed"}` | `payout_failed` (sent by payouts) |

`deltacrown_webhook_deliveries_total{outcome}` has no signal: the webhooks domain increments
it where it records a delivery attempt (`metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()`).
"""

from __future__ import annotations

from typing import Any

from deltacrown.core import metrics


def on_registration_created(sender: Any = None, *, status: Any = None, **_: Any) -> None:
    metrics.REGISTRATIONS.labels(str(status or "unknown")).inc()


def on_match_completed(sender: Any = None, **_: Any) -> None:
    metrics.MATCHES_COMPLETED.inc()


def on_dispute_opened(sender: Any = None, **_: Any) -> None:
    metrics.DISPUTES_OPENED.inc()


def on_payout_paid(sender: Any = None, **_: Any) -> None:
    metrics.PAYOUTS.labels("paid").inc()


def on_payout_failed(sender: Any = None, **_: Any) -> None:
    metrics.PAYOUTS.labels("failed").inc()

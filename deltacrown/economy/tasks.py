"""Economy's Celery tasks (thin wrappers around services): the hold expiry sweep and the
daily ledger check."""

from __future__ import annotations

import logging
import time

from celery import shared_task

from deltacrown.core import metrics
from deltacrown.economy.queries import find_ledger_mismatches
from deltacrown.economy.services import shop

log = logging.getLogger(__name__)


@shared_task(name="economy.release_expired_holds")
def release_expired_holds() -> int:
    """Release holds (and held purchases) past their expiry; returns how many."""
    return shop.release_expired_holds()


@shared_task(name="economy.verify_ledger")
def verify_ledger() -> int:
    """`flask economy verify-ledger` run by beat daily: the number of broken wallets goes to
    deltacrown_ledger_mismatches (alerted on) and each one to the log."""
    checked, mismatches = find_ledger_mismatches()
    for mismatch in mismatches:
        log.error("ledger mismatch: %s", mismatch.describe())
    metrics.LEDGER_MISMATCHES.set(len(mismatches))
    metrics.LEDGER_CHECKED_AT.set(time.time())
    log.info("ledger verified: %s wallets, %s broken", checked, len(mismatches))
    return len(mismatches)

"""A Celery worker app for the payout fault test: the project's app and tasks, plus a receiver
that kills the worker process (SIGKILL) right after the first coin payout's credit has
committed, before its task is acknowledged.

Run by tests/payouts/test_server_faults.py as
`celery -A tests.payouts.fault_worker:celery worker`, with PROBE_DATABASE_URL,
CELERY_BROKER_URL and PAYOUT_KILL_MARK (a file: the kill happens once, while it is absent).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from deltacrown.app import create_app
from deltacrown.core import signals

app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=os.environ["PROBE_DATABASE_URL"],
    CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
)
celery = app.extensions["celery"]
MARK = Path(os.environ["PAYOUT_KILL_MARK"])


def die_after_first_credit(sender: Any, *, payout_id: int, **payload: Any) -> None:
    # `payout_paid` is sent after the credit's commit: the wallet has the coins, the task's
    # message is not acknowledged yet (acks_late), and this process dies now.
    if not MARK.exists():
        MARK.write_text(f"{os.getpid()} {payout_id}\n")
        os.kill(os.getpid(), signal.SIGKILL)


signals.payout_paid.connect(die_after_first_credit, weak=False)

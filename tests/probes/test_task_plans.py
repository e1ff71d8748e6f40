"""Every periodic job, explained on PostgreSQL: no statement a sweep sends needs to read a whole
table.

The beat schedule runs each job every few seconds to every few hours, in every deployment,
whatever the tables hold; a sweep that reads every registration each minute slows every
request beside it. Each job of `celeryconfig.beat_schedule` runs once in the probes' world
(a cup being played, a dispute, payouts, a team...) and every statement it sends is explained
with its own parameters (`tests/probes/plans.py`).

`WHOLE_TABLE_READS` lists the jobs that read a whole table by design, each with its reason.
"""

from __future__ import annotations

import pytest

import celeryconfig
from tests.performance.conftest import statements_seen
from tests.probes.plans import WholeReads

pytestmark = pytest.mark.postgres

# (task, table): jobs that read the whole table on purpose.
WHOLE_TABLE_READS: dict[tuple[str, str], str] = {
    ("economy.verify_ledger", "wallets"): "the daily check of every wallet against its ledger",
    ("economy.verify_ledger", "wallet_transactions"): (
        "the daily check of every wallet against its ledger"
    ),
}


def test_no_periodic_job_needs_a_whole_table(app, world, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    tasks = app.extensions["celery"].tasks
    reads = WholeReads(app)
    for name in sorted({entry["task"] for entry in celeryconfig.beat_schedule.values()}):
        with statements_seen() as seen:
            tasks[name].apply().get()
        reads.check(name, seen)
    reads.assert_only(WHOLE_TABLE_READS)

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
from tests.probes.plans import explained, whole_table_reads

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
    found: dict[tuple[str, str], str] = {}
    texts: set[str] = set()  # each statement's text is explained once
    for name in sorted({entry["task"] for entry in celeryconfig.beat_schedule.values()}):
        with statements_seen() as seen:
            tasks[name].apply().get()
        for statement, parameters in explained(seen, texts):
            with app.app_context():
                for table in whole_table_reads(statement, parameters):
                    found.setdefault((name, table), statement[:300])
    unexpected = {where: seen for where, seen in found.items() if where not in WHOLE_TABLE_READS}
    assert not unexpected, "\n\n".join(
        f"{k} reads all of {t}: {s}" for (k, t), s in unexpected.items()
    )
    stale = WHOLE_TABLE_READS.keys() - found.keys()
    assert not stale, f"listed in WHOLE_TABLE_READS but no longer read whole: {sorted(stale)}"

"""Every read of the API, as each role it serves, explained on PostgreSQL: no query it sends
needs to read a whole table.

Each GET operation of the URL map runs in the probes' world as every role the authorization
matrix allows (`EXPECTED`); every statement it sends is explained with its own parameters
(`tests/probes/plans.py`). A query that reads a whole table costs what the table holds,
whoever asks: a new player's own statistics read every registration of the platform.

`WHOLE_TABLE_READS` lists the reads that are whole by design, each with its reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.performance.conftest import statements_seen
from tests.probes.matrix_support import url_for_rule
from tests.probes.plans import explained, whole_table_reads
from tests.probes.test_authorization_matrix import EXPECTED, PUBLIC, api_operations

pytestmark = pytest.mark.postgres

# (operation, table): reads that cover the whole table on purpose.
WHOLE_TABLE_READS: dict[tuple[str, str], str] = {
    ("GET /api/users/", "users"): (
        "a page of active accounts in username order: nearly every account is active, so the "
        "page ends after about as many rows as it shows"
    ),
    ("GET /api/tournaments/upcoming/", "tournaments"): (
        "a page in start order of the upcoming statuses' partial index: most of its rows are "
        "shown (tests/performance/test_list_plans.py)"
    ),
    ("GET /api/admin/payouts/organizer-balances/", "tournaments"): (
        "staff's balances of every organizer: prize money summed over every tournament"
    ),
    ("GET /api/admin/analytics/moderation/", "moderation_sanctions"): (
        "staff's moderation figures count every sanction by type and state"
    ),
    ("GET /api/admin/analytics/moderation/", "moderation_reports"): (
        "staff's moderation figures count every report by status and category"
    ),
    ("GET /api/admin/analytics/platform/", "tournaments"): (
        "staff's platform figures count every tournament by status"
    ),
}


def _reads(
    client: Any, url: str, headers: dict[str, str], texts: set[str]
) -> list[tuple[str, Any]]:
    with statements_seen() as seen:
        response = client.get(url, headers=headers)
        response.get_data()  # a streamed export sends its queries while it is read
        response.close()
    return explained(seen, texts)


def test_no_read_of_the_api_needs_a_whole_table(app, client, world, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    found: dict[tuple[str, str], str] = {}
    texts: set[str] = set()  # each statement's text is explained once
    for key in api_operations(app):
        method, rule = key.split(" ", 1)
        if method != "GET":
            continue
        allowed = EXPECTED[key]
        roles = sorted(allowed if isinstance(allowed, frozenset) else PUBLIC)
        url = url_for_rule(rule, world)
        for role in roles:
            for statement, parameters in _reads(client, url, world.headers(role), texts):
                with app.app_context():
                    for table in whole_table_reads(statement, parameters):
                        found.setdefault((key, table), f"as {role}: {statement[:300]}")
    unexpected = {where: seen for where, seen in found.items() if where not in WHOLE_TABLE_READS}
    assert not unexpected, "\n\n".join(
        f"{k} reads all of {t} {s}" for (k, t), s in unexpected.items()
    )
    stale = WHOLE_TABLE_READS.keys() - found.keys()
    assert not stale, f"listed in WHOLE_TABLE_READS but no longer read whole: {sorted(stale)}"

"""Every write of the API, explained on PostgreSQL: no statement it sends needs to read a whole
table.

Each POST, PUT, PATCH and DELETE of the URL map runs once in the probes' world, in the
authorization matrix's order (reads, edits, actions that end a resource, deletions) and as the
first role the matrix allows, with the simplest body its schema accepts; every read, update
and delete it sends is explained with its own parameters (`tests/probes/plans.py`). A write
that reads a whole table holds its locks for as long as the table takes to read.

`WHOLE_TABLE_READS` lists the writes that read a whole table by design, each with its reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.performance.conftest import statements_seen
from tests.probes.conftest import ROLES
from tests.probes.matrix_support import minimal_body, url_for_rule
from tests.probes.plans import WholeReads
from tests.probes.test_authorization_matrix import (
    ALLOWED_ORDER,
    CREDENTIALS,
    EXPECTED,
    api_operations,
    run_order,
)

pytestmark = pytest.mark.postgres

# (operation, table): writes that read the whole table on purpose.
WHOLE_TABLE_READS: dict[tuple[str, str], str] = {}


def _role(allowed: Any) -> str:
    granted = allowed if isinstance(allowed, frozenset) else frozenset(ROLES)
    return next((role for role in ALLOWED_ORDER if role in granted), "anonymous")


def test_no_write_of_the_api_needs_a_whole_table(app, client, world, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    reads = WholeReads(app)
    for key in sorted(api_operations(app), key=run_order):
        method, rule = key.split(" ", 1)
        allowed = EXPECTED[key]
        if method == "GET" or allowed == CREDENTIALS:
            continue
        kwargs: dict[str, Any] = {"headers": world.headers(_role(allowed))}
        body = minimal_body(method, rule)
        if body is not None:
            kwargs["json"] = body
        with statements_seen() as seen:
            client.open(url_for_rule(rule, world), method=method, **kwargs).close()
        reads.check(key, seen)
    reads.assert_only(WHOLE_TABLE_READS)

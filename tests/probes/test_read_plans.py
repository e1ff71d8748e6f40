"""Every read of the API, as each role it serves, explained on PostgreSQL: no query it sends
needs to read a whole table.

Each GET operation of the URL map runs in the probes' world as every role the authorization
matrix allows (`EXPECTED`), then once per documented filter value (each enum value, `true` for
a flag, a word for a search) as the role that sees most; every statement it sends is
explained with its own parameters (`tests/probes/plans.py`). A query that reads a whole table
costs what the table holds, whoever asks: a new player's own statistics read every
registration of the platform. With a filter, a page read in index order may filter its rows
(a filter a person chose keeps many of them); an index must still serve the filter's rows
wherever the page is not read in index order.

`WHOLE_TABLE_READS` lists the reads that are whole by design, each with its reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.performance.conftest import statements_seen
from tests.probes.matrix_support import openapi_path, url_for_rule
from tests.probes.openapi_ops import openapi_document
from tests.probes.plans import WholeReads
from tests.probes.test_authorization_matrix import (
    ALLOWED_ORDER,
    EXPECTED,
    PUBLIC,
    api_operations,
)

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


def _reads(client: Any, url: str, headers: dict[str, str]) -> list[tuple[str, Any]]:
    with statements_seen() as seen:
        response = client.get(url, headers=headers)
        response.get_data()  # a streamed export sends its queries while it is read
        response.close()
    return seen


def _variants(rule: str) -> list[str]:
    """A query string per documented filter: each value of an enum, `true` for a flag, a word
    for a search (each filter may add a condition of its own)."""
    item = openapi_document()["paths"].get(openapi_path(rule), {}).get("get", {})
    found = []
    document = openapi_document()
    for parameter in item.get("parameters", []):
        if "$ref" in parameter:  # a shared parameter (#/components/parameters/...)
            parameter = document["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        schema, name = parameter.get("schema", {}), parameter["name"]
        if parameter.get("in") != "query":
            continue
        if "enum" in schema:
            found += [f"{name}={value}" for value in schema["enum"]]
        elif schema.get("type") == "boolean":
            found.append(f"{name}=true")
        elif name in ("q", "search"):
            found.append(f"{name}=cup")
    return found


def test_no_read_of_the_api_needs_a_whole_table(app, client, world, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    reads = WholeReads(app)
    for key in api_operations(app):
        method, rule = key.split(" ", 1)
        if method != "GET":
            continue
        allowed = EXPECTED[key]
        roles = sorted(allowed if isinstance(allowed, frozenset) else PUBLIC)
        url = url_for_rule(rule, world)
        # Every role without filters; the role that sees most with each filter.
        # (A filter may keep a page in index order from filling soon: it is not asked to.)
        requests = [(role, url, True) for role in roles]
        widest = max(roles, key=ALLOWED_ORDER.index)
        joiner = "&" if "?" in url else "?"
        requests += [(widest, f"{url}{joiner}{query}", False) for query in _variants(rule)]
        for role, request, strict in requests:
            seen = _reads(client, request, world.headers(role))
            reads.check(key, seen, note=f"as {role}: {request} ", paged_filters=strict)
    reads.assert_only(WHOLE_TABLE_READS)

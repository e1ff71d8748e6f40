"""EXPLAIN of every discovery list and search shape on PostgreSQL, with a few thousand
tournaments seeded and analyzed: no list reads the whole tournaments table, and no list
sorts more than a page (a search ranked by relevance sorts its matches only).

The statements are the ones the API really sends (captured per request), explained with
their own parameters. A search's words are an OR of three indexed conditions (word, inside a
word, typo); on a few thousand rows reading the table is the cheaper plan, so for searches
the test forbids sequential scans first: a search that still reads the whole table has a
condition no index serves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deltacrown.core.explain import nodes
from deltacrown.extensions import db
from tests.performance.conftest import SEEDED, statements_seen

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")


PAGE = 20
# Shapes of the public list: each documented filter, each ordering, both ways of paging.
LIST_SHAPES: list[dict[str, Any]] = [
    {},
    {"page": 7},
    *({"ordering": ordering} for ordering in ("start_at", "-start_at", "name", "-name")),
    *({"ordering": ordering} for ordering in ("prize_pool", "-prize_pool", "created_at")),
    {"status": "registration_open", "ordering": "start_at"},
    {"status": ["registration_open", "published"]},
    {"game": "valorant"},
    {"game": "valorant", "ordering": "start_at"},
    {"format": "swiss"},
    {"participant_type": "solo"},
    {"region": "Dhaka"},
    {"start_from": "2026-01-01T00:00:00Z", "start_to": "2026-06-30T00:00:00Z"},
    {"free": "true"},
    {"free": "false", "ordering": "-prize_pool"},
    {"entry_fee_max": "150", "currency": "BDT"},
    {"entry_coins_max": 60},
    {"has_slots": "true"},
    {"cursor": ""},
    {"cursor": "", "ordering": "name"},
]
OTHER_SHAPES: list[tuple[str, dict[str, Any]]] = [
    ("/api/tournaments/search/", {"q": "showdown 17"}),
    ("/api/tournaments/search/", {"q": "cup", "ordering": "-created_at"}),
    ("/api/tournaments/search/", {"q": "showdowm"}),
    ("/api/tournaments/upcoming/", {}),
    ("/api/tournaments/by-game/valorant/", {}),
    ("/api/tournaments/by-game/valorant/", {"ordering": "-prize_pool"}),
]


def _explain(app: Any, statement: str, parameters: Any, *, indexable: bool) -> dict[str, Any]:
    with app.app_context():
        connection = db.session.connection()
        if indexable:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        document = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        tree = dict(document.scalar_one()[0]["Plan"])
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
        return tree


def _problems(tree: dict[str, Any], *, ranked: bool) -> list[str]:
    found = []
    if tree["Node Type"] == "Aggregate":  # the total: counted at most up to the limit
        if not any(node["Node Type"] == "Limit" for node in nodes(tree)):
            found.append("counts without a bound")
        return found
    for node in nodes(tree):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "tournaments":
            found.append("reads the whole tournaments table")
        if node["Node Type"] in ("Sort", "Incremental Sort") and not ranked:
            sorted_rows = max(child["Plan Rows"] for child in node["Plans"])
            if sorted_rows > PAGE * 8:
                found.append(f"sorts {sorted_rows} rows")
    return found


def _plans_of(client: Any, path: str, params: dict[str, Any]) -> list[tuple[str, list[str]]]:
    query = {"page_size": PAGE, **params}
    with statements_seen() as seen:
        response = client.get(path, query_string=query)
    assert response.status_code == 200, response.get_json()
    assert response.get_json(), f"{path} {params} found nothing to check"
    ranked = "q" in params and "ordering" not in params
    found = []
    for statement, parameters in seen:
        if statement.lstrip().upper().startswith("SELECT") and "FROM tournaments" in statement:
            tree = _explain(client.application, statement, parameters, indexable="q" in params)
            problems = _problems(tree, ranked=ranked)
            found.append((statement[:160], problems))
    return found


def test_every_list_and_search_shape_reads_indexes_and_sorts_at_most_a_page(
    client, many_tournaments
):
    failures = []
    shapes = [("/api/tournaments/", params) for params in LIST_SHAPES] + OTHER_SHAPES
    for path, params in shapes:
        plans = _plans_of(client, path, params)
        assert plans, f"no tournaments query seen for {path} {params}"
        failures += [(path, params, sql, p) for sql, p in plans if p]
    assert failures == [], "\n".join(map(str, failures))


def test_a_list_larger_than_the_exact_count_limit_reports_an_estimated_total(
    client, many_tournaments, monkeypatch
):
    monkeypatch.setattr("deltacrown.core.pagination.EXACT_COUNT_LIMIT", SEEDED // 10)
    response = client.get("/api/tournaments/", query_string={"page_size": PAGE})
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total_estimated"] is True
    assert meta["total"] > SEEDED // 10
    narrow = {"page_size": PAGE, "format": "swiss", "region": "Dhaka"}
    exact = json.loads(client.get("/api/tournaments/", query_string=narrow).headers["X-Pagination"])
    assert "total_estimated" not in exact
    assert PAGE < exact["total"] <= SEEDED // 10


def test_a_search_counts_exactly_only_up_to_its_own_smaller_limit(
    client, many_tournaments, monkeypatch
):
    monkeypatch.setattr("deltacrown.tournaments.discovery.SEARCH_EXACT_COUNT_LIMIT", 25)
    common = client.get("/api/tournaments/search/", query_string={"q": "cup", "page_size": PAGE})
    meta = json.loads(common.headers["X-Pagination"])
    assert meta["total_estimated"] is True and meta["total"] > 25
    listed = json.loads(
        client.get("/api/tournaments/", query_string={"page_size": PAGE}).headers["X-Pagination"]
    )
    assert "total_estimated" not in listed  # the lists keep their own, larger limit

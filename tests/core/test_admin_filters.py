"""Integer filters in Flask-Admin lists: a value beyond 64 bits is ignored like any other value
that is no integer (it used to reach the database: a 500 on SQLite), and ordinary ones filter."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.helpers import sign_in_admin

VIEW = "/admin/admin_game_profiles/"


def filter_param(page: str, column: str, operation: str) -> str:
    raw = re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', page, re.S).group(1)
    groups = json.loads(html.unescape(raw))
    [arg] = [f["arg"] for f in groups[column] if f["operation"] == operation]
    return f"flt0_{arg}"


@pytest.mark.parametrize(
    ("view", "column", "operation", "value"),
    [
        (VIEW, "User Id", "equals", "99999999999999999999"),
        (VIEW, "User Id", "greater than", str(2**63)),
        (VIEW, "User Id", "smaller than", str(-(2**63) - 1)),
        (VIEW, "User Id", "in list", f"1,{2**64}"),
        (VIEW, "User Id", "not in list", "99999999999999999999"),
        ("/admin/admin_wallet_transactions/", "Wallet id", "equals", str(2**64)),  # declared
    ],
)
def test_an_integer_filter_beyond_64_bits_is_ignored_not_a_server_error(
    client, staff, view, column, operation, value
):
    sign_in_admin(client, staff.id)
    param = filter_param(client.get(view).get_data(as_text=True), column, operation)
    response = client.get(view, query_string={param: value})
    assert response.status_code == 200


def test_an_integer_filter_within_range_still_filters(client, staff, user):
    sign_in_admin(client, staff.id)
    profile = client.post(
        "/api/me/game-profiles/", json={"game": "valorant", "in_game_id": "Edge#EUW"},
        headers=user.headers,
    )  # fmt: skip
    assert profile.status_code == 201, profile.get_json()
    param = filter_param(client.get(VIEW).get_data(as_text=True), "User Id", "equals")
    assert "Edge#EUW" in client.get(VIEW, query_string={param: user.id}).get_data(as_text=True)
    other = client.get(VIEW, query_string={param: user.id + 1000}).get_data(as_text=True)
    assert "Edge#EUW" not in other

"""What the staff admin takes from a request stays within what the database can take: integer
filters, list arguments, row ids, id fields and text in forms; never a server error."""

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


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        ("/admin/admin_match_override/", {"games": "1-0"}),
        ("/admin/admin_match_reset/", {"reason": "edge"}),
        ("/admin/admin_payout_desk/", {"outcome": "paid", "text": "ref"}),
        ("/admin/admin_balance_adjustments/new/", {"amount": "5", "reason": "edge"}),
    ],
)
@pytest.mark.parametrize("value", ["99999999999999999999", str(2**31), "0"])
def test_an_id_no_integer_column_holds_is_refused_by_the_form(client, staff, form, fields, value):
    sign_in_admin(client, staff.id)
    page = client.get(form).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    name = re.search(r'name="((?:match|payout|user)_id)"', page).group(1)
    response = client.post(form, data={"csrf_token": token, name: value, **fields})
    assert response.status_code == 200  # the form again, with the field's error
    assert "Number must be between 1 and 2147483647." in response.get_data(as_text=True)


@pytest.mark.parametrize("row", ["abc", "\x00", "99999999999999999999", "1e999", "-1"])
@pytest.mark.parametrize("page", ["details/", "edit/"])
def test_a_row_id_no_row_can_have_is_a_missing_record(client, staff, row, page):
    sign_in_admin(client, staff.id)
    response = client.get(f"/admin/admin_users/{page}", query_string={"id": row})
    assert response.status_code == 302  # back to the list: "Record does not exist."


def test_a_negative_page_is_the_first_page(client, staff):
    sign_in_admin(client, staff.id)
    response = client.get("/admin/admin_users/", query_string={"page": "-5"})
    assert response.status_code == 200 and staff.username in response.get_data(as_text=True)


def test_control_characters_are_left_out_of_a_search_and_a_filter_value(client, staff):
    sign_in_admin(client, staff.id)
    search = client.get("/admin/admin_users/", query_string={"search": f"{staff.username}\x00"})
    assert search.status_code == 200 and staff.username in search.get_data(as_text=True)
    page = client.get(VIEW).get_data(as_text=True)
    param = filter_param(page, "User Id", "equals")
    assert client.get(VIEW, query_string={param: "1\x00"}).status_code == 200
    game = filter_param(page, "Game", "equals")
    assert client.get(VIEW, query_string={game: "valorant\x00"}).status_code == 200


def test_a_bulk_action_names_rows_no_row_can_have_without_a_server_error(client, staff):
    sign_in_admin(client, staff.id)
    view = "/admin/admin_match_events/"
    page = client.get("/admin/admin_teams/").get_data(as_text=True)
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    response = client.post(
        "/admin/admin_teams/action/",
        data={"csrf_token": token.group(1), "action": "disband", "url": view,
              "rowid": ["abc", "99999999999999999999", "9" * 5000]},
    )  # fmt: skip
    assert response.status_code == 302


@pytest.mark.parametrize("name", ["Edge\x00Game", "Bell\x07"])
def test_text_with_control_characters_is_the_forms_error(client, staff, name):
    sign_in_admin(client, staff.id)
    page = client.get("/admin/admin_games/new/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/admin/admin_games/new/", data={"csrf_token": token, "slug": "edge", "name": name}
    )
    assert response.status_code == 200  # the form again, with the field's error
    assert "Control characters" in response.get_data(as_text=True)
    assert "edge" not in client.get("/api/games/").get_data(as_text=True)


def test_the_desks_forms_refuse_control_characters_too(client, staff):
    sign_in_admin(client, staff.id)
    page = client.get("/admin/admin_match_reset/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/admin/admin_match_reset/", data={"csrf_token": token, "match_id": "1", "reason": "a\x00"}
    )
    assert response.status_code == 200
    assert "Control characters" in response.get_data(as_text=True)


def test_a_row_id_is_the_digits_of_an_id_its_key_column_holds():
    from deltacrown.accounts.models import User
    from deltacrown.core.admin_filters import is_row_id
    from deltacrown.core.outbox import OutboxMessage

    assert is_row_id(User, "2147483647") and not is_row_id(User, "2147483648")
    assert is_row_id(OutboxMessage, "2147483648")  # a BIGINT key
    assert not is_row_id(OutboxMessage, str(2**63))
    for text in ("0", "-1", "abc", "1.5", "", "１"):
        assert not is_row_id(User, text), text

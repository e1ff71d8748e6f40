"""GET /api/organizer/tournaments/{id}/participants/: filters, ordering, pages, the CSV export
(every row, no personal data), and access."""

from __future__ import annotations

import csv
import io
import json

from tests.helpers import assert_problem


def participants(client, scenario, key, user=None, headers=None, **params):
    user = user or scenario.org
    return client.get(
        f"/api/organizer/tournaments/{scenario.ids[key]}/participants/",
        query_string=params,
        headers={**user.headers, **(headers or {})},
    )


def who(response):
    assert response.status_code == 200, response.get_json()
    return [row["participant_name"] for row in response.get_json()]


def test_lists_registrations_in_registration_order(client, scenario):
    response = participants(client, scenario, "alpha")
    assert who(response) == ["player1", "player2", "player3", "player4", "player5"]
    first = response.get_json()[0]
    assert first["participant_type"] == "solo"
    assert first["user"] == {"id": scenario.players["p1"].id, "username": "player1"}
    assert first["team"] is None
    assert first["status"] == "confirmed" and first["payment_status"] == "verified"
    assert first["entry_fee"] == {"amount": "100.00", "currency": "BDT"}
    assert first["checked_in"] is True and first["checked_in_at"].endswith("Z")
    assert "email" not in json.dumps(response.get_json())
    assert who(participants(client, scenario, "alpha", ordering="-created_at"))[0] == "player5"


def test_filters_by_status_payment_and_check_in(client, scenario):
    assert who(participants(client, scenario, "alpha", status="pending")) == ["player3", "player4"]
    both = client.get(
        f"/api/organizer/tournaments/{scenario.ids['alpha']}/participants/"
        "?status=confirmed&status=cancelled",
        headers=scenario.org.headers,
    )
    assert who(both) == ["player1", "player2", "player5"]
    assert who(participants(client, scenario, "alpha", payment_status="submitted")) == ["player3"]
    assert who(participants(client, scenario, "alpha", checked_in="true")) == ["player1"]
    assert who(participants(client, scenario, "alpha", checked_in="false", status="confirmed")) == [
        "player2"
    ]
    assert_problem(participants(client, scenario, "alpha", status="live"), 422)


def test_filters_team_or_solo(client, scenario):
    teams = participants(client, scenario, "foxtrot", participant_type="team")
    assert who(teams) == ["Team Alpha", "Team Bravo", "Team Charlie"]
    assert teams.get_json()[0]["team"]["tag"] == "TA"
    assert teams.get_json()[0]["user"] is None
    assert who(participants(client, scenario, "foxtrot", participant_type="solo")) == []
    assert who(participants(client, scenario, "bravo", participant_type="solo")) == [
        "player1",
        "player6",
        "player7",
    ]
    assert_problem(participants(client, scenario, "foxtrot", participant_type="duo"), 422)


def test_pages(client, scenario):
    response = participants(client, scenario, "alpha", page=2, page_size=2)
    assert who(response) == ["player3", "player4"]
    assert json.loads(response.headers["X-Pagination"])["total"] == 5


def test_csv_exports_every_matching_row_without_personal_data(client, scenario):
    response = participants(client, scenario, "alpha", headers={"Accept": "text/csv"}, page_size=1)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row["participant_name"] for row in rows] == [
        "player1",
        "player2",
        "player3",
        "player4",
        "player5",
    ]
    assert rows[0]["fee_amount"] == "100.00" and rows[0]["checked_in"] == "true"
    assert rows[2]["status"] == "pending" and rows[2]["payment_status"] == "submitted"
    assert "@" not in text and "01700000000" not in text  # no e-mail, no sender number
    assert set(rows[0]) == {
        "registration_id",
        "participant_type",
        "participant_name",
        "user_id",
        "team_id",
        "status",
        "payment_status",
        "payment_method",
        "fee_amount",
        "fee_currency",
        "fee_coins",
        "checked_in",
        "checked_in_at",
        "waitlist_position",
        "registered_at",
        "confirmed_at",
    }


def test_csv_honours_the_filters(client, scenario):
    response = participants(
        client, scenario, "foxtrot", headers={"Accept": "text/csv"}, status="waitlisted"
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [
        (r["participant_name"], r["participant_type"], r["waitlist_position"]) for r in rows
    ] == [("Team Bravo", "team", "1")]


def test_access_follows_the_tournaments_rules(client, scenario, staff):
    assert participants(client, scenario, "bravo", user=scenario.rival).status_code == 200
    assert participants(client, scenario, "alpha", user=staff).status_code == 200
    assert_problem(participants(client, scenario, "alpha", user=scenario.rival), 403, "forbidden")
    assert_problem(
        participants(client, scenario, "charlie", user=scenario.rival), 404, "tournament_not_found"
    )
    csv_denied = participants(
        client, scenario, "alpha", user=scenario.rival, headers={"Accept": "text/csv"}
    )
    assert_problem(csv_denied, 403, "forbidden")
    response = client.get(f"/api/organizer/tournaments/{scenario.ids['alpha']}/participants/")
    assert_problem(response, 401, "authentication_required")

"""The staff's read-only organizer dashboard page in Flask-Admin."""

from __future__ import annotations

from tests.helpers import sign_in_admin

PAGE = "/admin/organizer-dashboard/"


def sign_in(client, user_id):
    sign_in_admin(client, user_id)


def test_the_page_is_for_staff_only(client, user):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    sign_in(client, user.id)
    assert client.get(PAGE).status_code == 403


def test_staff_see_an_organizers_figures_by_username_or_id(client, staff, scenario):
    sign_in(client, staff.id)
    for ref in ("org", str(scenario.org.id)):
        text = client.get(PAGE, query_string={"organizer": ref}).get_data(as_text=True)
        assert f"org (#{scenario.org.id})" in text
        assert "5 entries, 6 players, 4 unique" in text
        assert "200.00 BDT, 10.00 USD, 100 coins" in text
        assert "7 / 14 (50.0 %)" in text
        assert "2 within 7 days, 3 within 30 days" in text
        for name in ("Alpha", "Bravo", "Charlie", "Delta", "Foxtrot"):
            assert f"<td>{name}</td>" in text
        assert "<td>Echo</td>" not in text


def test_staff_see_a_tournaments_health_and_issues(client, staff, scenario):
    sign_in(client, staff.id)
    text = client.get(
        PAGE, query_string={"organizer": "org", "tournament": scenario.ids["foxtrot"]}
    ).get_data(as_text=True)
    assert "Health: Foxtrot" in text
    assert "<code>below_minimum_participants</code>" in text
    assert "<code>no_shows</code>" in text
    assert "0 / 2 (0.0 %)" in text  # check-in


def test_unknown_organizer_or_tournament_is_said_plainly(client, staff, scenario):
    sign_in(client, staff.id)
    text = client.get(PAGE, query_string={"organizer": "nobody", "tournament": 999_999})
    body = text.get_data(as_text=True)
    assert text.status_code == 200
    assert "No user nobody." in body and "No tournament 999999." in body


def test_the_page_changes_nothing(client, staff):
    sign_in(client, staff.id)
    assert client.post(PAGE).status_code == 405

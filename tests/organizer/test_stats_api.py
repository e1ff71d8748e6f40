"""GET /api/organizer/dashboard/stats/: the figures on the seeded scenario (conftest), and who
may see whose."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import assert_problem

STATS = "/api/organizer/dashboard/stats/"


def stats(client, user, **params):
    return client.get(STATS, query_string=params, headers=user.headers)


def test_stats_add_up_over_owned_and_co_organized_tournaments(client, scenario):
    response = stats(client, scenario.org)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["organizer_id"] == scenario.org.id
    # Alpha, Bravo (co-organized), Charlie, Delta, Foxtrot; not the rival's Echo.
    assert body["tournaments"] == {
        "total": 5,
        "by_status": {
            "draft": 1,
            "published": 1,
            "registration_open": 1,
            "registration_closed": 1,
            "ongoing": 0,
            "completed": 0,
            "cancelled": 1,
        },
    }
    # Confirmed: Alpha p1 p2, Bravo p1 p6, Foxtrot team A (p2 p9): 5 entries, 6 players,
    # 4 people (p1 and p2 twice each).
    assert body["participants"] == {"entries": 5, "total": 6, "unique": 4}
    # Cash: Alpha's two verified 100.00 BDT; Foxtrot's team A and no-show team C paid 5.00 USD
    # each. Coins: Bravo's three 50-coin fees, one refunded.
    assert body["revenue"] == {
        "cash": [
            {"amount": "200.00", "currency": "BDT"},
            {"amount": "10.00", "currency": "USD"},
        ],
        "coins": 100,
    }
    # Held places over capacity, drafts and cancelled aside: Alpha 4/8, Bravo 2/4, Foxtrot 1/2.
    assert body["fill_rate"] == {"filled": 7, "capacity": 14, "rate": 0.5}
    upcoming = body["upcoming_starts"]
    assert (upcoming["next_7_days"], upcoming["next_30_days"]) == (2, 3)
    assert [t["name"] for t in upcoming["next"]] == ["Bravo", "Charlie", "Alpha", "Foxtrot"]


def test_upcoming_starts_move_with_time(client, scenario, frozen, headers_now):
    frozen.shift(timedelta(days=4))
    response = client.get(STATS, headers=headers_now(scenario.org))
    upcoming = response.get_json()["upcoming_starts"]
    # Bravo (+3 days) has started; Charlie +1, Alpha +6 within a week; Foxtrot +36.
    assert [t["name"] for t in upcoming["next"]] == ["Charlie", "Alpha", "Foxtrot"]
    assert (upcoming["next_7_days"], upcoming["next_30_days"]) == (2, 2)


def test_a_new_organizer_sees_zeros_and_no_rate(client, make_user, scenario):
    newcomer = make_user(username="newcomer")
    body = stats(client, newcomer).get_json()
    assert body["tournaments"]["total"] == 0
    assert body["participants"] == {"entries": 0, "total": 0, "unique": 0}
    assert body["revenue"] == {"cash": [], "coins": 0}
    assert body["fill_rate"] == {"filled": 0, "capacity": 0, "rate": None}
    assert body["upcoming_starts"] == {"next_7_days": 0, "next_30_days": 0, "next": []}


def test_the_rival_sees_their_own_figures(client, scenario):
    body = stats(client, scenario.rival).get_json()
    assert body["tournaments"]["total"] == 2  # Bravo and Echo
    assert body["revenue"]["cash"] == [{"amount": "999.00", "currency": "BDT"}]
    assert body["revenue"]["coins"] == 100


def test_staff_may_see_any_organizers_stats(client, scenario, staff):
    mine = stats(client, scenario.org).get_json()
    assert stats(client, staff, organizer=scenario.org.id).get_json() == mine
    assert stats(client, staff).get_json()["tournaments"]["total"] == 0
    assert_problem(stats(client, staff, organizer=999_999), 404, "user_not_found")


def test_others_may_not_ask_for_someone_elses_stats(client, scenario):
    assert_problem(stats(client, scenario.rival, organizer=scenario.org.id), 403, "forbidden")
    assert stats(client, scenario.org, organizer=scenario.org.id).status_code == 200


def test_stats_need_a_token(client):
    assert_problem(client.get(STATS), 401, "authentication_required")

"""GET /api/tournaments/: what is listed, `mine`, every filter, ordering and pagination."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from deltacrown.core.time import isoformat, utcnow
from deltacrown.tournaments import services
from tests.discovery.conftest import names
from tests.helpers import assert_problem

BASE = "/api/tournaments/"


def get(client, user=None, **params):
    return client.get(BASE, query_string=params, headers=user.headers if user else {})


# ----- what is listed ------------------------------------------------------------------------
def test_lists_public_tournaments_in_every_state_but_draft(client, tourney):
    tourney("Published Cup")
    tourney("Open Cup", status="registration_open")
    tourney("Closed Cup", status="registration_closed")
    tourney("Cancelled Cup", status="cancelled")
    tourney("Draft Cup", status="draft")
    assert sorted(names(get(client))) == [
        "Cancelled Cup",
        "Closed Cup",
        "Open Cup",
        "Published Cup",
    ]


def test_private_and_unlisted_tournaments_are_not_listed(client, tourney, owner):
    tourney("Public Cup")
    tourney("Private Cup", visibility="private")
    tourney("Unlisted Cup", visibility="unlisted")
    assert names(get(client)) == ["Public Cup"]
    # Not even for their organizer, unless they ask for their own.
    assert names(get(client, owner)) == ["Public Cup"]


def test_mine_lists_own_and_co_organized_drafts_and_private_ones(
    app, client, tourney, owner, helper, stranger, in_app
):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    mine_draft = tourney("My Draft", status="draft", visibility="private")
    tourney("My Public")
    theirs = tourney("Their Cup", by=stranger)
    tourney("Their Other Cup", by=stranger)
    deleted = tourney("Deleted Draft", status="draft")
    in_app(
        lambda: services.add_organizer(
            theirs, actor=db.session.get(User, stranger.id), user_id=owner.id
        )
    )
    in_app(lambda: services.delete_tournament(deleted, actor=db.session.get(User, owner.id)))
    response = get(client, owner, mine="true", ordering="name")
    assert names(response) == ["My Draft", "My Public", "Their Cup"]
    # Organizers see their private tournament's invite code in their own list.
    draft = next(t for t in response.get_json() if t["id"] == mine_draft)
    assert draft["invite_code"]
    assert names(get(client, helper, mine="true")) == []


def test_mine_without_a_token_is_401(client):
    assert_problem(get(client, mine="true"), 401, "authentication_required")


def test_invite_codes_stay_hidden_from_strangers(client, tourney, stranger):
    tourney("Public Cup")
    body = get(client, stranger).get_json()
    assert body[0]["invite_code"] is None


# ----- filters -------------------------------------------------------------------------------
def test_filters_by_game_id_or_slug(client, tourney):
    tourney("Valorant Cup")
    tourney("CS Cup", game="cs2")
    assert names(get(client, game="cs2")) == ["CS Cup"]
    game_id = get(client, game="cs2").get_json()[0]["game"]["id"]
    assert names(get(client, game=str(game_id))) == ["CS Cup"]
    assert names(get(client, game="valorant")) == ["Valorant Cup"]
    assert names(get(client, game="no-such-game")) == []


def test_status_is_repeatable(client, tourney):
    tourney("Published Cup")
    tourney("Open Cup", status="registration_open")
    tourney("Cancelled Cup", status="cancelled")
    both = client.get(BASE + "?status=published&status=registration_open&ordering=name")
    assert names(both) == ["Open Cup", "Published Cup"]
    assert names(get(client, status="cancelled")) == ["Cancelled Cup"]
    assert names(get(client, status="draft")) == []
    assert_problem(get(client, status="live"), 422, "validation_error")


def test_filters_by_format_participant_type_and_region(client, tourney):
    tourney("Swiss Cup", format="swiss", region="South Asia")
    tourney("Solo Cup", game="efootball", participant_type="solo", region="Europe")
    tourney("Plain Cup")
    assert names(get(client, format="swiss")) == ["Swiss Cup"]
    assert names(get(client, participant_type="solo")) == ["Solo Cup"]
    assert sorted(names(get(client, participant_type="team"))) == ["Plain Cup", "Swiss Cup"]
    assert names(get(client, region="south asia")) == ["Swiss Cup"]
    assert_problem(get(client, format="bracket"), 422, "validation_error")


def test_start_range_is_inclusive(client, tourney):
    soon = tourney("Soon Cup", start_in_days=3)
    tourney("Later Cup", start_in_days=20)
    start = get(client).get_json()
    soon_start = next(t["start_at"] for t in start if t["id"] == soon)
    assert names(get(client, start_from=soon_start, start_to=soon_start)) == ["Soon Cup"]
    middle = isoformat(utcnow() + timedelta(days=10))
    assert names(get(client, start_from=middle)) == ["Later Cup"]
    assert names(get(client, start_to=middle)) == ["Soon Cup"]


def test_reversed_start_range_is_422(client):
    body = assert_problem(
        get(client, start_from="2030-01-02T00:00:00Z", start_to="2030-01-01T00:00:00Z"),
        422,
        "validation_error",
    )
    assert "start_from" in body["errors"]


def test_entry_fee_max_bounds_cash_fees_in_its_currency(client, tourney):
    tourney("Free Cup")
    tourney(
        "Cheap Cup", entry_fee={"amount": "50.00", "currency": "BDT"}, payment_methods=["bkash"]
    )
    tourney(
        "Dear Cup", entry_fee={"amount": "500.00", "currency": "BDT"}, payment_methods=["bkash"]
    )
    tourney(
        "Dollar Cup", entry_fee={"amount": "5.00", "currency": "USD"}, payment_methods=["bkash"]
    )
    tourney("Coin Cup", entry_fee={"coins": 10})
    by_name = {"ordering": "name"}
    assert names(get(client, entry_fee_max="100", currency="BDT", **by_name)) == [
        "Cheap Cup",
        "Free Cup",
    ]
    assert names(get(client, entry_fee_max="500.00", currency="BDT", **by_name)) == [
        "Cheap Cup",
        "Dear Cup",
        "Free Cup",
    ]
    assert names(get(client, entry_fee_max="5", currency="USD", **by_name)) == [
        "Dollar Cup",
        "Free Cup",
    ]
    assert names(get(client, entry_fee_max="0", currency="BDT")) == ["Free Cup"]


def test_entry_coins_max_bounds_coin_fees(client, tourney):
    tourney("Free Cup")
    tourney("Coin Cup", entry_fee={"coins": 10})
    tourney("Rich Coin Cup", entry_fee={"coins": 1000})
    tourney("Cash Cup", entry_fee={"amount": "1.00", "currency": "BDT"}, payment_methods=["bkash"])
    assert names(get(client, entry_coins_max=10, ordering="name")) == ["Coin Cup", "Free Cup"]
    both = get(client, entry_coins_max=10, entry_fee_max="1", currency="BDT", ordering="name")
    assert names(both) == ["Cash Cup", "Coin Cup", "Free Cup"]


def test_entry_fee_max_and_currency_go_together(client):
    assert "currency" in assert_problem(get(client, entry_fee_max="10"), 422)["errors"]
    assert "entry_fee_max" in assert_problem(get(client, currency="BDT"), 422)["errors"]
    assert (
        "currency" in assert_problem(get(client, entry_fee_max="1", currency="XXX"), 422)["errors"]
    )
    assert (
        "entry_fee_max"
        in assert_problem(get(client, entry_fee_max="-1", currency="BDT"), 422)["errors"]
    )


def test_free_true_and_false(client, tourney):
    tourney("Free Cup")
    tourney("Coin Cup", entry_fee={"coins": 10})
    tourney("Cash Cup", entry_fee={"amount": "1.00", "currency": "BDT"}, payment_methods=["bkash"])
    assert names(get(client, free="true")) == ["Free Cup"]
    assert names(get(client, free="false", ordering="name")) == ["Cash Cup", "Coin Cup"]


def test_has_slots_counts_pending_and_confirmed_places(app, client, tourney, make_user):
    from tests.organizer.seed import add_registration

    full = tourney("Full Cup", status="registration_open", max_participants=2)
    roomy = tourney("Roomy Cup", status="registration_open", max_participants=2)
    tourney("Empty Cup", status="registration_open", max_participants=2)
    players = [make_user() for _ in range(5)]
    with app.app_context():
        from deltacrown.extensions import db

        add_registration(full, user_id=players[0].id, status="confirmed")
        add_registration(full, user_id=players[1].id, status="pending", payment_status="awaiting")
        add_registration(full, user_id=players[2].id, status="waitlisted")
        add_registration(roomy, user_id=players[0].id, status="confirmed")
        # Places given back do not count.
        add_registration(roomy, user_id=players[3].id, status="cancelled")
        add_registration(roomy, user_id=players[4].id, status="rejected")
        db.session.commit()
    assert names(get(client, has_slots="true", ordering="name")) == ["Empty Cup", "Roomy Cup"]
    assert names(get(client, has_slots="false")) == ["Full Cup"]


def test_organizer_filter_includes_co_organized(client, tourney, owner, stranger, in_app):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    tourney("Owner Cup")
    shared = tourney("Stranger Cup", by=stranger)
    in_app(
        lambda: services.add_organizer(
            shared, actor=db.session.get(User, stranger.id), user_id=owner.id
        )
    )
    tourney("Stranger Solo Cup", by=stranger)
    assert names(get(client, organizer=owner.id, ordering="name")) == ["Owner Cup", "Stranger Cup"]
    assert names(get(client, organizer=999_999)) == []


# ----- ordering ------------------------------------------------------------------------------
def test_orders_by_each_field_both_ways(client, tourney):
    tourney("bravo", start_in_days=5, prize_pool={"coins": 300})
    tourney("Alpha", start_in_days=9, prize_pool={"amount": "1000.00", "currency": "BDT"})
    tourney("Charlie", start_in_days=2)
    assert names(get(client, ordering="name")) == ["Alpha", "bravo", "Charlie"]
    assert names(get(client, ordering="-name")) == ["Charlie", "bravo", "Alpha"]
    assert names(get(client, ordering="start_at")) == ["Charlie", "bravo", "Alpha"]
    assert names(get(client, ordering="-start_at")) == ["Alpha", "bravo", "Charlie"]
    assert names(get(client, ordering="created_at")) == ["bravo", "Alpha", "Charlie"]
    assert names(get(client, ordering="-created_at")) == ["Charlie", "Alpha", "bravo"]
    # No prize counts as 0; cash and coins are compared by their numbers.
    assert names(get(client, ordering="prize_pool")) == ["Charlie", "bravo", "Alpha"]
    assert names(get(client, ordering="-prize_pool")) == ["Alpha", "bravo", "Charlie"]


def test_default_ordering_is_newest_first(client, tourney):
    tourney("First")
    tourney("Second")
    assert names(get(client)) == ["Second", "First"]


def test_unknown_ordering_is_422(client):
    body = assert_problem(get(client, ordering="popularity"), 422, "validation_error")
    assert "ordering" in body["errors"]
    assert_problem(get(client, ordering="--name"), 422, "validation_error")


# ----- pagination ----------------------------------------------------------------------------
def test_pages_with_the_x_pagination_header(client, tourney):
    for n in range(5):
        tourney(f"Cup {n}")
    response = get(client, page=2, page_size=2, ordering="name")
    assert names(response) == ["Cup 2", "Cup 3"]
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["total"] == 5 and meta["total_pages"] == 3 and meta["page"] == 2
    assert names(get(client, page=9, page_size=2)) == []
    assert_problem(get(client, page_size=101), 422)


@pytest.mark.parametrize(
    "path", ["/api/tournaments/", "/api/tournaments/search/?q=cup", "/api/tournaments/upcoming/"]
)
def test_pages_by_number_reach_the_first_ten_thousand_tournaments(client, path):
    joiner = "&" if "?" in path else "?"
    deepest = client.get(f"{path}{joiner}page_size=100&page=100")
    assert deepest.status_code == 200
    beyond = client.get(f"{path}{joiner}page_size=100&page=101")
    problem = assert_problem(beyond, 422, "validation_error")
    assert problem["errors"]["page"] == ["At most 100 with page_size 100."]
    assert client.get(f"{path}{joiner}page_size=20&page=500").status_code == 200
    assert client.get(f"{path}{joiner}page_size=20&page=501").status_code == 422

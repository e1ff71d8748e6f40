"""Payouts over HTTP: a tournament played to completion pays its coin prizes by itself, cash
prizes go to the desk (CSV, mark paid, 409 when paid), the error codes, who may do what,
and payout methods."""

from __future__ import annotations

from typing import Any

from tests.brackets_api.conftest import api, cup  # noqa: F401  (fixtures)
from tests.helpers import assert_problem
from tests.payouts.conftest import CASH_1000, COINS_100
from tests.teams.conftest import make_player  # noqa: F401  (fixture)


def url(tournament_id: int, tail: str = "") -> str:
    return f"/api/tournaments/{tournament_id}/payouts/{tail}"


def test_a_tournament_played_to_completion_pays_its_coin_prizes_by_itself(
    client: Any,
    cup: Any,  # noqa: F811
    api: Any,  # noqa: F811
    organizer: Any,
) -> None:
    from deltacrown.extensions import db
    from tests.payouts.conftest import fund_organizer

    with client.application.app_context():
        fund_organizer(organizer.id, COINS_100["prize_pool"])
        db.session.commit()
        db.session.remove()
    c = cup(4, **COINS_100)
    api.generated(c.id)
    assert api.start(c.id).status_code == 200
    api.play(c.id)
    listed = client.get(url(c.id)).get_json()
    assert [(p["placement"], p["coins"], p["status"]) for p in listed] == [
        (1, 50, "paid"), (2, 30, "paid"), (3, 10, "paid"), (3, 10, "paid")
    ]  # fmt: skip  # two semi-final losers share 3rd: 20 coins split evenly
    assert {"user_id", "reference", "last_error"}.isdisjoint(listed[0])  # no personal data
    winner = c.player_of(listed[0]["registration_id"])
    wallet = client.get("/api/wallet/", headers=winner.headers).get_json()
    assert wallet["balance"] == 50
    mine = client.get("/api/me/payouts/", headers=winner.headers).get_json()
    assert [(p["placement"], p["status"]) for p in mine] == [(1, "paid")]
    report = client.get(url(c.id, "verify/"), headers=organizer.headers).get_json()
    assert report["ok"] is True and (report["expected"], report["paid"]) == (4, 4)
    again = client.post(url(c.id), json={}, headers=organizer.headers).get_json()
    assert again["created"] == 0 and len(again["payouts"]) == 4
    assert client.get("/api/wallet/", headers=winner.headers).get_json()["balance"] == 50


def test_running_payouts_answers_with_the_codes_of_what_is_missing(
    app: Any, client: Any, finished: Any, organizer: Any, make_user: Any
) -> None:
    from tests.factories import make_tournament

    ongoing = make_tournament(app, organizer.id, status="ongoing", **CASH_1000)
    assert_problem(
        client.post(url(ongoing), json={}, headers=organizer.headers), 409,
        "tournament_not_completed",
    )  # fmt: skip
    empty = finished([], **COINS_100)
    assert_problem(client.post(url(empty.id), json={}, headers=organizer.headers), 409,
                   "no_placements")  # fmt: skip
    bare = finished([1], prize_pool=None, prize_distribution=[])
    assert_problem(client.post(url(bare.id), json={}, headers=organizer.headers), 422,
                   "no_prize_distribution")  # fmt: skip
    stranger = make_user()
    cash = finished([1, 2], **CASH_1000)
    assert_problem(client.post(url(cash.id), json={}, headers=stranger.headers), 403)
    assert_problem(client.get(url(cash.id, "verify/"), headers=stranger.headers), 403)
    assert_problem(client.post(url(cash.id), json={}), 401)
    plan = client.post(url(cash.id), json={"dry_run": True}, headers=organizer.headers)
    assert plan.status_code == 200
    body = plan.get_json()
    assert [(p["placement"], p["amount"], p["currency"]) for p in body["plan"]] == [
        (1, "700.00", "BDT"), (2, "300.00", "BDT")
    ]  # fmt: skip
    assert body["created"] == 0 and client.get(url(cash.id)).get_json() == []


def test_staff_pay_cash_prizes_on_the_desk(
    client: Any, finished: Any, organizer: Any, staff: Any
) -> None:
    cash = finished([1, 2], **CASH_1000)
    assert (
        client.post(url(cash.id), json={"notes": "Spring"}, headers=organizer.headers).get_json()[
            "created"
        ]
        == 2
    )
    winner = cash.users[0][0]
    desk = client.get(
        f"/api/admin/payouts/?kind=cash&status=pending&tournament={cash.id}",
        headers=staff.headers,
    )
    rows = desk.get_json()
    assert [r["amount"] for r in rows] == ["700.00", "300.00"] and rows[0]["user_id"] == winner
    export = client.get(
        f"/api/admin/payouts/?tournament={cash.id}",
        headers={**staff.headers, "Accept": "text/csv"},
    )
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,tournament_id,placement") and len(lines) == 3
    paid = client.post(
        f"/api/admin/payouts/{rows[0]['id']}/mark-paid/",
        json={"reference": "BK-1001"},
        headers=staff.headers,
    )
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"
    assert_problem(
        client.post(f"/api/admin/payouts/{rows[0]['id']}/mark-paid/", json={"reference": "x"},
                    headers=staff.headers), 409, "payout_already_paid",
    )  # fmt: skip
    assert_problem(
        client.post(f"/api/admin/payouts/{rows[1]['id']}/retry/", headers=staff.headers),
        409,
        "invalid_transition",
    )
    assert_problem(
        client.post(f"/api/admin/payouts/{rows[1]['id']}/mark-failed/", json={"reason": "x"},
                    headers=organizer.headers), 403,
    )  # fmt: skip
    assert_problem(client.post("/api/admin/payouts/999999/retry/", headers=staff.headers), 404,
                   "payout_not_found")  # fmt: skip


def test_players_keep_payout_methods_that_staff_see_on_the_desk(
    client: Any, user: Any, staff: Any, finished: Any
) -> None:
    base = "/api/me/payout-methods/"
    saved = client.post(base, json={"method": "nagad", "account": "01912345678"},
                        headers=user.headers)  # fmt: skip
    assert saved.status_code == 200 and saved.get_json()["account"] == "01912345678"
    assert_problem(
        client.post(base, json={"method": "bank", "account": "?"}, headers=user.headers),
        422,
        "invalid_payout_method",
    )
    assert [m["method"] for m in client.get(base, headers=user.headers).get_json()] == ["nagad"]
    other = client.delete(f"{base}{saved.get_json()['id']}/", headers=staff.headers)
    assert_problem(other, 404, "payout_method_not_found")
    gone = client.delete(f"{base}{saved.get_json()['id']}/", headers=user.headers)
    assert gone.status_code == 204 and client.get(base, headers=user.headers).get_json() == []

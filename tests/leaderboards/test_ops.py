"""Staff tournament operations: freeze (participants get 409 `tournament_frozen`), force a
winner on, reset a match (refused once the next match started), regenerate a bracket,
override a placement (the points follow); each audited and refused to others."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.core.audit import AuditEntry
from deltacrown.extensions import db
from tests.brackets_api.conftest import all_matches
from tests.helpers import assert_problem
from tests.leaderboards.conftest import set_tier


def ops(client: Any, tournament_id: int, action: str, headers: Any, **body: Any) -> Any:
    return client.post(
        f"/api/admin/tournaments/{tournament_id}/{action}/", json=body, headers=headers
    )


def actions(app: Any) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_frozen_tournament_refuses_participants_until_unfrozen(
    app, client, cup, staff, make_player
):
    c = cup(2, status="registration_open")
    newcomer = make_player()
    assert_problem(ops(client, c.id, "freeze", c.players[0].headers, reason="x"), 403)
    frozen = ops(client, c.id, "freeze", staff.headers, reason="Match fixing inquiry")
    assert frozen.status_code == 200, frozen.get_json()
    assert frozen.get_json()["frozen_at"]
    assert_problem(ops(client, c.id, "freeze", staff.headers, reason="again"), 409)
    register = f"/api/tournaments/{c.id}/registrations/"
    assert_problem(
        client.post(register, json={}, headers=newcomer.headers), 409, "tournament_frozen"
    )
    withdraw = client.post(
        f"/api/registrations/{c.registrations[0]}/cancel/", headers=c.players[0].headers
    )
    assert_problem(withdraw, 409, "tournament_frozen")
    assert ops(client, c.id, "unfreeze", staff.headers, reason="Cleared").status_code == 200
    assert client.post(register, json={}, headers=newcomer.headers).status_code == 201
    assert {"tournament.frozen", "tournament.unfrozen"} <= set(actions(app))


def test_staff_force_a_winner_on_and_override_a_placement_with_points_following(
    app, client, cup, api, staff
):
    c = cup(2, format="single_elimination", auto_start_matches=False)
    set_tier(app, c.id, "standard")
    final = all_matches(api.generated(c.id))["W1.1"]["id"]
    assert api.start(c.id).status_code == 200
    advanced = ops(client, c.id, "force-advance", staff.headers, match=final,
                   winner=c.registrations[1], reason="Opponent disqualified")  # fmt: skip
    assert advanced.status_code == 200, advanced.get_json()
    assert advanced.get_json()["status"] == "forfeit"
    board = client.get("/api/leaderboards/", query_string={"game": "valorant"}).get_json()
    assert [(i["id"], i["points"]) for i in board["items"]] == [
        (c.players[1].id, 500.0), (c.players[0].id, 375.0),
    ]  # fmt: skip

    overridden = ops(client, c.id, "override-placement", staff.headers,
                     registration=c.registrations[0], placement=1, reason="Shared title")  # fmt: skip
    assert overridden.status_code == 200, overridden.get_json()
    board = client.get("/api/leaderboards/", query_string={"game": "valorant"}).get_json()
    # Both first now; the forfeit's winner keeps the better rank on wins.
    assert [(i["rank"], i["points"], i["wins"]) for i in board["items"]] == [
        (1, 500.0, 1), (2, 500.0, 0),
    ]  # fmt: skip
    bad = ops(client, c.id, "override-placement", staff.headers,
              registration=c.registrations[0], placement=3, reason="Out of range")  # fmt: skip
    assert_problem(bad, 422)
    assert {"tournament.force_advanced", "tournament.placement_overridden"} <= set(actions(app))


def test_staff_regenerate_a_bracket_until_a_match_starts(app, client, cup, api, staff):
    c = cup(4, format="single_elimination", auto_start_matches=False)
    api.generated(c.id)
    again = ops(client, c.id, "regenerate-bracket", staff.headers)
    assert again.status_code == 200, again.get_json()
    assert "bracket.regenerated" in actions(app)
    assert api.start(c.id).status_code == 200
    match = all_matches(api.bracket(c.id).get_json())["W1.1"]
    winner = match["participants"][0]["registration_id"]
    ops(client, c.id, "force-advance", staff.headers, match=match["id"], winner=winner, reason="r")
    assert_problem(ops(client, c.id, "regenerate-bracket", staff.headers), 409, "bracket_locked")


def test_staff_freeze_and_unfreeze_from_the_admin(app, client, staff, organizer):
    from deltacrown.tournaments.models import Tournament
    from tests.factories import make_tournament
    from tests.tournaments.test_admin import flashes, run_action, sign_in

    tournament_id = make_tournament(app, organizer.id, status="registration_open")
    sign_in(client, staff.id)
    run_action(client, "freeze", [tournament_id])
    with app.app_context():
        assert db.session.get(Tournament, tournament_id).frozen_at is not None
    run_action(client, "unfreeze", [tournament_id])
    with app.app_context():
        assert db.session.get(Tournament, tournament_id).frozen_at is None
    assert any("Unfrozen 1" in message for message in flashes(client))


def test_staff_reset_a_decided_match_until_the_next_one_has_started(app, client, cup, api, staff):
    from deltacrown.leaderboards.models import RatingChange

    c = cup(4, format="single_elimination", auto_start_matches=False)
    codes = all_matches(api.generated(c.id))
    first, other, final = (codes[k]["id"] for k in ("W1.1", "W1.2", "W2.1"))
    assert api.start(c.id).status_code == 200
    by_id = {m["id"]: m for m in api.matches(c.id).get_json()}
    first_winner = by_id[first]["participants"][0]["registration_id"]
    assert api.result(first, first_winner, [[13, 5]]).status_code == 200
    assert_problem(
        ops(client, c.id, "reset-match", c.players[0].headers, match=first, reason="x"), 403
    )

    reset = ops(client, c.id, "reset-match", staff.headers, match=first, reason="Wrong server")
    assert reset.status_code == 200, reset.get_json()
    assert reset.get_json() == {
        "match_id": first, "status": "ready", "reset_match_ids": [final],
        "reinstated_registration_ids": [by_id[first]["participants"][1]["registration_id"]],
    }  # fmt: skip
    by_id = {m["id"]: m for m in api.matches(c.id).get_json()}
    assert (by_id[first]["winner_registration_id"], by_id[first]["scores"]) == (None, [])
    assert by_id[final]["status"] == "scheduled"
    assert [p["registration_id"] for p in by_id[final]["participants"]] == [None, None]
    with app.app_context():  # the taken-back result no longer rates anybody
        assert db.session.scalar(sa.select(sa.func.count(RatingChange.id))) == 0

    # Replayed, and the final started: the reset would take a finalist out of it.
    for match_id in (first, other):
        match = {m["id"]: m for m in api.matches(c.id).get_json()}[match_id]
        winner = match["participants"][0]["registration_id"]
        assert api.result(match_id, winner, [[13, 5]]).status_code == 200
    assert client.post(f"/api/matches/{final}/start/", headers=api.headers).status_code == 200
    blocked = ops(client, c.id, "reset-match", staff.headers, match=first, reason="Too late")
    assert_problem(blocked, 409, "match_reset_blocked")
    assert blocked.get_json()["blocking"] == [final]
    assert actions(app).count("tournament.match_reset") == 1

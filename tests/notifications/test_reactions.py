"""Each signal tells the right people (and nobody else), played through the REST API."""

from __future__ import annotations

from typing import Any

from tests.notifications.conftest import told


def live(play: Any, m: Any, code: str = "W1.1") -> int:
    match_id = play.matches[code]["id"]
    m.live(match_id)
    return match_id


def test_a_free_registration_is_confirmed_to_its_player_only(
    app, client, cup, organizer, make_player
):
    c = cup(1, status="registration_open")
    player = make_player()
    response = client.post(
        f"/api/tournaments/{c.id}/registrations/", json={}, headers=player.headers
    )
    assert response.status_code == 201, response.get_json()
    assert told(app) == {player.id: ["registration_confirmed"]}


def test_a_match_flow_tells_each_side_what_concerns_it(app, started, m, organizer, stranger):
    play = started(n=4)
    a, b = play.sides("W1.1")
    c, d = play.sides("W1.2")
    ready = told(app, "match_ready")
    assert {user: kinds for user, kinds in ready.items()} == {
        p.id: ["match_ready"] for p in (a, b, c, d)
    }

    match_id = live(play, m)
    assert m.submit(match_id, [(13, 9), (13, 4)], a.headers).status_code == 200
    assert told(app, "result_submitted") == {b.id: ["result_submitted"]}

    dispute = m.dispute(match_id, "The second map was 13 to 11 for us.", b.headers)
    assert dispute.status_code == 201, dispute.get_json()
    assert told(app, "dispute_opened") == {organizer.id: ["dispute_opened"]}

    resolved = m.dispute_post(
        dispute.get_json()["id"], "resolve", outcome="upheld", resolution="The result stands."
    )
    assert resolved.status_code == 200, resolved.get_json()
    assert told(app, "dispute_resolved") == {a.id: ["dispute_resolved"], b.id: ["dispute_resolved"]}
    assert stranger.id not in told(app)


def test_a_cancelled_tournament_tells_everyone_registered_once(app, client, cup, organizer):
    c = cup(3, status="registration_open")
    response = client.post(
        f"/api/tournaments/{c.id}/cancel/", json={"reason": "Venue lost"}, headers=organizer.headers
    )
    assert response.status_code == 200, response.get_json()
    cancelled = told(app, "tournament_cancelled", "registration_cancelled")
    assert cancelled == {p.id: ["tournament_cancelled"] for p in c.players}


def test_a_team_invite_reaches_the_invitee(app, client, make_player):
    captain, invitee = make_player(), make_player()
    team = client.post(
        "/api/teams/",
        json={"name": "Night Owls", "tag": "OWL", "game": "valorant"},
        headers=captain.headers,
    )
    assert team.status_code == 201, team.get_json()
    invite = client.post(
        f"/api/teams/{team.get_json()['id']}/invites/",
        json={"user": invitee.id},
        headers=captain.headers,
    )
    assert invite.status_code == 201, invite.get_json()
    assert told(app, "team_invite") == {invitee.id: ["team_invite"]}


def test_a_paid_payout_tells_the_payee(app, user, make_user):
    from deltacrown.core import signals
    from deltacrown.extensions import db

    other = make_user()
    with app.app_context():
        signals.payout_paid.send("payouts", payout_id=7, tournament_id=None, user_id=user.id)
        db.session.remove()
    assert told(app) == {user.id: ["payout_paid"]}
    assert other.id not in told(app)


def test_a_match_that_starts_by_itself_tells_its_sides_it_is_ready(app, started, m):
    """With `auto_start_matches` the final goes from scheduled to live in the transaction of
    the last semi-final's result, never resting in `ready`: its sides still hear of it."""
    play = started(n=4, auto_start_matches=True)
    winners = []
    for code in ("W1.1", "W1.2"):
        first, second = play.sides(code)
        match_id = play.matches[code]["id"]
        assert m.submit(match_id, [(13, 5), (13, 7)], first.headers).status_code == 200
        assert m.confirm(match_id, second.headers).get_json()["status"] == "completed"
        winners.append(first)
    assert m.get(play.matches["W2.1"]["id"]).get_json()["status"] == "live"
    ready = told(app, "match_ready")
    assert all(ready[winner.id] == ["match_ready", "match_ready"] for winner in winners)

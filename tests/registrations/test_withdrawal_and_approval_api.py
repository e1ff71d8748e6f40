"""Registrations API, after the sign-up: withdrawing (freeing the place, refunding a coin
fee, who may cancel, not once the tournament is ongoing), organizers approving and rejecting,
promoting from the waitlist by hand, and the team's current captain acting for its
registration."""

from __future__ import annotations

import pytest

from tests.helpers import assert_problem
from tests.registrations.conftest import audit_actions, registration_row


# ----- withdrawal ----------------------------------------------------------------------------------
def cancel(client, registration_id, who):
    return client.post(f"/api/registrations/{registration_id}/cancel/", headers=who.headers)


def test_a_player_withdraws_and_the_place_frees(
    app, client, tournament, make_player, registered, received
):
    tid = tournament(max_participants=2)
    player = make_player()
    body = registered(tid, player)
    registered(tid, make_player())
    response = cancel(client, body["id"], player)
    assert response.status_code == 200
    result = response.get_json()
    assert (result["status"], result["cancel_reason"]) == ("cancelled", "withdrawn")
    assert result["cancelled_at"] is not None
    assert (
        "registration_cancelled",
        {
            "registration_id": body["id"],
            "tournament_id": tid,
            "reason": "withdrawn",
            "actor_id": player.id,
        },
    ) in received
    assert audit_actions(app, body["id"]) == []  # their own registration
    assert registered(tid, make_player())["status"] == "confirmed"
    assert_problem(cancel(client, body["id"], player), 409, "invalid_transition")


def test_cancel_permissions(
    app, client, tournament, team_of, registered, stranger, organizer, staff
):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2)
    body = registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    assert_problem(cancel(client, body["id"], stranger), 404, "registration_not_found")
    assert_problem(cancel(client, body["id"], mate), 403, "forbidden")
    assert_problem(client.post(f"/api/registrations/{body['id']}/cancel/"), 401)
    removed = cancel(client, body["id"], organizer).get_json()
    assert (removed["status"], removed["cancel_reason"]) == ("cancelled", "removed")
    assert audit_actions(app, body["id"]) == [("registration.cancelled", organizer.id)]
    again = registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    assert cancel(client, again["id"], staff).get_json()["cancel_reason"] == "removed"
    assert audit_actions(app, again["id"]) == [("registration.cancelled", staff.id)]


def test_no_withdrawal_once_the_tournament_is_ongoing(
    app, client, tournament, make_player, registered
):
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    tid = tournament()
    player = make_player()
    body = registered(tid, player)
    with app.app_context():
        db.session.get(Tournament, tid).status = TournamentStatus.ONGOING
        db.session.commit()
        db.session.remove()
    assert_problem(cancel(client, body["id"], player), 409, "tournament_started")


def test_a_coin_fee_goes_back_on_withdrawal(
    client, tournament, make_player, registered, coins, ledger_rows
):
    tid = tournament(entry_fee={"coins": 40}, payment_methods=["deltacoin"])
    player = make_player()
    coins(player, 100)
    body = registered(tid, player)
    result = cancel(client, body["id"], player).get_json()
    assert result["payment_status"] == "refunded"
    assert coins(player) == 100
    assert ledger_rows(player)[-2:] == [
        ("entry_fee", -40, f"entry_fee:reg:{body['id']}"),
        ("refund", 40, f"refund:reg:{body['id']}"),
    ]


# ----- approval --------------------------------------------------------------------------------------
def test_organizers_approve_and_reject(
    app,
    client,
    tournament,
    make_player,
    registered,
    organizer,
    co_organizer,
    add_co_organizer,
    received,
):
    tid = tournament(requires_approval=True, max_participants=2)
    add_co_organizer(tid, co_organizer)
    first, second = make_player(), make_player()
    a = registered(tid, first)
    registered(tid, make_player())
    b = registered(tid, second)
    assert b["status"] == "waitlisted"
    assert_problem(
        client.post(f"/api/registrations/{a['id']}/reject/", json={}, headers=organizer.headers),
        422,
    )
    rejected = client.post(
        f"/api/registrations/{a['id']}/reject/",
        json={"reason": "Rank too low"},
        headers=co_organizer.headers,
    ).get_json()
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "Rank too low")
    # The place passed on: b is pending (still awaiting approval), not confirmed.
    assert registration_row(app, b["id"]).status.value == "pending"
    approved = client.post(f"/api/registrations/{b['id']}/approve/", headers=organizer.headers)
    assert approved.get_json()["status"] == "confirmed"
    assert approved.get_json()["approved_at"] is not None
    assert_problem(
        client.post(f"/api/registrations/{b['id']}/approve/", headers=organizer.headers),
        409,
        "invalid_transition",
    )
    assert audit_actions(app, a["id"]) == [("registration.rejected", co_organizer.id)]
    assert audit_actions(app, b["id"]) == [("registration.approved", organizer.id)]
    names = [name for name, _ in received]
    assert "registration_rejected" in names and "registration_confirmed" in names


def test_approval_permissions(client, tournament, make_player, registered, stranger):
    player = make_player()
    plain = registered(tournament(), player)
    assert_problem(
        client.post(f"/api/registrations/{plain['id']}/approve/", headers=player.headers),
        403,
    )
    approval = registered(tournament(requires_approval=True), player)
    assert_problem(
        client.post(f"/api/registrations/{approval['id']}/approve/", headers=stranger.headers),
        404,
        "registration_not_found",
    )
    assert_problem(
        client.post(f"/api/registrations/{approval['id']}/approve/", headers=player.headers),
        403,
        "forbidden",
    )


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_approval_is_409_when_not_required(
    client, tournament, make_player, registered, organizer, action
):
    body = registered(tournament(), make_player())
    response = client.post(
        f"/api/registrations/{body['id']}/{action}/",
        json={"reason": "x"} if action == "reject" else None,
        headers=organizer.headers,
    )
    assert_problem(response, 409, "approval_not_required")


# ----- promotion by hand ---------------------------------------------------------------------------
def test_organizers_promote_out_of_turn_into_a_free_place(
    app, client, tournament, make_player, registered, organizer
):
    tid = tournament(max_participants=2)
    registered(tid, make_player())
    registered(tid, make_player())
    first = registered(tid, make_player())
    second = registered(tid, make_player())
    assert_problem(
        client.post(f"/api/registrations/{second['id']}/promote/", headers=organizer.headers),
        409,
        "tournament_full",
    )
    grown = client.patch(
        f"/api/tournaments/{tid}/", json={"max_participants": 3}, headers=organizer.headers
    )
    assert grown.status_code == 200, grown.get_json()
    promoted = client.post(f"/api/registrations/{second['id']}/promote/", headers=organizer.headers)
    assert promoted.get_json()["status"] == "confirmed"
    assert registration_row(app, first["id"]).waitlist_position == 1
    assert audit_actions(app, second["id"]) == [("registration.promoted", organizer.id)]
    assert_problem(
        client.post(f"/api/registrations/{second['id']}/promote/", headers=organizer.headers),
        409,
        "invalid_transition",
    )


def test_players_cannot_promote(client, tournament, make_player, registered):
    tid = tournament(max_participants=2)
    registered(tid, make_player())
    registered(tid, make_player())
    player = make_player()
    waiting = registered(tid, player)
    assert_problem(
        client.post(f"/api/registrations/{waiting['id']}/promote/", headers=player.headers),
        403,
        "forbidden",
    )


def test_the_teams_current_captain_acts_for_its_registration(
    client, tournament, team_of, registered
):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2)
    reg = registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    moved = client.post(
        f"/api/teams/{team['id']}/transfer-captain/",
        json={"user": mate.id},
        headers=captain.headers,
    )
    assert moved.status_code == 200, moved.get_json()
    assert_problem(cancel(client, reg["id"], captain), 403, "forbidden")
    assert cancel(client, reg["id"], mate).get_json()["cancel_reason"] == "withdrawn"

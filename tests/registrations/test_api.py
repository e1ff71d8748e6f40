"""Registrations API, signing up: solo and team sign-ups (rosters, substitutes, captains),
every error code of the sign-up, sanctions, entry fees, approval and idempotency, with the
permission matrix. Reading is in test_reading_api.py; withdrawal, approval and promotion are
in test_withdrawal_and_approval_api.py."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import assert_problem
from tests.registrations.conftest import registrations_url as url


# ----- sign-up: solo -----------------------------------------------------------------------
def test_free_solo_registration_is_confirmed_at_once(tournament, make_player, registered):
    tid = tournament()
    player = make_player()
    body = registered(tid, player)
    assert body["status"] == "confirmed"
    assert body["payment_status"] == "not_required"
    assert body["payment_due_at"] is None and body["waitlist_position"] is None
    assert body["checked_in_at"] is None
    assert body["participant"] == {
        "type": "solo",
        "user": {"id": player.id, "username": player.username},
        "team": None,
        "guest_name": None,
    }
    assert body["roster"] == [
        {"user": {"id": player.id, "username": player.username}, "role": "player"}
    ]


def test_registering_needs_a_token(client, tournament):
    assert_problem(client.post(url(tournament()), json={}), 401, "authentication_required")


def test_unknown_and_draft_tournaments_are_not_found(tournament, make_player, register):
    player = make_player()
    assert_problem(register(9999, player), 404, "tournament_not_found")
    assert_problem(register(tournament(status="draft"), player), 404, "tournament_not_found")


def test_registration_closed_before_opening_and_after_closing_time(
    tournament, make_player, register, headers_now
):
    player = make_player()
    assert_problem(register(tournament(status="published"), player), 409, "registration_closed")
    assert_problem(
        register(tournament(status="registration_closed"), player), 409, "registration_closed"
    )
    open_one = tournament()
    # The schedule sweep has not run yet, but the closing time has passed.
    with time_machine.travel(utcnow() + timedelta(days=5, minutes=1), tick=False):
        response = register(open_one, player, headers=headers_now(player))
    assert_problem(response, 409, "registration_closed")


def test_registering_twice_is_already_registered(tournament, make_player, registered, register):
    tid = tournament()
    player = make_player()
    registered(tid, player)
    assert_problem(register(tid, player), 409, "already_registered")


def test_a_full_tournament_without_waitlist_refuses(tournament, make_player, registered, register):
    tid = tournament(max_participants=2, waitlist_enabled=False)
    registered(tid, make_player())
    registered(tid, make_player())
    body = assert_problem(register(tid, make_player()), 409, "tournament_full")
    assert "full" in body["detail"]


def test_a_full_tournament_with_waitlist_answers_201_waitlisted(
    tournament, make_player, registered
):
    tid = tournament(max_participants=2)
    for _ in range(2):
        assert registered(tid, make_player())["status"] == "confirmed"
    first, second = registered(tid, make_player()), registered(tid, make_player())
    assert (first["status"], first["waitlist_position"]) == ("waitlisted", 1)
    assert (second["status"], second["waitlist_position"]) == ("waitlisted", 2)


def test_answers_are_validated_against_custom_fields(
    tournament, make_player, add_field, register, registered
):
    tid = tournament()
    add_field(tid, key="discord", type="text", required=True)
    add_field(tid, key="age", label="Age", type="number", min=13, required=False)
    player = make_player()
    missing = assert_problem(register(tid, player), 422, "invalid_answers")
    assert missing["errors"] == {"discord": ["This field is required."]}
    bad = assert_problem(
        register(tid, player, answers={"discord": "me#1", "age": 9, "shoe": 44}),
        422,
        "invalid_answers",
    )
    assert set(bad["errors"]) == {"age", "shoe"}
    body = registered(tid, player, answers={"discord": " me#1 ", "age": 20})
    assert body["answers"] == {"discord": "me#1", "age": 20}


def test_solo_players_need_a_game_profile_and_no_team(
    tournament, make_user, make_player, register, team_of
):
    tid = tournament()
    nobody = make_user()
    body = assert_problem(register(tid, nobody), 422, "invalid_roster")
    assert "game_profile" in body["errors"]
    team, captain, _ = team_of(1)
    body = assert_problem(register(tid, captain, team=team["id"]), 422, "validation_error")
    assert "team" in body["errors"]


def test_a_private_tournament_needs_its_invite_code(
    app, tournament, make_player, register, registered
):
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    tid = tournament(visibility="private")
    with app.app_context():
        code = db.session.get(Tournament, tid).invite_code
        db.session.remove()
    player = make_player()
    assert_problem(register(tid, player), 403, "invalid_invite_code")
    assert_problem(register(tid, player, invite_code="WRONG"), 403, "invalid_invite_code")
    assert registered(tid, player, invite_code=code)["status"] == "confirmed"


def test_a_suspended_player_cannot_register(sanction, tournament, make_player, register):
    player = make_player()
    tid = tournament()
    sanction(type="suspension", scope="tournament", scope_id=tid, user_id=player.id)
    body = assert_problem(register(tid, player), 403, "sanctioned")
    assert body["reason_code"] == "suspended" and body["ends_at"] is None
    assert registered_elsewhere_ok(tournament, player, register)


def registered_elsewhere_ok(tournament, player, register):
    """A tournament-scoped suspension leaves the player's other tournaments alone."""
    return register(tournament(), player).status_code == 201


def test_a_suspended_roster_member_blocks_the_team(sanction, tournament, team_of, register):
    team, captain, (mate,) = team_of(2)
    sanction(type="suspension", user_id=mate.id)
    tid = tournament(participant_type="team", team_size=2)
    response = register(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    assert_problem(response, 403, "sanctioned")


def test_a_suspended_team_cannot_register(sanction, tournament, team_of, register):
    team, captain, (mate,) = team_of(2)
    sanction(type="suspension", team_id=team["id"])
    tid = tournament(participant_type="team", team_size=2)
    response = register(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    assert_problem(response, 403, "sanctioned")


# ----- sign-up: teams ------------------------------------------------------------------------
def test_a_captain_registers_the_team_with_roster_and_substitutes(tournament, team_of, registered):
    team, captain, (a, b) = team_of(3)
    tid = tournament(participant_type="team", team_size=2, max_substitutes=1)
    body = registered(tid, captain, team=team["id"], roster=[captain.id, a.id], substitutes=[b.id])
    assert body["status"] == "confirmed"
    assert body["participant"]["type"] == "team"
    assert body["participant"]["team"]["id"] == team["id"]
    assert body["participant"]["user"] is None
    assert [(m["user"]["id"], m["role"]) for m in body["roster"]] == [
        (captain.id, "player"),
        (a.id, "player"),
        (b.id, "substitute"),
    ]


def test_a_team_of_exactly_the_team_size_registers_without_naming_its_roster(
    tournament, team_of, registered
):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2)
    body = registered(tid, captain, team=team["id"])
    assert [(m["user"]["id"], m["role"]) for m in body["roster"]] == [
        (captain.id, "player"),
        (mate.id, "player"),
    ]


def test_members_beyond_the_team_size_become_substitutes_by_default(
    tournament, team_of, registered
):
    team, captain, (a, b, c) = team_of(4)
    tid = tournament(participant_type="team", team_size=2, max_substitutes=2)
    body = registered(tid, captain, team=team["id"])
    assert [(m["user"]["id"], m["role"]) for m in body["roster"]] == [
        (captain.id, "player"),
        (a.id, "player"),
        (b.id, "substitute"),
        (c.id, "substitute"),
    ]


def test_without_a_roster_a_team_that_does_not_fit_is_asked_to_name_one(
    tournament, team_of, register
):
    small, small_captain, _ = team_of(1)
    big, big_captain, _ = team_of(4)
    tid = tournament(participant_type="team", team_size=2, max_substitutes=1)
    for team, captain, active in ((small, small_captain, 1), (big, big_captain, 4)):
        problem = assert_problem(register(tid, captain, team=team["id"]), 422, "invalid_roster")
        assert f"the team has {active} active members" in problem["errors"]["roster"][0]


def test_only_the_captain_registers_a_team(tournament, team_of, register, staff, registered):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2)
    roster = [captain.id, mate.id]
    assert_problem(register(tid, mate, team=team["id"], roster=roster), 403, "not_team_captain")
    # Staff may act for the captain (audited).
    body = registered(tid, staff, team=team["id"], roster=roster)
    assert body["status"] == "confirmed"


def test_roster_rules_are_422_invalid_roster(client, tournament, team_of, make_player, register):
    team, captain, (a, b) = team_of(3)
    outsider = make_player()
    tid = tournament(participant_type="team", team_size=2, max_substitutes=0)
    cases = [
        ({"team": team["id"], "roster": [captain.id]}, "roster"),
        ({"team": team["id"], "roster": [captain.id, a.id], "substitutes": [b.id]}, "substitutes"),
        ({"team": team["id"], "roster": [captain.id, captain.id]}, "roster"),
        ({"team": team["id"], "roster": [captain.id, outsider.id]}, "roster"),
        ({"team": 9999, "roster": [captain.id, a.id]}, "team"),
        ({"roster": [captain.id, a.id]}, "team"),
    ]
    for body, field in cases:
        problem = assert_problem(register(tid, captain, **body), 422, "invalid_roster")
        assert field in problem["errors"], (body, problem)
    # A member who dropped their game profile cannot play.
    profiles = client.get("/api/me/game-profiles/", headers=a.headers).get_json()
    client.delete(f"/api/me/game-profiles/{profiles[0]['id']}/", headers=a.headers)
    problem = assert_problem(
        register(tid, captain, team=team["id"], roster=[captain.id, a.id]), 422, "invalid_roster"
    )
    assert problem["errors"]["roster"] == [f"User {a.id} has no game profile."]


def test_a_team_registers_once_and_a_player_plays_in_one_roster(
    client, tournament, team_of, make_team, join, register, registered
):
    team, captain, (mate, spare) = team_of(3)
    tid = tournament(participant_type="team", team_size=2)
    registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    assert_problem(
        register(tid, captain, team=team["id"], roster=[captain.id, spare.id]),
        409,
        "already_registered",
    )
    # mate leaves for another team, whose captain puts them on its roster too.
    client.delete(f"/api/teams/{team['id']}/members/{mate.id}/", headers=mate.headers)
    other_captain = team_of(1)[1]
    other_team = [t for t in client.get("/api/teams/").get_json() if t["id"] != team["id"]][0]
    join(other_team["id"], other_captain, mate)
    problem = assert_problem(
        register(tid, other_captain, team=other_team["id"], roster=[other_captain.id, mate.id]),
        409,
        "player_in_other_roster",
    )
    assert problem["errors"] == {"roster": [f"User {mate.id} is already registered."]}


def test_a_solo_tournament_blocks_nothing_across_tournaments(tournament, make_player, registered):
    player = make_player()
    assert registered(tournament(), player)["status"] == "confirmed"
    assert registered(tournament(), player)["status"] == "confirmed"


# ----- sign-up: fees, approval, idempotency -------------------------------------------------------
def test_a_coin_fee_is_debited_with_the_registration(
    tournament, make_player, registered, coins, ledger_rows
):
    tid = tournament(entry_fee={"coins": 30}, payment_methods=["deltacoin"])
    player = make_player()
    coins(player, 100)
    body = registered(tid, player)
    assert (body["status"], body["payment_status"]) == ("confirmed", "verified")
    assert body["entry_fee"] == {"coins": 30} and body["payment_method"] == "deltacoin"
    assert coins(player) == 70
    assert ledger_rows(player)[-1] == ("entry_fee", -30, f"entry_fee:reg:{body['id']}")


def test_insufficient_coins_is_409_and_leaves_no_registration(
    client, tournament, make_player, register, coins, organizer
):
    tid = tournament(entry_fee={"coins": 30}, payment_methods=["deltacoin"])
    player = make_player()
    coins(player, 10)
    assert_problem(register(tid, player), 409, "insufficient_funds")
    assert coins(player) == 10
    assert client.get(url(tid), headers=organizer.headers).get_json() == []


def test_a_cash_fee_leaves_the_registration_pending_until_paid(tournament, make_player, registered):
    tid = tournament(
        entry_fee={"amount": "150.00", "currency": "BDT"},
        payment_methods=["bkash"],
        payment_deadline_hours=24,
    )
    before = utcnow()
    body = registered(tid, make_player())
    assert (body["status"], body["payment_status"]) == ("pending", "awaiting")
    assert body["entry_fee"] == {"amount": "150.00", "currency": "BDT"}
    due = body["payment_due_at"]
    assert due.endswith("Z")
    from datetime import datetime

    due_at = datetime.fromisoformat(due.replace("Z", "+00:00"))
    assert timedelta(hours=23, minutes=59) < due_at - before <= timedelta(hours=24, seconds=5)


def test_payment_deadline_never_passes_checkin_closing(tournament, make_player, registered):
    tid = tournament(
        entry_fee={"amount": "150.00", "currency": "BDT"},
        payment_methods=["bkash"],
        payment_deadline_hours=720,
    )
    body = registered(tid, make_player())
    from datetime import datetime

    due_at = datetime.fromisoformat(body["payment_due_at"].replace("Z", "+00:00"))
    assert timedelta(days=6) < due_at - utcnow() <= timedelta(days=6, hours=1)


def test_requires_approval_keeps_registrations_pending(tournament, make_player, registered):
    tid = tournament(requires_approval=True)
    body = registered(tid, make_player())
    assert (body["status"], body["payment_status"]) == ("pending", "not_required")
    assert body["payment_due_at"] is None and body["approved_at"] is None


def test_idempotency_key_replays_the_registration(client, tournament, make_player, organizer):
    tid = tournament()
    player = make_player()
    headers = {**player.headers, "Idempotency-Key": "sign-up-1"}
    first = client.post(url(tid), json={"answers": {}}, headers=headers)
    again = client.post(url(tid), json={"answers": {}}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get(url(tid), headers=organizer.headers).get_json()) == 1
    other = client.post(url(tid), json={"answers": {"x": 1}}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")

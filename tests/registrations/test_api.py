"""Registrations API: signing up (solo and team), reading, withdrawing, approval, and every
error code of the sign-up, with the permission matrix."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import assert_problem
from tests.registrations.conftest import audit_actions, registration_row


def url(tournament_id):
    return f"/api/tournaments/{tournament_id}/registrations/"


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


# ----- reading -------------------------------------------------------------------------------------
def test_organizers_list_everything_and_filter(
    client, tournament, make_player, registered, organizer, co_organizer, add_co_organizer, staff
):
    tid = tournament(max_participants=2, requires_approval=True)
    add_co_organizer(tid, co_organizer)
    pending = [registered(tid, make_player()) for _ in range(2)]
    waitlisted = registered(tid, make_player())
    for who in (organizer, co_organizer, staff):
        rows = client.get(url(tid), headers=who.headers).get_json()
        assert [r["id"] for r in rows] == [pending[0]["id"], pending[1]["id"], waitlisted["id"]]
        assert "answers" in rows[0] and "payment_status" in rows[0]
    only = client.get(url(tid), query_string={"status": "waitlisted"}, headers=organizer.headers)
    assert [r["id"] for r in only.get_json()] == [waitlisted["id"]]
    paid = client.get(
        url(tid), query_string={"payment_status": "verified"}, headers=organizer.headers
    )
    assert paid.get_json() == []
    assert "X-Pagination" in only.headers


def test_everyone_else_sees_confirmed_registrations_with_public_fields(
    client, tournament, make_player, registered, stranger
):
    tid = tournament(max_participants=2)
    confirmed = [registered(tid, make_player(), answers={}) for _ in range(2)]
    registered(tid, make_player())  # waitlisted: not public
    for headers in ({}, stranger.headers):
        rows = client.get(url(tid), query_string={"status": "waitlisted"}, headers=headers)
        assert rows.status_code == 200
        assert [r["id"] for r in rows.get_json()] == [c["id"] for c in confirmed]
        row = rows.get_json()[0]
        assert set(row) == {
            "id",
            "tournament_id",
            "status",
            "participant",
            "roster",
            "checked_in_at",
            "created_at",
        }


def test_a_private_tournaments_list_is_hidden_from_strangers_not_from_its_players(
    app, client, tournament, make_player, registered, stranger
):
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    tid = tournament(visibility="private")
    with app.app_context():
        code = db.session.get(Tournament, tid).invite_code
        db.session.remove()
    player = make_player()
    registered(tid, player, invite_code=code)
    assert_problem(client.get(url(tid), headers=stranger.headers), 404, "tournament_not_found")
    assert len(client.get(url(tid), headers=player.headers).get_json()) == 1


def test_a_private_tournaments_players_see_it_as_its_bracket_and_registrations_show_it(
    app, client, tournament, make_player, registered, stranger
):
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    tid = tournament(visibility="private")
    with app.app_context():
        code = db.session.get(Tournament, tid).invite_code
        db.session.remove()
    player = make_player()
    registered(tid, player, invite_code=code)
    detail = f"/api/tournaments/{tid}/"
    assert_problem(client.get(detail, headers=stranger.headers), 404, "tournament_not_found")
    response = client.get(detail, headers=player.headers)
    assert response.status_code == 200
    assert response.get_json()["id"] == tid
    assert response.get_json()["invite_code"] is None  # only organizers see the code


def test_my_registrations_lists_solo_and_roster_entries(
    client, tournament, make_player, registered, team_of
):
    team, captain, (mate,) = team_of(2)
    solo_tid = tournament(participant_type="solo")
    team_tid = tournament(participant_type="team", team_size=2)
    solo = registered(solo_tid, mate)
    roster = registered(team_tid, captain, team=team["id"], roster=[captain.id, mate.id])
    mine = client.get("/api/me/registrations/", headers=mate.headers).get_json()
    assert [r["id"] for r in mine] == [roster["id"], solo["id"]]
    # On the roster but not the registrant: no personal data.
    assert "answers" not in mine[0] and "answers" in mine[1]
    assert [
        r["id"] for r in client.get("/api/me/registrations/", headers=captain.headers).get_json()
    ] == [roster["id"]]
    filtered = client.get(
        "/api/me/registrations/", query_string={"status": "cancelled"}, headers=mate.headers
    )
    assert filtered.get_json() == []
    assert_problem(client.get("/api/me/registrations/"), 401)


def test_reading_one_registration_by_role(
    client, tournament, make_player, registered, organizer, stranger, staff
):
    tid = tournament(requires_approval=True)
    player = make_player()
    body = registered(tid, player)
    item = f"/api/registrations/{body['id']}/"
    for who in (player, organizer, staff):
        response = client.get(item, headers=who.headers)
        assert response.status_code == 200 and "answers" in response.get_json()
    # Pending: not public.
    assert_problem(client.get(item, headers=stranger.headers), 404, "registration_not_found")
    assert_problem(client.get(item), 404, "registration_not_found")
    client.post(f"/api/registrations/{body['id']}/approve/", headers=organizer.headers)
    public = client.get(item, headers=stranger.headers)
    assert public.status_code == 200 and "answers" not in public.get_json()
    assert_problem(client.get("/api/registrations/9999/"), 404, "registration_not_found")


def test_registration_etag_and_conditional_get(client, tournament, make_player, registered):
    player = make_player()
    body = registered(tournament(), player)
    first = client.get(f"/api/registrations/{body['id']}/", headers=player.headers)
    etag = first.headers["ETag"]
    assert etag == f'W/"{body["version"]}"'
    again = client.get(
        f"/api/registrations/{body['id']}/", headers={**player.headers, "If-None-Match": etag}
    )
    assert again.status_code == 304


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


def test_a_drafts_registrations_are_invisible(client, tournament, stranger, organizer):
    tid = tournament(status="draft")
    assert_problem(client.get(url(tid), headers=stranger.headers), 404, "tournament_not_found")
    assert client.get(url(tid), headers=organizer.headers).get_json() == []

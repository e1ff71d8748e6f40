"""Registrations API, reading: who sees which registrations of a tournament (organizers
everything with filters, everyone else the confirmed ones' public fields, private and draft
tournaments hidden from strangers), a player's own registrations, one registration by role,
and its ETag."""

from __future__ import annotations

import pytest

from tests.helpers import assert_problem
from tests.registrations.conftest import registrations_url as url


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


@pytest.fixture
def private_with_player(app, tournament, make_player, registered):
    """A private tournament and a player registered with its invite code."""
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    tid = tournament(visibility="private")
    with app.app_context():
        code = db.session.get(Tournament, tid).invite_code
        db.session.remove()
    player = make_player()
    registered(tid, player, invite_code=code)
    return tid, player


def test_a_private_tournaments_list_is_hidden_from_strangers_not_from_its_players(
    client, private_with_player, stranger
):
    tid, player = private_with_player
    assert_problem(client.get(url(tid), headers=stranger.headers), 404, "tournament_not_found")
    assert len(client.get(url(tid), headers=player.headers).get_json()) == 1


def test_a_private_tournaments_players_see_it_as_its_bracket_and_registrations_show_it(
    client, private_with_player, stranger
):
    tid, player = private_with_player
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


def test_a_drafts_registrations_are_invisible(client, tournament, stranger, organizer):
    tid = tournament(status="draft")
    assert_problem(client.get(url(tid), headers=stranger.headers), 404, "tournament_not_found")
    assert client.get(url(tid), headers=organizer.headers).get_json() == []

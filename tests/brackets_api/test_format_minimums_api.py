"""A format's minimum is checked where an organizer can still act on it: at create/update
(`min_participants`), at close-registration (409 naming the shortfall, registration stays
open), and registration reopens after closing until the bracket is drawn."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from deltacrown.core.time import isoformat, utcnow
from tests.brackets_api.conftest import register_players
from tests.factories import make_tournament, tournament_body
from tests.helpers import assert_problem
from tests.teams.conftest import headers_now  # noqa: F401  (fixture)


def url(tournament_id, action=""):
    return f"/api/tournaments/{tournament_id}/{action}"


def test_double_elimination_refuses_a_minimum_of_two_at_create(client, organizer):
    body = tournament_body(format="double_elimination", min_participants=2)
    problem = assert_problem(
        client.post("/api/tournaments/", json=body, headers=organizer.headers), 422
    )
    assert "double_elimination needs at least 3" in problem["errors"]["min_participants"][0]


def test_the_formats_minimum_is_the_default_minimum(client, organizer):
    body = tournament_body(format="double_elimination")
    created = client.post("/api/tournaments/", json=body, headers=organizer.headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["min_participants"] == 3


def test_changing_the_format_raises_the_minimum_or_refuses_one_too_low(app, client, organizer):
    tid = make_tournament(app, organizer.id)
    changed = client.patch(
        url(tid), json={"format": "double_elimination"}, headers=organizer.headers
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["min_participants"] == 3
    lowered = client.patch(url(tid), json={"min_participants": 2}, headers=organizer.headers)
    assert "min_participants" in assert_problem(lowered, 422, "validation_error")["errors"]
    both = client.patch(
        url(tid),
        json={"format": "group_stage_playoffs", "min_participants": 2},
        headers=organizer.headers,
    )
    assert_problem(both, 422, "validation_error")


def test_closing_with_too_few_is_refused_and_registration_stays_open(cup, client, organizer, api):
    c = cup(2, status="registration_open", format="double_elimination")
    refused = client.post(url(c.id, "close-registration/"), headers=organizer.headers)
    problem = assert_problem(refused, 409, "not_enough_participants")
    assert (problem["participants"], problem["needed"]) == (2, 3)
    assert "1 more must register" in problem["detail"]
    assert client.get(url(c.id)).get_json()["status"] == "registration_open"


def test_the_tournaments_own_minimum_counts_too(cup, client, organizer):
    c = cup(3, status="registration_open", min_participants=4)
    problem = assert_problem(
        client.post(url(c.id, "close-registration/"), headers=organizer.headers),
        409,
        "not_enough_participants",
    )
    assert (problem["participants"], problem["needed"]) == (3, 4)


def test_registration_reopens_after_closing_until_the_bracket_is_drawn(
    app, cup, client, organizer, make_player, api
):
    c = cup(3, format="double_elimination")
    assert client.get(url(c.id)).get_json()["status"] == "registration_closed"
    reopened = client.post(url(c.id, "open-registration/"), headers=organizer.headers)
    assert reopened.status_code == 200, reopened.get_json()
    assert reopened.get_json()["status"] == "registration_open"
    register_players(app, c.id, [make_player()])
    closed = client.post(url(c.id, "close-registration/"), headers=organizer.headers)
    assert closed.status_code == 200, closed.get_json()
    api.generated(c.id)
    assert_problem(
        client.post(url(c.id, "open-registration/"), headers=organizer.headers),
        409,
        "bracket_exists",
    )


def test_once_the_closing_time_has_passed_a_new_one_lets_registration_reopen(
    app,
    cup,
    client,
    organizer,
    headers_now,  # noqa: F811
):
    c = cup(3)
    tournament = client.get(url(c.id)).get_json()
    closes_at = tournament["registration_closes_at"]
    later = utcnow() + timedelta(days=5, hours=1)
    with time_machine.travel(later, tick=False):
        headers = headers_now(organizer)
        assert_problem(
            client.post(url(c.id, "open-registration/"), headers=headers),
            409,
            "registration_window_passed",
        )
        moved = client.patch(
            url(c.id),
            json={"registration_closes_at": isoformat(later + timedelta(hours=12))},
            headers=headers,
        )
        assert moved.status_code == 200, (closes_at, moved.get_json())
        reopened = client.post(url(c.id, "open-registration/"), headers=headers)
        assert reopened.status_code == 200, reopened.get_json()

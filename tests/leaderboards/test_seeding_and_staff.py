"""Seeding a bracket by rating, and the staff endpoints: seasons, the breakdown behind a
rank, a recompute; players are refused."""

from __future__ import annotations

from typing import Any

import pytest

from deltacrown.extensions import db
from deltacrown.leaderboards import ratings
from deltacrown.leaderboards.models import PlayerRating
from tests.helpers import assert_problem


def _rate(app: Any, game_id: int, ordinals: dict[int, float]) -> None:
    """Give players ratings whose ordinal is as given (sigma fixed)."""
    with app.app_context():
        for user_id, value in ordinals.items():
            sigma = 5.0
            db.session.add(
                PlayerRating(user_id=user_id, game_id=game_id, mu=value + 3 * sigma, sigma=sigma,
                             ordinal=ratings.ordinal(value + 3 * sigma, sigma), matches=3)
            )  # fmt: skip
        db.session.commit()


def test_seeding_by_rating_puts_the_best_two_in_opposite_halves_and_unrated_last(app, cup, api):
    c = cup(8, format="single_elimination")
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        game_id = db.session.get(Tournament, c.id).game_id
    players = [p.id for p in c.players]
    # players 5 and 2 are the best; 0 and 7 have no rating.
    _rate(app, game_id, {players[5]: 30, players[2]: 25, players[1]: 10, players[3]: 10,
                         players[4]: 5, players[6]: 1})  # fmt: skip
    document = api.generated(c.id, seeding="rating")
    stage = document["stages"][0]
    assert stage["seeding"] == "rating"
    regs = c.registrations
    expected = [regs[5], regs[2], regs[1], regs[3], regs[4], regs[6], regs[0], regs[7]]
    first_round = stage["rounds"][0]["matches"]
    seeds = {p["registration_id"]: p["seed"] for m in first_round for p in m["participants"] if p}
    assert sorted(seeds, key=seeds.get) == expected
    half = {
        p["registration_id"]: index < len(first_round) // 2
        for index, m in enumerate(first_round)
        for p in m["participants"]
        if p
    }
    assert half[regs[5]] != half[regs[2]]


def test_staff_manage_seasons_and_read_the_points_behind_a_rank(app, client, staff, stranger):
    body = {"game": "valorant", "name": "Season 1", "starts_at": "2031-01-01T00:00:00Z",
            "ends_at": "2031-04-01T00:00:00Z"}  # fmt: skip
    assert_problem(client.post("/api/admin/seasons/", json=body, headers=stranger.headers), 403)
    created = client.post("/api/admin/seasons/", json=body, headers=staff.headers)
    assert created.status_code == 201, created.get_json()
    season = created.get_json()
    overlapping = {**body, "name": "Season 1b", "starts_at": "2031-03-01T00:00:00Z",
                   "ends_at": "2031-06-01T00:00:00Z"}  # fmt: skip
    problem = assert_problem(
        client.post("/api/admin/seasons/", json=overlapping, headers=staff.headers),
        409,
        "season_overlap",
    )
    assert problem["seasons"] == [season["id"]]
    backwards = {**body, "starts_at": "2032-01-01T00:00:00Z", "ends_at": "2031-12-01T00:00:00Z"}
    assert_problem(client.post("/api/admin/seasons/", json=backwards, headers=staff.headers), 422)
    renamed = client.patch(
        f"/api/admin/seasons/{season['id']}/", json={"name": "Winter"}, headers=staff.headers
    )
    assert renamed.get_json()["name"] == "Winter"
    listed = client.get("/api/seasons/", query_string={"game": "valorant"}).get_json()
    assert [s["name"] for s in listed] == ["Winter"]

    breakdown = client.get(
        "/api/admin/leaderboards/breakdown/",
        query_string={"user": stranger.id, "game": "valorant", "season": season["id"]},
        headers=staff.headers,
    ).get_json()
    assert (breakdown["rank"], breakdown["rows"]) == (None, [])
    job = client.post(
        "/api/admin/leaderboards/recompute/", json={"game": "valorant"}, headers=staff.headers
    )
    assert job.status_code == 202, job.get_json()
    assert job.get_json()["job_id"]
    gone = client.delete(f"/api/admin/seasons/{season['id']}/", headers=staff.headers)
    assert gone.status_code == 204
    assert_problem(
        client.get(
            "/api/leaderboards/",
            query_string={"game": "valorant", "scope": "season", "season": season["id"]},
        ),
        404,
        "season_not_found",
    )


def test_odds_sum_to_one_favour_the_better_rated_and_repeat_with_a_seed(app, client, cup, api):
    c = cup(8, format="double_elimination")
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        game_id = db.session.get(Tournament, c.id).game_id
    players = [p.id for p in c.players]
    _rate(app, game_id, {players[3]: 15, players[6]: -5})  # mu 30 and 10; others 25
    api.generated(c.id)
    url = f"/api/tournaments/{c.id}/odds/"
    first = client.get(url, query_string={"seed": 7}).get_json()
    assert first["runs"] == 10_000
    chances = {p["registration_id"]: p["probability"] for p in first["participants"]}
    assert sum(chances.values()) == pytest.approx(1.0)
    assert first["participants"][0]["registration_id"] == c.registrations[3]
    assert chances[c.registrations[3]] > chances[c.registrations[0]] > chances[c.registrations[6]]
    again = client.get(url, query_string={"seed": 7}).get_json()
    assert again == first
    other = client.get(url, query_string={"seed": 8}).get_json()
    assert other["participants"] != first["participants"]


def test_the_win_matrix_is_openskills_predict_win():
    from deltacrown.leaderboards import odds

    strong, weak = ratings.MODEL.rating(mu=30, sigma=4), ratings.MODEL.rating(mu=22, sigma=7)
    flat = odds.win_matrix([(30.0, 16.0), (22.0, 49.0)])
    expected = ratings.MODEL.predict_win([[strong], [weak]])
    assert flat[1] == pytest.approx(expected[0])
    assert flat[2] == pytest.approx(expected[1])


def test_only_staff_rate_a_tournament_above_community(client, make_user, staff):
    from tests.factories import tournament_body

    organizer = make_user(username="tierorg")
    premier = tournament_body(name="Premier Cup", tier="premier")
    assert_problem(client.post("/api/tournaments/", json=premier, headers=organizer.headers), 403)
    plain = client.post("/api/tournaments/", json=tournament_body(), headers=organizer.headers)
    assert plain.get_json()["tier"] == "community"
    rated = client.post("/api/tournaments/", json=premier, headers=staff.headers)
    assert (rated.status_code, rated.get_json()["tier"]) == (201, "premier")

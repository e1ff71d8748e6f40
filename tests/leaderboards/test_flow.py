"""Tournaments completed through the API: points boards, ranks, history, ratings (as the
OpenSkill library computes them), predictions and the live event; a correction rewrites
the points and replays ratings as a from-scratch replay would."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.core import realtime
from deltacrown.extensions import db
from deltacrown.leaderboards import ratings
from deltacrown.leaderboards.models import PlayerRating, RatingChange
from tests.brackets_api.conftest import all_matches
from tests.leaderboards.conftest import set_tier


def _play(app: Any, cup: Any, api: Any, **fields: Any) -> tuple[Any, dict[str, Any]]:
    """A premier 4-player single elimination played through (the better seed wins)."""
    c = cup(4, format="single_elimination", **fields)
    set_tier(app, c.id, "premier")
    document = api.generated(c.id)
    assert api.start(c.id).status_code == 200
    api.play(c.id)
    return c, all_matches(document)


def _game_id(app: Any, tournament_id: int) -> int:
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        return db.session.get(Tournament, tournament_id).game_id


def test_a_completed_tournament_updates_boards_history_ratings_and_the_live_channel(
    app, client, cup, api
):
    c = cup(4, format="single_elimination")
    set_tier(app, c.id, "premier")
    game_id = _game_id(app, c.id)
    with app.app_context():
        seen = realtime.last_seq(f"leaderboards:{game_id}")
    document = api.generated(c.id)
    assert api.start(c.id).status_code == 200
    api.play(c.id)
    p = [player.id for player in c.players]  # seeds 1-4 in registration order

    board = client.get("/api/leaderboards/", query_string={"game": "valorant"}).get_json()
    assert [(i["rank"], i["id"], i["points"], i["wins"]) for i in board["items"]] == [
        (1, p[0], 1000.0, 2),
        (2, p[1], 750.0, 1),
        (3, p[2], 500.0, 0),
        (3, p[3], 500.0, 0),
    ]
    rank = client.get(
        "/api/leaderboards/rank/", query_string={"game": "valorant", "user": p[3], "around": 1}
    ).get_json()
    assert rank["entry"]["rank"] == 3
    assert [e["id"] for e in rank["around"]] == [p[2], p[3]]
    (row,) = client.get(f"/api/users/{p[0]}/leaderboard-history/").get_json()
    assert (row["placement"], row["points"], row["tier"], row["matches_played"]) == (
        1, 1000.0, "premier", 2,
    )  # fmt: skip

    # The library's own Plackett-Luce for the same games: both semi-final winners, then the final.
    model = ratings.MODEL
    (semi_winner,), _ = model.rate([[model.rating()], [model.rating()]], ranks=[1.0, 2.0])
    finalists = [[model.rating(mu=semi_winner.mu, sigma=semi_winner.sigma)] for _ in range(2)]
    (champion,), _ = model.rate(finalists, ranks=[1.0, 2.0])
    (mine,) = client.get(f"/api/users/{p[0]}/ratings/").get_json()
    assert (mine["matches"], len(mine["history"])) == (2, 2)
    assert mine["mu"] == pytest.approx(champion.mu)
    assert mine["sigma"] == pytest.approx(champion.sigma)
    by_rating = client.get(
        "/api/leaderboards/", query_string={"game": "valorant", "by": "rating"}
    ).get_json()
    assert by_rating["items"][0]["id"] == p[0]

    final = all_matches(document)["W2.1"]["id"]
    sides = client.get(f"/api/matches/{final}/prediction/").get_json()["sides"]
    assert sum(s["win_probability"] for s in sides) == pytest.approx(1.0)

    with app.app_context():
        events = realtime.history(f"leaderboards:{game_id}", seen) or []
    moved = {(c["id"], c["rank"]) for e in events if e["type"] == "leaderboard.updated"
             for c in e["data"]["changes"] if c["scope"] == "all_time" and c["kind"] == "player"}  # fmt: skip
    assert moved == {(p[0], 1), (p[1], 2), (p[2], 3), (p[3], 3)}


def test_a_correction_rewrites_points_and_replays_ratings_like_a_fresh_replay(
    app, client, cup, api
):
    c, matches = _play(app, cup, api)
    p = [player.id for player in c.players]
    final = matches["W2.1"]["id"]
    loser_registration = c.registrations[1]
    response = api.correction(final, loser_registration, scores=[[5, 13]])
    assert response.status_code == 200, response.get_json()

    board = client.get("/api/leaderboards/", query_string={"game": "valorant"}).get_json()
    assert [(i["id"], i["points"]) for i in board["items"][:2]] == [(p[1], 1000.0), (p[0], 750.0)]
    game_id = _game_id(app, c.id)
    with app.app_context():
        after_correction = _ratings(game_id)
        assert after_correction[p[1]][0] > after_correction[p[0]][0]
        ratings.replay(game_id)  # every event again, from the starting rating
        replayed = _ratings(game_id)
        db.session.rollback()
    assert replayed.keys() == after_correction.keys()
    for user_id, values in after_correction.items():
        assert replayed[user_id] == pytest.approx(values)


def _ratings(game_id: int) -> dict[int, tuple[float, float, int]]:
    rows = db.session.scalars(sa.select(PlayerRating).where(PlayerRating.game_id == game_id))
    return {r.user_id: (r.mu, r.sigma, r.matches) for r in rows}


def test_a_forfeit_changes_no_rating(app, cup, api, client):
    c = cup(2, format="single_elimination")
    document = api.generated(c.id)
    assert api.start(c.id).status_code == 200
    final = all_matches(document)["W1.1"]["id"]
    response = api.result(final, c.registrations[0], [], forfeit=True)
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RatingChange.id))) == 0
    board = client.get("/api/leaderboards/", query_string={"game": "valorant"}).get_json()
    assert [i["points"] for i in board["items"]] == [250.0, 187.5]  # community tier


def test_the_sweep_scores_a_completed_tournament_whose_reaction_was_lost(app, cup, api):
    from deltacrown.leaderboards import services
    from deltacrown.leaderboards.models import LeaderboardPoints

    c = cup(2, format="single_elimination")
    final = all_matches(api.generated(c.id))["W1.1"]["id"]
    assert api.start(c.id).status_code == 200
    assert api.result(final, c.registrations[0], [[13, 5]]).status_code == 200
    with app.app_context():
        db.session.execute(sa.delete(LeaderboardPoints))
        assert services.score_missed_tournaments() == 1
        assert services.score_missed_tournaments() == 0
        placements = db.session.execute(
            sa.select(LeaderboardPoints.subject_id, LeaderboardPoints.placement)
        ).all()
        db.session.rollback()
    assert sorted(placements, key=lambda r: r[1]) == [(c.players[0].id, 1), (c.players[1].id, 2)]

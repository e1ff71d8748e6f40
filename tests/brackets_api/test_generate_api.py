"""Generating, regenerating and reading a bracket through the API: who may, when, with which
seeding and options, and the shape of the document a client draws from."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.brackets_api.conftest import (
    add_co_organizer,
    all_matches,
    close_registration,
    register_players,
)
from tests.factories import make_tournament
from tests.helpers import assert_problem


# ----- who may generate --------------------------------------------------------------------------
def test_anonymous_cannot_generate(cup, api):
    c = cup(4)
    assert_problem(api.generate(c.id, headers={}), 401, "authentication_required")


def test_strangers_and_players_are_refused_and_organizers_staff_may_generate(
    app, cup, api, stranger, co_organizer, staff, organizer
):
    c = cup(4)
    assert_problem(api.generate(c.id, headers=stranger.headers), 403, "forbidden")
    assert_problem(api.generate(c.id, headers=c.players[0].headers), 403, "forbidden")
    add_co_organizer(app, c.id, organizer, co_organizer)
    for who in (co_organizer, staff, organizer):
        response = api.generate(c.id, headers=who.headers)
        assert response.status_code == 201, response.get_json()


def test_a_draft_is_invisible_to_strangers(app, api, organizer, stranger):
    tid = make_tournament(app, organizer.id)
    assert_problem(api.generate(tid, headers=stranger.headers), 404, "tournament_not_found")
    assert_problem(api.bracket(tid, headers=stranger.headers), 404, "tournament_not_found")
    assert_problem(api.bracket(tid, headers={}), 404, "tournament_not_found")
    assert api.bracket(tid).get_json() == {"tournament_id": tid, "stages": []}


def test_a_private_bracket_is_seen_with_the_code_or_by_its_players(app, cup, api, stranger):
    c = cup(4, visibility="private")
    api.generated(c.id)
    assert_problem(api.bracket(c.id, headers=stranger.headers), 404, "tournament_not_found")
    assert_problem(api.bracket(c.id, headers={}), 404, "tournament_not_found")
    assert_problem(api.matches(c.id, headers=stranger.headers), 404, "tournament_not_found")
    assert_problem(api.standings(c.id, headers=stranger.headers), 404, "tournament_not_found")
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        code = db.session.get(Tournament, c.id).invite_code
        db.session.remove()
    seen = api.bracket(c.id, headers=stranger.headers, invite_code=code)
    assert seen.status_code == 200 and len(seen.get_json()["stages"]) == 1
    player = api.bracket(c.id, headers=c.players[2].headers)
    assert player.status_code == 200 and len(player.get_json()["stages"]) == 1
    assert api.matches(c.id, headers=c.players[2].headers).status_code == 200


def test_anyone_reads_a_public_bracket(cup, api):
    c = cup(4)
    api.generated(c.id)
    response = api.bracket(c.id, headers={})
    assert response.status_code == 200
    assert response.headers["ETag"].startswith('W/"')
    again = api.bracket(c.id, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


# ----- when --------------------------------------------------------------------------------------
def test_generation_waits_for_registration_to_close(cup, api):
    c = cup(4, status="registration_open")
    body = assert_problem(api.generate(c.id), 409, "registration_not_closed")
    assert body["tournament_status"] == "registration_open"


def test_a_cancelled_tournament_gets_no_bracket(app, cup, api, organizer):
    c = cup(4)
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.tournaments import services

    with app.app_context():
        services.cancel_tournament(c.id, actor=db.session.get(User, organizer.id), reason="Rain")
        db.session.commit()
        db.session.remove()
    assert_problem(api.generate(c.id), 409, "tournament_locked")


def withdraw(app, registration_id):
    """The player leaves after registration closed (the places counted at closing are gone)."""
    from deltacrown.extensions import db
    from deltacrown.registrations.models import Registration, RegistrationStatus

    with app.app_context():
        db.session.get(Registration, registration_id).status = RegistrationStatus.CANCELLED
        db.session.commit()
        db.session.remove()


def test_one_participant_is_not_enough(app, cup, api):
    c = cup(2)
    withdraw(app, c.registrations[1])
    body = assert_problem(api.generate(c.id), 409, "not_enough_participants")
    assert body["participants"] == 1


def test_the_tournament_minimum_applies(app, cup, api):
    c = cup(4, min_participants=4)
    withdraw(app, c.registrations[3])
    assert_problem(api.generate(c.id), 409, "not_enough_participants")


def test_double_elimination_needs_three(app, cup, api):
    c = cup(3, format="double_elimination")
    withdraw(app, c.registrations[2])
    body = assert_problem(api.generate(c.id), 409, "not_enough_participants")
    assert body["participants"] == 2


def test_only_confirmed_and_checked_in_registrations_play(app, api, organizer, make_player):
    from datetime import timedelta

    from deltacrown.core.time import isoformat, utcnow

    now = utcnow().replace(microsecond=0)
    tid = make_tournament(
        app,
        organizer.id,
        status="registration_open",
        participant_type="solo",
        checkin_opens_at=isoformat(now + timedelta(days=6)),
        checkin_closes_at=isoformat(now + timedelta(days=6, hours=1)),
    )
    players = [make_player() for _ in range(5)]
    regs = register_players(app, tid, players)
    from deltacrown.extensions import db
    from deltacrown.registrations.models import Registration

    with app.app_context():
        for rid in regs[:3]:
            db.session.get(Registration, rid).checked_in_at = now
        db.session.commit()
        db.session.remove()
    close_registration(app, tid, organizer)
    stage = api.generated(tid)["stages"][0]
    seeded = {p["registration_id"] for m in all_matches({"stages": [stage]}).values()
              for p in m["participants"] if p["registration_id"]}  # fmt: skip
    assert seeded == set(regs[:3])


# ----- seeding -----------------------------------------------------------------------------------
def _first_round_seeds(stage):
    """(seed, seed) of each first-round winners' match, by registration id order."""
    rnd = stage["rounds"][0]
    return [tuple(p["seed"] for p in m["participants"]) for m in rnd["matches"]]


def test_registration_order_seeds_in_sign_up_order_and_places_them_standardly(cup, api):
    c = cup(8)
    stage = api.generated(c.id)["stages"][0]
    assert stage["seeding"] == "registration_order" and stage["rng_seed"] is None
    assert _first_round_seeds(stage) == [(1, 8), (4, 5), (2, 7), (3, 6)]
    first = stage["rounds"][0]["matches"][0]["participants"]
    assert [p["registration_id"] for p in first] == [c.registrations[0], c.registrations[7]]
    assert first[0]["name"] == c.players[0].username


def test_manual_seeding_takes_the_full_list(cup, api):
    c = cup(4)
    order = [c.registrations[i] for i in (2, 0, 3, 1)]
    stage = api.generated(c.id, seeding="manual", seeds=order)["stages"][0]
    first = stage["rounds"][0]["matches"]
    assert [p["registration_id"] for p in first[0]["participants"]] == [order[0], order[3]]
    assert [p["seed"] for p in first[0]["participants"]] == [1, 4]


@pytest.mark.parametrize(
    ("pick", "key"),
    [
        (lambda r: r[:3], "missing"),
        (lambda r: [*r, 999999], "unknown"),
        (lambda r: [*r[:3], r[0], r[3]], "repeated"),
    ],
)
def test_manual_seeds_must_be_exactly_the_participants(cup, api, pick, key):
    c = cup(4)
    body = assert_problem(
        api.generate(c.id, seeding="manual", seeds=pick(c.registrations)), 422, "invalid_seeds"
    )
    assert body[key]
    assert body["errors"]["seeds"]


def test_seeds_need_manual_seeding_and_manual_needs_seeds(cup, api):
    c = cup(4)
    body = assert_problem(api.generate(c.id, seeds=c.registrations), 422, "validation_error")
    assert "seeds" in body["errors"]
    body = assert_problem(api.generate(c.id, seeding="manual"), 422, "validation_error")
    assert "seeds" in body["errors"]
    body = assert_problem(api.generate(c.id, rng_seed=5), 422, "validation_error")
    assert "rng_seed" in body["errors"]


def test_random_seeding_records_its_seed_and_replays_it(app, cup, api):
    c = cup(16)
    stage = api.generated(c.id, seeding="random")["stages"][0]
    rng_seed = stage["rng_seed"]
    assert isinstance(rng_seed, int)
    from deltacrown.brackets.models import SeedingMethod, Stage
    from deltacrown.brackets.services import seed_participants
    from deltacrown.extensions import db

    with app.app_context():
        stored = db.session.scalars(sa.select(Stage).where(Stage.tournament_id == c.id)).one()
        seeds = list(stored.seeds)
        db.session.remove()
    assert seeds == seed_participants(c.registrations, SeedingMethod.RANDOM, rng_seed=rng_seed)
    assert seeds != c.registrations  # 16! orders: a shuffle that keeps them is a broken shuffle
    again = api.generated(c.id, seeding="random", rng_seed=rng_seed)["stages"][0]
    assert _first_round_seeds(again) == _first_round_seeds(stage)
    assert [m["participants"] for m in again["rounds"][0]["matches"]] == [
        m["participants"] for m in stage["rounds"][0]["matches"]
    ]


# ----- options -----------------------------------------------------------------------------------
def test_options_the_format_does_not_use_are_refused(cup, api):
    c = cup(4)
    body = assert_problem(
        api.generate(c.id, options={"grand_final": "single"}), 422, "invalid_bracket_options"
    )
    assert "options" in body["errors"]
    body = assert_problem(api.generate(c.id, options={"colour": "red"}), 422, "validation_error")
    assert "options" in body["errors"]


def test_best_of_is_odd_in_elimination_and_defaults_from_the_settings(cup, api):
    c = cup(4)
    assert_problem(api.generate(c.id, options={"best_of": 2}), 422, "validation_error")
    assert_problem(api.generate(c.id, options={"best_of": 17}), 422, "validation_error")
    stage = api.generated(c.id, options={"best_of": 3})["stages"][0]
    assert stage["best_of"] == 3
    assert {m["best_of"] for r in stage["rounds"] for m in r["matches"]} == {3}
    d = cup(4, settings={"best_of": 5})
    assert api.generated(d.id)["stages"][0]["best_of"] == 5


# ----- the document ------------------------------------------------------------------------------
def test_the_bracket_document_has_the_issue_shape(cup, api):
    c = cup(8)
    document = api.generated(c.id, options={"third_place_match": True})
    assert api.bracket(c.id).get_json() == document
    (stage,) = document["stages"]
    assert {"id", "type", "rounds"} <= set(stage)
    assert stage["type"] == "single_elimination"
    names = [(r["side"], r["number"], r["name"]) for r in stage["rounds"]]
    assert names == [
        ("winners", 1, "Quarter-finals"),
        ("winners", 2, "Semi-finals"),
        ("winners", 3, "Final"),
        ("third_place", 1, "Third place"),
    ]
    match = stage["rounds"][0]["matches"][0]
    assert {
        "id",
        "number",
        "status",
        "best_of",
        "participants",
        "next_match_winner_id",
        "next_match_loser_id",
    } <= set(match)
    assert set(match["participants"][0]) == {"registration_id", "name", "seed", "score", "result"}
    assert match["status"] == "ready"
    by_code = all_matches(document)
    ids = {code: m["id"] for code, m in by_code.items()}
    assert by_code["W1.1"]["next_match_winner_id"] == ids["W2.1"]
    assert by_code["W1.4"]["next_match_winner_id"] == ids["W2.2"]
    assert by_code["W2.1"]["next_match_loser_id"] == ids["TP1.1"]
    assert by_code["W3.1"]["next_match_winner_id"] is None
    assert by_code["W2.1"]["status"] == "scheduled"
    assert [p["registration_id"] for p in by_code["W2.1"]["participants"]] == [None, None]


def test_six_players_give_byes_to_seeds_one_and_two(cup, api):
    c = cup(6)
    stage = api.generated(c.id)["stages"][0]
    first = [p["seed"] for m in stage["rounds"][0]["matches"] for p in m["participants"]]
    assert sorted(first) == [3, 4, 5, 6]
    semis = stage["rounds"][1]["matches"]
    waiting = [p["seed"] for m in semis for p in m["participants"] if p["registration_id"]]
    assert sorted(waiting) == [1, 2]


def test_double_elimination_has_winners_losers_and_grand_final_sides(cup, api):
    c = cup(8, format="double_elimination")
    stage = api.generated(c.id)["stages"][0]
    sides = [(r["side"], r["name"]) for r in stage["rounds"]]
    assert sides[:3] == [
        ("winners", "Winners quarter-finals"),
        ("winners", "Winners semi-finals"),
        ("winners", "Winners final"),
    ]
    assert [s for s, _ in sides[3:7]] == ["losers"] * 4
    assert sides[7:] == [("grand_final", "Grand final"), ("grand_final", "Grand final reset")]
    by_code = all_matches({"stages": [stage]})
    ids = {code: m["id"] for code, m in by_code.items()}
    assert by_code["W1.1"]["next_match_loser_id"] == ids["L1.1"]
    assert by_code["W2.1"]["next_match_loser_id"] == ids["L2.2"]  # drops alternate
    assert by_code["W2.2"]["next_match_loser_id"] == ids["L2.1"]
    single = cup(4, format="double_elimination")
    stage = api.generated(single.id, options={"grand_final": "single"})["stages"][0]
    assert [r["name"] for r in stage["rounds"]][-1] == "Grand final"


# ----- regeneration ------------------------------------------------------------------------------
def test_generating_again_replaces_the_bracket_until_a_match_starts(app, cup, api):
    c = cup(4, auto_start_matches=False)  # started matches lock the bracket
    first = all_matches(api.generated(c.id))
    assert first["W1.1"]["participants"][0]["registration_id"] == c.registrations[0]
    new = all_matches(api.generated(c.id, seeding="manual", seeds=c.registrations[::-1]))
    assert new["W1.1"]["participants"][0]["registration_id"] == c.registrations[-1]
    from deltacrown.brackets.models import Stage
    from deltacrown.extensions import db
    from deltacrown.matches.models import Match

    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Stage.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(Match.id))) == 3
        db.session.remove()
    assert api.start(c.id).status_code == 200
    # Ongoing but unplayed (matches that wait to be started): still allowed.
    match = all_matches(api.generated(c.id))["W1.1"]
    winner = match["participants"][0]["registration_id"]
    assert winner == c.registrations[0]
    assert api.result(match["id"], winner, [[1, 0]]).status_code == 200
    body = assert_problem(api.generate(c.id), 409, "bracket_locked")
    assert body["started"] == [match["id"]]
    assert all_matches(api.bracket(c.id).get_json())["W1.1"]["status"] == "completed"
    from deltacrown.core.audit import AuditEntry

    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.target_type == "tournaments", AuditEntry.target_id == c.id)
            .order_by(AuditEntry.id)
        ).all()
        db.session.remove()
    assert [a for a in actions if a.startswith("bracket.")] == [
        "bracket.generated",
        "bracket.regenerated",
        "bracket.regenerated",
    ]


def test_a_live_match_locks_the_bracket(app, cup, api):
    c = cup(4)
    document = api.generated(c.id)
    match_id = all_matches(document)["W1.2"]["id"]
    from deltacrown.extensions import db
    from deltacrown.matches.models import Match, MatchStatus

    with app.app_context():
        db.session.get(Match, match_id).status = MatchStatus.LIVE
        db.session.commit()
        db.session.remove()
    body = assert_problem(api.generate(c.id), 409, "bracket_locked")
    assert body["started"] == [match_id]

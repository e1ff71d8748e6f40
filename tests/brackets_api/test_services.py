"""Service-level rules: results applied from the few rows they touch leave exactly the stage the
engine alone computes, seeding helpers, regeneration, the system actor, audit and signals."""

from __future__ import annotations

import random
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.brackets import engine, services, store
from deltacrown.brackets.errors import (
    BracketMissingError,
    InvalidSeedsError,
    MatchNotFoundError,
)
from deltacrown.brackets.models import SeedingMethod, Stage
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus
from tests.factories import build_tournament

pytestmark = pytest.mark.usefixtures("app_ctx")


def _user(info: Any) -> Any:
    from deltacrown.accounts.models import User

    return db.session.get(User, info.id)


def _cup(organizer: Any, make_player: Any, n: int, fmt: str = "single_elimination") -> Any:
    """A closed solo cup of n registered players (inside the test's context)."""
    from deltacrown.registrations import services as registrations
    from deltacrown.tournaments import services as tournaments

    players = [make_player() for _ in range(n)]  # before loading anything: it ends sessions
    tournament = build_tournament(
        organizer.id,
        status="registration_open",
        participant_type="solo",
        format=fmt,
        max_participants=max(n, 4),
    )
    for player in players:
        registrations.register(tournament.id, actor=_user(player))
    tournaments.close_registration(tournament.id, actor=_user(organizer))
    return tournament


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user(username="owner")


# ----- partial loads are exact ---------------------------------------------------------------
CASES = [
    ("single_elimination", 2, {}),
    ("single_elimination", 7, {"third_place_match": True}),
    ("single_elimination", 13, {}),
    ("double_elimination", 3, {}),
    ("double_elimination", 6, {"grand_final": "single"}),
    ("double_elimination", 11, {}),
    ("double_elimination", 9, {"grand_final": "none"}),
    ("round_robin", 7, {"group_size": 4}),
    ("swiss", 8, {}),
    ("swiss", 9, {"swiss_wins_to_advance": 2}),
]


@pytest.mark.parametrize(("fmt", "n", "options"), CASES)
@pytest.mark.parametrize("draw", [1, 2])
def test_results_through_the_rows_match_the_engine_alone(
    owner, make_player, monkeypatch, fmt, n, options, draw
):
    """Random winners: after every result, the stage rebuilt from the rows is the one the
    engine reaches by itself (so loading only the touched rows loses nothing)."""
    tournament = _cup(owner, make_player, n, fmt)
    partial_loads = []
    real_partial = store.load_partial

    def spy(row: Any, match_id: int) -> Any:
        partial_loads.append(match_id)
        return real_partial(row, match_id)

    monkeypatch.setattr(store, "load_partial", spy)
    actor = _user(owner)
    (row,) = services.generate_bracket(tournament.id, actor=actor, options=options)
    services.start_tournament(tournament.id, actor=actor)
    api_options, _ = services.engine_options(options)
    alone = engine.generate(fmt, list(row.seeds), api_options)
    rng = random.Random(draw * 1000 + n)  # noqa: S311  (reproducible test data)
    results = 0
    while True:
        ready = [m for m in alone.matches.values() if m.status is engine.MatchStatus.READY]
        if not ready:
            break
        match = ready[0]
        winner = rng.choice(match.participants)
        scores = [[1, 0]] if winner == match.participants[0] else [[0, 1]]
        expected = engine.apply_result(alone, match.id, winner, scores)
        while expected.round_completed is not None and alone.more_rounds:
            paired = engine.next_round(alone)  # the service pairs Swiss rounds by itself
            expected.placements = paired.placements
            if paired.round_completed is None:
                break
        match_row = db.session.scalars(
            sa.select(Match).where(Match.stage_id == row.id, Match.engine_id == match.id)
        ).one()
        services.apply_result(match_row.id, winner=winner, games=scores, now=utcnow())
        results += 1
        stage_row = db.session.get(Stage, row.id)
        assert store.load_full(stage_row).stage.to_dict() == alone.to_dict()
        assert stage_row.open_count == alone.open_count
        if expected.placements is not None:
            assert stage_row.placements == store.placements_json(expected.placements)
    assert alone.is_complete and results > 0
    # All but the results that may end the stage, or a Swiss round (two open matches or
    # fewer), load only the matches they touch.
    endings = len(alone.rounds) if fmt == "swiss" else 1
    assert len(partial_loads) >= results - 2 * endings - 1
    assert tournament.status.value == "completed"


# ----- seeding -------------------------------------------------------------------------------
def test_random_seeding_is_a_function_of_the_rng_seed():
    people = list(range(100, 132))
    one = services.seed_participants(people, SeedingMethod.RANDOM, rng_seed=42)
    assert one == services.seed_participants(people, SeedingMethod.RANDOM, rng_seed=42)
    assert one != services.seed_participants(people, SeedingMethod.RANDOM, rng_seed=43)
    assert sorted(one) == people


def test_manual_seeding_names_what_is_wrong():
    with pytest.raises(InvalidSeedsError) as info:
        services.seed_participants([1, 2, 3], SeedingMethod.MANUAL, seeds=[3, 3, 9])
    assert info.value.extra == {"missing": [1, 2], "unknown": [9], "repeated": [3]}


def test_regenerating_keeps_the_method_with_a_fresh_draw(owner, make_player):
    tournament = _cup(owner, make_player, 16)
    actor = _user(owner)
    with pytest.raises(BracketMissingError):
        services.regenerate_bracket(tournament.id, actor=actor)
    (first,) = services.generate_bracket(
        tournament.id, actor=actor, seeding="random", options={"best_of": 3}
    )
    seeds, rng_seed = list(first.seeds), first.rng_seed
    (second,) = services.regenerate_bracket(tournament.id, actor=actor)
    assert second.seeding is SeedingMethod.RANDOM and second.best_of == 3
    assert second.rng_seed != rng_seed and list(second.seeds) != seeds
    manual = list(reversed(seeds))
    services.generate_bracket(tournament.id, actor=actor, seeding="manual", seeds=manual)
    (third,) = services.regenerate_bracket(tournament.id, actor=actor)
    assert list(third.seeds) == manual
    assert db.session.scalar(sa.select(sa.func.count(Stage.id))) == 1


# ----- the system call ---------------------------------------------------------------------------
def test_apply_result_takes_no_actor_and_writes_no_audit_entry(owner, make_player):
    """The bracket's one way in for a result; the organizer's entry (matches) is audited."""
    from deltacrown.core.audit import AuditEntry
    from deltacrown.matches import services as match_services

    tournament = _cup(owner, make_player, 4)
    actor = _user(owner)
    services.generate_bracket(tournament.id, actor=actor)
    services.start_tournament(tournament.id, actor=actor)
    match = db.session.scalars(sa.select(Match).where(Match.engine_id == "W1.1")).one()
    winner = match.participant1_registration_id
    outcome = services.apply_result(match.id, winner=winner, games=[], now=utcnow())
    assert outcome.match is match and not outcome.tournament_completed
    assert match.status is MatchStatus.COMPLETED and match.winner_registration_id == winner
    other = db.session.scalars(sa.select(Match).where(Match.engine_id == "W1.2")).one()
    match_services.enter_result(
        other.id, winner=other.participant2_registration_id, games=[], actor=actor, expect="open"
    )
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.target_type == "matches")
    ).all()
    assert actions == ["match.result_recorded"]
    with pytest.raises(MatchNotFoundError):
        services.apply_result(999999, winner=1, games=[], now=utcnow())

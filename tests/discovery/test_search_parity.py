"""Search parity: the same cases give the same result sets on SQLite (FTS5) and PostgreSQL
(tsvector). Every case names its expected set, so this file passes unchanged in both modes;
in server mode the PostgreSQL-only test also seeds a fresh SQLite database, runs every case
there too, and compares the two engines' result sets directly."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from deltacrown.app import MIGRATIONS_DIR, create_app
from deltacrown.extensions import db
from deltacrown.tournaments.discovery import TournamentSearchArgs, search_tournaments
from tests.factories import build_tournament

# name, game, status, extra body
SEED: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "Valorant Spring Cup",
        "valorant",
        "registration_open",
        {"description": "Five on five in Dhaka."},
    ),
    (
        "CS2 Open: Winter",
        "cs2",
        "published",
        {"description": "Bring your own mouse; see deltacrown.dev/rules"},
    ),
    (
        "Dhaka Derby ঢাকা ডার্বি",
        "efootball",
        "published",
        {"description": "eFootball night at the café", "participant_type": "solo"},
    ),
    (
        "Free-Fire Frenzy 2026",
        "free-fire",
        "registration_open",
        {"description": "Squads of four, 100% fun", "format": "battle_royale"},
    ),
    (
        "Mobile Masters",
        "mlbb",
        "registration_closed",
        {"description": "A valorant-free zone (MLBB only)"},
    ),
    (
        "Coin Clash",
        "dota2",
        "published",
        {"description": "Winner_takes 500 coins", "entry_fee": {"coins": 5}},
    ),
    ("Valorant Hidden Draft", "valorant", "draft", {}),
    ("Valorant Private Night", "valorant", "published", {"visibility": "private"}),
]
LISTED = {
    "Valorant Spring Cup",
    "CS2 Open: Winter",
    "Dhaka Derby ঢাকা ডার্বি",
    "Free-Fire Frenzy 2026",
    "Mobile Masters",
    "Coin Clash",
}

CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("valo", {}, {"Valorant Spring Cup", "Mobile Masters"}),
    ("VALORANT", {}, {"Valorant Spring Cup", "Mobile Masters"}),
    ("CS2 Open:", {}, {"CS2 Open: Winter"}),
    ("counter strike", {}, {"CS2 Open: Winter"}),
    ("counter-strike 2", {}, {"CS2 Open: Winter"}),
    ("deltacrown", {}, {"CS2 Open: Winter"}),
    ("deltacrown.dev/rules", {}, {"CS2 Open: Winter"}),
    ("dhaka", {}, {"Valorant Spring Cup", "Dhaka Derby ঢাকা ডার্বি"}),
    ("ঢাকা", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("ডার", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("café", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("cafe", {}, {"Dhaka Derby ঢাকা ডার্বি"}),  # no accent folding, but one letter off
    ("2026", {}, {"Free-Fire Frenzy 2026"}),
    ("2", {}, {"CS2 Open: Winter", "Coin Clash", "Free-Fire Frenzy 2026"}),
    ("dota 2", {}, {"Coin Clash"}),
    ("free fire", {}, {"Free-Fire Frenzy 2026"}),
    ("free", {}, {"Free-Fire Frenzy 2026", "Mobile Masters"}),
    ("100%", {}, {"Free-Fire Frenzy 2026"}),
    ("legends bang", {}, {"Mobile Masters"}),
    ("winner takes", {}, {"Coin Clash"}),
    ("winner_takes", {}, {"Coin Clash"}),
    ("five on five", {}, {"Valorant Spring Cup"}),
    ("valorant AND dhaka", {}, {"Valorant Spring Cup"}),
    ("NOT valorant", {}, {"Valorant Spring Cup", "Mobile Masters"}),
    ("mouse OR coins", {}, set()),
    ('"spring cup"', {}, {"Valorant Spring Cup"}),
    ("spring*", {}, {"Valorant Spring Cup"}),
    ("AND", {}, LISTED),
    ('"', {}, LISTED),
    ("*", {}, LISTED),
    ("", {}, LISTED),
    ("x" * 65, {}, set()),
    # Inside words, from 3 characters (trigrams), in any field; shorter words match as words.
    ("football", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("FOOTBALL night", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("rant", {}, {"Valorant Spring Cup", "Mobile Masters"}),
    ("pring cup", {}, {"Valorant Spring Cup"}),
    ("inter", {}, {"CS2 Open: Winter"}),
    ("renz", {}, {"Free-Fire Frenzy 2026"}),
    ("ার্ব", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("ak", {}, set()),  # 2 characters: a word prefix only, and no word starts with "ak"
    ("ootbal ight", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    # Small typos, from 4 characters (pg_trgm word_similarity >= 0.6 on both engines).
    ("fotball", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("footbal", {}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("valornt", {}, {"Valorant Spring Cup", "Mobile Masters"}),
    ("VALORANTT", {}, {"Valorant Spring Cup", "Mobile Masters"}),
    ("valornt dhaka", {}, {"Valorant Spring Cup"}),
    ("frenzi", {}, {"Free-Fire Frenzy 2026"}),
    ("wintr open", {}, {"CS2 Open: Winter"}),
    ("valley", {}, set()),  # shares "val" only: too different
    ("dhoka", {}, set()),  # one letter in five changed leaves too few trigrams
    ("cpu", {}, set()),  # under 4 characters: no typos
    ("valornt mouse", {}, set()),  # every word must still match
    ("hidden", {}, set()),  # a draft
    ("private", {}, set()),  # a private tournament
    ("cup", {"game": "valorant"}, {"Valorant Spring Cup"}),
    ("dhaka", {"participant_type": "solo"}, {"Dhaka Derby ঢাকা ডার্বি"}),
    ("c", {"free": "false"}, {"Coin Clash"}),
    ("valorant", {"status": ["registration_closed"]}, {"Mobile Masters"}),
    (
        "f",
        {"has_slots": "true", "entry_coins_max": 0},
        {"Free-Fire Frenzy 2026", "Valorant Spring Cup", "Mobile Masters"},
    ),
]


def seed(owner_id: int) -> None:
    for name, game, status, extra in SEED:
        build_tournament(owner_id, status=status, name=name, game=game, **extra)
    db.session.flush()


def run_cases() -> list[set[str]]:
    results = []
    for q, filters, _expected in CASES:
        args = TournamentSearchArgs().load({"q": q, **filters})
        results.append({t.name for t in db.session.scalars(search_tournaments(None, args))})
    return results


def test_search_cases_give_the_expected_sets(app_ctx, user):
    seed(user.id)
    for (q, filters, expected), got in zip(CASES, run_cases(), strict=True):
        assert got == expected, (q, filters)


def _sqlite_results(tmp_path: Any) -> list[set[str]]:
    """Every case on a fresh SQLite database built by the migrations."""
    from flask_migrate import upgrade

    from tests.helpers import create_user

    other: Flask = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 's.db'}")
    with other.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    owner = create_user(other, username="parity")
    with other.app_context():
        seed(owner.id)
        results = run_cases()
        db.session.remove()
        db.engine.dispose()
    return results


@pytest.mark.postgres
def test_postgres_and_sqlite_return_the_same_sets(app, is_postgres, user, tmp_path):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    with app.app_context():
        assert db.session.get_bind().dialect.name == "postgresql"
        seed(user.id)
        postgres = run_cases()
        db.session.rollback()
        db.session.remove()
    sqlite = _sqlite_results(tmp_path)
    for (q, filters, _), pg_set, lite_set in zip(CASES, postgres, sqlite, strict=True):
        assert pg_set == lite_set, (q, filters, pg_set, lite_set)

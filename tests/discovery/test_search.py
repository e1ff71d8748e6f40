"""Search: the tokenizer (pure), the search endpoint on the suite's database, and the parity
cases both engines must answer alike (on SQLite always, on PostgreSQL in server mode; with
PostgreSQL the parity test also runs the same cases on a fresh SQLite database and compares)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from deltacrown.tournaments.search import (
    MAX_WORDS,
    PostgresSearch,
    SqliteSearch,
    include_object,
    tokenize,
)
from tests.discovery.conftest import names
from tests.helpers import assert_problem

SEARCH = "/api/tournaments/search/"


def search(client, q=None, user=None, **params):
    if q is not None:
        params["q"] = q
    return client.get(SEARCH, query_string=params, headers=user.headers if user else {})


# ----- the tokenizer -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("CS2 Open:", ["cs2", "open"]),
        ("AND", []),
        ('"', []),
        ("*", []),
        ("", []),
        (None, []),
        ("valo", ["valo"]),
        ("Valorant AND cup OR NOT near NEAR(x y)", ["valorant", "cup", "near", "x", "y"]),
        ('"spring cup"*', ["spring", "cup"]),
        (
            "name:cup ^first -second +third (a|b)",
            ["name", "cup", "first", "second", "third", "a", "b"],
        ),
        (
            "snake_case dotted.word counter-strike",
            ["snake", "case", "dotted", "word", "counter", "strike"],
        ),
        ("'; DROP TABLE tournaments; --", ["drop", "table", "tournaments"]),
        ("Dhaka ঢাকা Café", ["dhaka", "ঢাকা", "café"]),
        ("\u09be \u0301 cup", ["cup"]),
    ],
)
def test_tokenize_keeps_words_only(q, words):
    assert tokenize(q) == words


def test_tokenize_keeps_the_first_words_and_caps_their_length():
    assert tokenize(" ".join(f"w{n}" for n in range(30))) == [f"w{n}" for n in range(MAX_WORDS)]
    assert tokenize("x" * 500) == ["x" * 64]


def test_engine_queries_quote_every_word_and_prefix_the_last():
    assert SqliteSearch.match_text(["cs2", "open"]) == '"cs2" "open"*'
    assert PostgresSearch.tsquery_text(["cs2", "open"]) == "cs2 & open:*"
    assert PostgresSearch.tsquery_text(["valo"]) == "valo:*"


def test_autogenerate_ignores_only_the_search_objects():
    table = sa.Table("tournaments", sa.MetaData(), sa.Column("search_vector", sa.Text))
    assert not include_object(None, "tournament_search", "table", True, None)
    assert not include_object(None, "tournament_search_idx", "table", True, None)
    assert not include_object(None, "ix_tournaments_search_vector", "index", True, None)
    assert not include_object(table.c.search_vector, "search_vector", "column", True, None)
    assert include_object(None, "tournaments", "table", True, None)
    assert include_object(table.c.search_vector, "name", "column", True, None)


# ----- the endpoint --------------------------------------------------------------------------
@pytest.fixture
def cups(tourney):
    ids = {
        "valorant": tourney("Valorant Spring Cup", description="Five on five in Dhaka."),
        "cs2": tourney("CS2 Open: Winter", game="cs2", description="Bring your own mouse"),
        "mobile": tourney("Mobile Masters", game="mlbb", description="A valorant-free zone"),
        "draft": tourney("Valorant Draft", status="draft"),
        "private": tourney("Valorant Private", visibility="private"),
    }
    return ids


def test_last_word_matches_as_a_prefix(client, cups):
    assert names(search(client, "valo")) != []
    assert "Valorant Spring Cup" in names(search(client, "valo"))
    assert names(search(client, "spring cu")) == ["Valorant Spring Cup"]
    # A word of 3+ characters also matches inside a word; a shorter one only as a word (or,
    # the last one, a word's prefix).
    assert names(search(client, "spr cup")) == ["Valorant Spring Cup"]
    assert names(search(client, "sp cup")) == []


def test_every_word_must_match_in_some_field(client, cups):
    assert names(search(client, "valorant dhaka")) == ["Valorant Spring Cup"]
    assert names(search(client, "counter strike mouse")) == ["CS2 Open: Winter"]
    assert names(search(client, "valorant mouse")) == []


def test_game_names_are_searched(client, cups):
    assert names(search(client, "legends")) == ["Mobile Masters"]
    assert names(search(client, "counter-strike")) == ["CS2 Open: Winter"]


def test_name_and_game_rank_above_description(client, cups):
    # "valorant" is the game and the name of one, and only the description of the other.
    assert names(search(client, "valorant")) == ["Valorant Spring Cup", "Mobile Masters"]


def test_a_word_is_found_inside_other_words(client, tourney):
    tourney("Friday Night eFootball", game="efootball")
    tourney("Valorant Weekly", description="Bring a friend")
    assert names(search(client, "football")) == ["Friday Night eFootball"]
    assert names(search(client, "riend")) == ["Valorant Weekly"]


def test_exact_word_matches_rank_before_matches_inside_words(client, tourney):
    tourney("Football Legends League", game="efootball", start_in_days=9)
    tourney("eFootball Nights", game="efootball", start_in_days=3)
    tourney("Street Football Cup", game="efootball", start_in_days=5)
    # Two hold "football" as a word; the third only inside "eFootball" (sooner, still last).
    found = names(search(client, "football"))
    assert set(found[:2]) == {"Football Legends League", "Street Football Cup"}
    assert found[2:] == ["eFootball Nights"]


def test_a_small_typo_still_finds_the_tournament(client, tourney):
    tourney("Valorant Cup", description="Five on five")
    tourney("eFootball League", game="efootball")
    assert names(search(client, "valornt")) == ["Valorant Cup"]
    assert names(search(client, "footbal")) == ["eFootball League"]
    assert names(search(client, "valornt five")) == ["Valorant Cup"]


def test_a_word_too_different_finds_nothing(client, tourney):
    tourney("Valorant Cup")
    tourney("eFootball League", game="efootball")
    assert names(search(client, "valley")) == []
    assert names(search(client, "fetball")) == []
    assert names(search(client, "cap")) == []  # under 4 characters: no typos


def test_words_rank_before_inside_words_before_typos(client, tourney):
    tourney("Typo Cup", description="The footbal night", start_in_days=1)
    tourney("Inside Cup", description="An efootball night", start_in_days=2)
    tourney("Word Cup", description="A football night", start_in_days=3)
    # Sooner tournaments would come first on equal relevance: each tier outranks the next.
    assert names(search(client, "football")) == ["Word Cup", "Inside Cup", "Typo Cup"]


def test_closer_typos_rank_first(client, tourney):
    tourney("Sprint Masters", game="cs2", start_in_days=1)
    tourney("Spring Masters", game="cs2", start_in_days=2)
    assert names(search(client, "springg")) == ["Spring Masters", "Sprint Masters"]


def test_ordering_overrides_relevance(client, cups):
    assert names(search(client, "valorant", ordering="name")) == [
        "Mobile Masters",
        "Valorant Spring Cup",
    ]


@pytest.mark.parametrize(
    "q",
    [
        "CS2 Open:",
        "AND",
        '"',
        "*",
        "",
        "OR",
        "NOT valorant",
        "NEAR(",
        "(",
        ")",
        "^",
        "cup*",
        '"unterminated',
        "name:cup",
        "a:*",
        "!!!",
        "' OR 1=1 --",
        "\\",
        "%",
        "_",
        "ঢাকা",
        "🎮 cup",
        "x" * 200,
    ],
)
def test_hostile_queries_are_answered(client, cups, q):
    response = search(client, q)
    assert response.status_code == 200, response.get_json()


def test_a_query_with_no_words_lists_the_filtered_tournaments(client, cups):
    everything = sorted(["Valorant Spring Cup", "CS2 Open: Winter", "Mobile Masters"])
    for q in ("", '"', "*", "AND", "OR NOT"):
        assert sorted(names(search(client, q))) == everything, q
    assert names(search(client, "*", game="cs2")) == ["CS2 Open: Winter"]
    assert names(search(client)) == names(client.get("/api/tournaments/"))


def test_too_long_a_query_is_422(client):
    body = assert_problem(search(client, "x" * 201), 422, "validation_error")
    assert "q" in body["errors"]


def test_search_combines_with_every_filter(client, cups, owner, tourney):
    tourney("CS2 Coin Night", game="cs2", entry_fee={"coins": 5}, status="registration_open")
    assert sorted(names(search(client, "cs2"))) == ["CS2 Coin Night", "CS2 Open: Winter"]
    assert names(search(client, "cs2", free="true")) == ["CS2 Open: Winter"]
    assert names(search(client, "cs2", status="registration_open")) == ["CS2 Coin Night"]
    assert names(search(client, "cs2", entry_coins_max=5, free="false")) == ["CS2 Coin Night"]
    assert names(search(client, "valorant", game="mlbb")) == ["Mobile Masters"]
    narrowed = search(
        client, "cs2", organizer=owner.id, has_slots="true", format="single_elimination"
    )
    assert sorted(names(narrowed)) == ["CS2 Coin Night", "CS2 Open: Winter"]
    assert names(search(client, "cs2", start_from="2999-01-01T00:00:00Z")) == []
    assert sorted(names(search(client, "valorant", owner, mine="true"))) == [
        "Mobile Masters",
        "Valorant Draft",
        "Valorant Private",
        "Valorant Spring Cup",
    ]
    assert_problem(search(client, "valorant", mine="true"), 401, "authentication_required")
    assert_problem(search(client, "x", ordering="relevance"), 422, "validation_error")


def test_renaming_a_game_updates_the_results(app, client, cups):
    from deltacrown.extensions import db
    from deltacrown.games.models import Game

    assert names(search(client, "zeta")) == []
    with app.app_context():
        game = db.session.scalar(sa.select(Game).where(Game.slug == "mlbb"))
        game.name = "Zeta Arena"
        db.session.commit()
    assert names(search(client, "zeta")) == ["Mobile Masters"]
    assert names(search(client, "legends")) == []


def test_editing_a_tournament_updates_the_results(app, client, cups, owner):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.tournaments import services

    with app.app_context():
        services.update_tournament(
            cups["mobile"],
            actor=db.session.get(User, owner.id),
            changes={"name": "Island Brawl", "description": "Sand and sun"},
        )
        db.session.commit()
    assert names(search(client, "island sand")) == ["Island Brawl"]
    assert names(search(client, "masters")) == []
    assert names(search(client, "valorant")) == ["Valorant Spring Cup"]

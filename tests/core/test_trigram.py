"""`core.trigram.word_similarity` is pg_trgm's: the documented values, SQLite's registered
function, and (on PostgreSQL) the server's own answers for many generated pairs."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from deltacrown.core.trigram import trigrams, word_similarity
from deltacrown.extensions import db


def test_words_are_padded_and_cut_into_trigrams():
    assert trigrams("Cup") == ["  c", " cu", "cup", "up "]
    assert trigrams("a-b") == ["  a", " a ", "  b", " b "]
    assert trigrams("") == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("word", "two words", 0.8),  # the PostgreSQL documentation's example
        ("valornt", "valorant cup", 0.625),
        ("footbal", "efootball league", 0.625),
        ("cafe", "café", 0.6),
        ("valley", "valorant", 3 / 7),
        ("cup", "", 0.0),
        ("", "cup", 0.0),
    ],
)
def test_word_similarity_matches_pg_trgm(a, b, expected):
    assert word_similarity(a, b) == pytest.approx(expected, rel=1e-6)


def test_word_similarity_of_null_is_null():
    assert word_similarity(None, "cup") is None
    assert word_similarity("cup", None) is None


def test_sqlite_connections_have_word_similarity(app_ctx):
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("the function is PostgreSQL's own there")
    got = db.session.scalar(sa.text("SELECT word_similarity('valornt', 'Valorant Cup')"))
    assert got == pytest.approx(0.625)


def _pairs() -> list[tuple[str, str]]:
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    known = ["valorant", "valornt", "efootball", "footbal", "café", "cafe", "ঢাকা", "ডার্বি"]
    alphabet = "abab c-.é_1ড্া"
    pairs = []
    for _ in range(600):
        if rng.random() < 0.5:
            a = rng.choice(known)
        else:
            a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        b = " ".join(rng.choice(known) for _ in range(rng.randint(0, 3)))
        b += "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        pairs.append((a, b))
    return pairs


@pytest.mark.postgres
def test_word_similarity_equals_postgresqls_exactly(app_ctx, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    query = sa.text("SELECT word_similarity(:a, :b)::float8")
    for a, b in _pairs():
        assert db.session.scalar(query, {"a": a, "b": b}) == word_similarity(a, b), (a, b)

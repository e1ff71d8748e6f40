"""Full-text search over tournaments (name, description, game name): the query tokenizer and
the two engines, PostgreSQL `tsvector` and SQLite FTS5, plus what Alembic must ignore.

The search objects are created by migration `c3search0009` and kept current by triggers in the
database, so every write path (ORM, admin, raw SQL, a game renamed) updates the index:

* PostgreSQL: a `tournaments.search_vector tsvector` column set by a BEFORE trigger on
  tournaments (name and game name weight A, description B, the `simple` configuration so names
  are not stemmed), refreshed by an AFTER trigger on `games` when a game is renamed; GIN index.
* SQLite: the FTS5 table `tournament_search(name, game_name, description)` whose rowid is the
  tournament id, filled by triggers on tournaments (insert, update, delete) and games (rename).

Both split text at punctuation (PostgreSQL's text has its ASCII punctuation replaced by spaces
before its parser sees it, so "deltacrown.dev" is two words as in FTS5; FTS5 uses `unicode61`
without diacritic folding, as `simple` does not fold either), so the two engines see the same
words and find the same tournaments (tests/discovery/test_search_parity.py).

Inside words (migration `h7trgm0013`): beside the word indexes, each database indexes the
same text by trigrams: PostgreSQL the lower-cased `tournaments.search_text` (pg_trgm, GIN
`gin_trgm_ops`, set by the same triggers), SQLite the FTS5 table `tournament_search_trigram`
(`trigram` tokenizer, case-insensitive, its own triggers). A query word of `MIN_INSIDE_WORD`
(3) characters or more also matches inside a word ("football" finds "eFootball"); shorter
words match as words only, on both (a trigram needs 3 characters).

Small typos: a query word of `MIN_TYPO_WORD` (4) characters or more also matches when pg_trgm's
`word_similarity(word, text)` is at least `TYPO_THRESHOLD` (0.6): "valornt" finds "Valorant
Cup", "footbal" finds "eFootball League", "valley" finds neither. PostgreSQL computes it with
pg_trgm (the GIN trigram index finds the candidates through `<%`); SQLite with the same
function ported to Python (`core.trigram`, registered on every connection), over the same text
(name, game name, description), so both return the same tournaments. A swap of two letters
("valornat") usually breaks too many trigrams to be found.

Ranking, on both: tournaments whose words all match as words first (`EXACT_FIRST`, by the word
engine's rank: `ts_rank`, FTS5 `bm25`), then those whose words all match as words or inside
words (`INSIDE_FIRST`), then the typo matches; the last two tiers by the summed
`word_similarity` of the query words, so closer spellings come first.

The user's query is never passed raw to either engine: `tokenize` keeps words only (letters,
digits and combining marks), drops the FTS operators `AND`, `OR`, `NOT`, `NEAR` and all punctuation (`"`, `*`,
`:`, `(`, `^`, ...), lower-cases, and keeps the first `MAX_WORDS`. Every word must match; the
last one (also) as a prefix ("valo" finds "Valorant Cup"). A query with no words left is not a search:
the caller lists the filtered tournaments instead (see `discovery.search_tournaments`).

SQLite batch migrations: SQLite drops a table's triggers with the table, and a table rebuild
(Alembic batch mode: copy, drop, rename) fails while a trigger on another table mentions it
("error in trigger ...: no such table"). A later migration that rebuilds `tournaments` or
`games` on SQLite wraps the batch in `sqlite_search_triggers_suspended(op.get_bind())` (and,
as for any rebuild of a referenced table there, runs with foreign keys off).
"""

from __future__ import annotations

import abc
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import sqlalchemy as sa

from deltacrown.games.models import Game
from deltacrown.tournaments.models import Tournament

MAX_WORDS = 10
MAX_WORD_LENGTH = 64
MIN_INSIDE_WORD = 3  # a trigram index finds words of 3+ characters inside other words
MIN_TYPO_WORD = 4  # shorter words with one letter changed share too few trigrams to tell
TYPO_THRESHOLD = 0.6  # pg_trgm word_similarity (its default word_similarity_threshold)
EXACT_FIRST = 2000.0  # added to the relevance of tournaments whose words all match as words
INSIDE_FIRST = 1000.0  # ... whose words all match as words or inside words (no typo)
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})

# ----- objects outside the models (migrations c3search0009 and h7trgm0013) -----------------
FTS_TABLE = "tournament_search"
TRIGRAM_TABLE = "tournament_search_trigram"
FTS_SHADOW_SUFFIXES = ("data", "idx", "content", "docsize", "config")
SEARCH_TABLES = frozenset(
    name
    for table in (FTS_TABLE, TRIGRAM_TABLE)
    for name in (table, *(f"{table}_{s}" for s in FTS_SHADOW_SUFFIXES))
)
SEARCH_COLUMNS = frozenset({("tournaments", "search_vector"), ("tournaments", "search_text")})
SEARCH_INDEXES = frozenset({"ix_tournaments_search_vector", "ix_tournaments_search_text"})
SQLITE_TRIGGER_PREFIX = "tournament_search_"


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic `include_object`: False for the search objects, which no model describes."""
    if type_ == "table" and name in SEARCH_TABLES:
        return False
    if type_ == "index" and name in SEARCH_INDEXES:
        return False
    if type_ == "column":
        table = getattr(getattr(obj, "table", None), "name", None)
        if (table, name) in SEARCH_COLUMNS:
            return False
    return True


# ----- the query -----------------------------------------------------------------------------
def _word_char(char: str) -> bool:
    # Letters, digits and combining marks (Bengali vowel signs are marks: "ঢাকা" is one word).
    return unicodedata.category(char)[0] in "LNM"


def _marks_only(word: str) -> bool:
    # FTS5 ignores such a "word", PostgreSQL would require it: drop it for both.
    return all(unicodedata.category(char)[0] == "M" for char in word)


def tokenize(q: str | None) -> list[str]:
    """The words of a user's query, safe for either engine (see the module docstring)."""
    text = "".join(char if _word_char(char) else " " for char in (q or ""))
    words = [w for w in text.split() if w not in OPERATORS and not _marks_only(w)]
    return [w.lower()[:MAX_WORD_LENGTH] for w in words[:MAX_WORDS]]


class SearchEngine(Protocol):
    def apply(self, query: sa.Select[Any], words: list[str]) -> tuple[sa.Select[Any], Any]:
        """Restrict `query` (over Tournament) to matches; return it and a relevance column
        (higher is more relevant)."""
        ...


def substring_words(words: list[str]) -> list[str]:
    """The words long enough to match inside a word (a trigram needs 3 characters)."""
    return [word for word in words if len(word) >= MIN_INSIDE_WORD]


def _similar(word: Any, text: Any) -> Any:
    """pg_trgm's `word_similarity` (on SQLite the same function, see core.trigram)."""
    return sa.func.word_similarity(word, text, type_=sa.Float)


def _close_enough(word: Any, text: Any) -> Any:
    return _similar(word, text) >= sa.literal(TYPO_THRESHOLD, sa.Float)


class _Matcher(abc.ABC):
    """Builds the conditions and the ranking both engines share; the engines say how one word
    matches as a word and inside a word, and what the searchable text is."""

    text: Any

    @abc.abstractmethod
    def as_word(self, word: str, n: int, prefix: bool) -> Any:
        """The condition that `word` (the n-th; `prefix` for the last one typed) is a word."""

    @abc.abstractmethod
    def inside(self, word: str, n: int) -> Any:
        """The condition that `word` stands inside a word of the text."""

    def typo(self, word: Any) -> Any:
        return _close_enough(word, self.text)

    def conditions(self, words: list[str]) -> tuple[list[Any], list[Any], Any]:
        """Per word: its filter (as a word, inside one or with a typo) and its strict form
        (no typo); and the summed similarity of the words to the text (the typo rank)."""
        filters, strict, similarity = [], [], []
        last = len(words) - 1
        for n, word in enumerate(words):
            ways = [self.as_word(word, n, prefix=n == last)]
            if len(word) >= MIN_INSIDE_WORD:
                ways.append(self.inside(word, n))
            strict.append(sa.or_(*ways))
            if len(word) >= MIN_TYPO_WORD:
                param = sa.bindparam(f"search_typo_{n}", word, type_=sa.Text)
                ways.append(self.typo(param))
                similarity.append(_similar(param, self.text))
            filters.append(sa.or_(*ways))
        rank = sum(similarity[1:], similarity[0]) if similarity else sa.literal(0.0)
        return filters, strict, rank


class PostgresSearch(_Matcher):
    """Each word matches `search_vector` (the last as a prefix), from 3 characters the
    trigram-indexed `search_text` (`LIKE '%word%'`), from 4 with a typo (`word_similarity`).
    Ranked: all words as words first (by `ts_rank`), then all as words or inside words, then
    the rest, each tier by pg_trgm's `word_similarity`."""

    def __init__(self) -> None:
        self.vector: Any = sa.literal_column(f"{Tournament.__tablename__}.search_vector")
        self.text = sa.literal_column(f"{Tournament.__tablename__}.search_text")

    @staticmethod
    def tsquery_text(words: list[str]) -> str:
        return " & ".join([*words[:-1], f"{words[-1]}:*"])

    @staticmethod
    def _tsquery(text: str, name: str) -> Any:
        return sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"), sa.bindparam(name, text, type_=sa.Text)
        )

    def as_word(self, word: str, n: int, prefix: bool) -> Any:
        return self.vector.op("@@")(
            self._tsquery(f"{word}:*" if prefix else word, f"search_word_{n}")
        )

    def inside(self, word: str, n: int) -> Any:
        return self.text.like(sa.bindparam(f"search_inside_{n}", f"%{word}%"))

    def typo(self, word: Any) -> Any:
        # `<%` lets the GIN trigram index find the candidates (at the server's
        # pg_trgm.word_similarity_threshold, 0.6 unless configured); the explicit comparison
        # fixes the threshold, so SQLite and PostgreSQL agree.
        return sa.and_(word.op("<%")(self.text), _close_enough(word, self.text))

    def apply(self, query: sa.Select[Any], words: list[str]) -> tuple[sa.Select[Any], Any]:
        filters, strict, similarity = self.conditions(words)
        everything = self._tsquery(self.tsquery_text(words), "search_tsquery")
        relevance = sa.case(
            (
                self.vector.op("@@")(everything),
                EXACT_FIRST + sa.func.ts_rank(self.vector, everything),
            ),
            (sa.and_(*strict), INSIDE_FIRST + similarity),
            else_=similarity,
        )
        return query.where(*filters), relevance


class SqliteSearch(_Matcher):
    """Each word matches the `unicode61` FTS5 table (the last as a prefix), from 3 characters
    the `trigram` one (inside words), from 4 with a typo (`word_similarity`, registered on
    every connection). Ranked: all words as words first (by `bm25`: name and game weigh more
    than the description), then all as words or inside words, then the rest, each tier by
    `word_similarity` as on PostgreSQL."""

    WEIGHTS = (10.0, 10.0, 3.0)  # name, game_name, description

    def __init__(self) -> None:
        game_name = sa.select(Game.name).where(Game.id == Tournament.game_id).scalar_subquery()
        # The text PostgreSQL keeps in `search_text` (word_similarity lower-cases it).
        self.text = (
            Tournament.name + " " + game_name + " " + sa.func.coalesce(Tournament.description, "")
        )

    @staticmethod
    def match_text(words: list[str]) -> str:
        # Every word quoted (so nothing in it is an operator); the last one a prefix.
        quoted = [f'"{word}"' for word in words]
        quoted[-1] += "*"
        return " ".join(quoted)

    @staticmethod
    def _rowids(table: str, match: str, name: str) -> Any:
        fts = sa.table(table, sa.column("rowid"))
        return sa.select(fts.c.rowid).where(
            sa.literal_column(table).op("MATCH")(sa.bindparam(name, match))
        )

    def _ranked(self, table: str, match: str, name: str) -> Any:
        fts = sa.table(table, sa.column("rowid"))
        fts_name: Any = sa.literal_column(table)
        return (
            sa.select(
                fts.c.rowid.label("tournament_id"),
                (-sa.func.bm25(fts_name, *self.WEIGHTS)).label("relevance"),
            )
            .where(fts_name.op("MATCH")(sa.bindparam(name, match)))
            .subquery(f"{name}_matches")
        )

    def as_word(self, word: str, n: int, prefix: bool) -> Any:
        match = f'"{word}"*' if prefix else f'"{word}"'
        return Tournament.id.in_(self._rowids(FTS_TABLE, match, f"search_word_{n}"))

    def inside(self, word: str, n: int) -> Any:
        return Tournament.id.in_(self._rowids(TRIGRAM_TABLE, f'"{word}"', f"search_inside_{n}"))

    def apply(self, query: sa.Select[Any], words: list[str]) -> tuple[sa.Select[Any], Any]:
        filters, strict, similarity = self.conditions(words)
        exact = self._ranked(FTS_TABLE, self.match_text(words), "search_match")
        query = query.where(*filters).outerjoin(exact, exact.c.tournament_id == Tournament.id)
        relevance = sa.case(
            (exact.c.tournament_id.is_not(None), EXACT_FIRST + exact.c.relevance),
            (sa.and_(*strict), INSIDE_FIRST + similarity),
            else_=similarity,
        )
        return query, relevance


def engine_for(dialect_name: str) -> SearchEngine:
    return PostgresSearch() if dialect_name == "postgresql" else SqliteSearch()


# ----- SQLite maintenance --------------------------------------------------------------------
def _refill(table: str) -> tuple[str, str]:
    # `table` is one of this module's two constants, never input.
    if table not in (FTS_TABLE, TRIGRAM_TABLE):
        raise ValueError(f"not a search table: {table!r}")
    delete = f"DELETE FROM {table}"  # noqa: S608  # nosec B608 - a constant table name
    insert = (
        f"INSERT INTO {table}(rowid, name, game_name, description) "  # noqa: S608  # nosec B608
        "SELECT t.id, t.name, g.name, coalesce(t.description, '') "
        "FROM tournaments t JOIN games g ON g.id = t.game_id"
    )
    return delete, insert


def rebuild_sqlite_index(connection: sa.Connection) -> None:
    """Refill the FTS5 tables from tournaments and games (after a batch rebuild, or repair);
    before migration h7trgm0013 only the word table exists."""
    existing = set(
        connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'").scalars()
    )
    for table in (FTS_TABLE, TRIGRAM_TABLE):
        if table in existing:
            for statement in _refill(table):
                connection.exec_driver_sql(statement)


@contextmanager
def sqlite_search_triggers_suspended(connection: sa.Connection) -> Iterator[None]:
    """Drop the search triggers for a batch migration on tournaments or games; put them back
    (as they were) and rebuild the index afterwards. A no-op on other databases."""
    if connection.dialect.name != "sqlite":
        yield
        return
    saved = [
        row
        for row in connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        ).all()
        if row[0].startswith(SQLITE_TRIGGER_PREFIX)
    ]
    for name, _sql in saved:
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    yield
    for _name, sql in saved:
        connection.exec_driver_sql(sql)
    rebuild_sqlite_index(connection)

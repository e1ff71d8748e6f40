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

The user's query is never passed raw to either engine: `tokenize` keeps words only (letters,
digits and combining marks), drops the FTS operators `AND`, `OR`, `NOT`, `NEAR` and all punctuation (`"`, `*`,
`:`, `(`, `^`, ...), lower-cases, and keeps the first `MAX_WORDS`. Every word must match; the
last one as a prefix ("valo" finds "Valorant Cup"). A query with no words left is not a search:
the caller lists the filtered tournaments instead (see `discovery.search_tournaments`).

SQLite batch migrations: SQLite drops a table's triggers with the table, and a table rebuild
(Alembic batch mode: copy, drop, rename) fails while a trigger on another table mentions it
("error in trigger ...: no such table"). A later migration that rebuilds `tournaments` or
`games` on SQLite wraps the batch in `sqlite_search_triggers_suspended(op.get_bind())` (and,
as for any rebuild of a referenced table there, runs with foreign keys off).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import sqlalchemy as sa

from deltacrown.tournaments.models import Tournament

MAX_WORDS = 10
MAX_WORD_LENGTH = 64
OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})

# ----- objects outside the models (migration c3search0009) ---------------------------------
FTS_TABLE = "tournament_search"
FTS_SHADOW_SUFFIXES = ("data", "idx", "content", "docsize", "config")
SEARCH_TABLES = frozenset({FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in FTS_SHADOW_SUFFIXES)})
SEARCH_COLUMNS = frozenset({("tournaments", "search_vector")})
SEARCH_INDEXES = frozenset({"ix_tournaments_search_vector"})
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


class PostgresSearch:
    """`search_vector @@ to_tsquery('simple', 'w1 & w2 & w3:*')`, ranked by `ts_rank`."""

    @staticmethod
    def tsquery_text(words: list[str]) -> str:
        return " & ".join([*words[:-1], f"{words[-1]}:*"])

    def apply(self, query: sa.Select[Any], words: list[str]) -> tuple[sa.Select[Any], Any]:
        vector: Any = sa.literal_column(f"{Tournament.__tablename__}.search_vector")
        tsquery = sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"),
            sa.bindparam("search_tsquery", self.tsquery_text(words), type_=sa.Text),
        )
        relevance = sa.func.ts_rank(vector, tsquery)
        return query.where(vector.op("@@")(tsquery)), relevance


class SqliteSearch:
    """`tournament_search MATCH '"w1" "w2" "w3"*'`, ranked by `bm25` (name and game weigh
    more than the description)."""

    WEIGHTS = (10.0, 10.0, 3.0)  # name, game_name, description

    @staticmethod
    def match_text(words: list[str]) -> str:
        # Every word quoted (so nothing in it is an operator); the last one a prefix.
        quoted = [f'"{word}"' for word in words]
        quoted[-1] += "*"
        return " ".join(quoted)

    def apply(self, query: sa.Select[Any], words: list[str]) -> tuple[sa.Select[Any], Any]:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        fts_name: Any = sa.literal_column(FTS_TABLE)
        matches = (
            sa.select(
                fts.c.rowid.label("tournament_id"),
                (-sa.func.bm25(fts_name, *self.WEIGHTS)).label("relevance"),
            )
            .where(fts_name.op("MATCH")(sa.bindparam("search_match", self.match_text(words))))
            .subquery("search_matches")
        )
        query = query.join(matches, matches.c.tournament_id == Tournament.id)
        return query, matches.c.relevance


def engine_for(dialect_name: str) -> SearchEngine:
    return PostgresSearch() if dialect_name == "postgresql" else SqliteSearch()


# ----- SQLite maintenance --------------------------------------------------------------------
REBUILD_SQLITE_INDEX = (
    "DELETE FROM tournament_search",
    "INSERT INTO tournament_search(rowid, name, game_name, description) "
    "SELECT t.id, t.name, g.name, coalesce(t.description, '') "
    "FROM tournaments t JOIN games g ON g.id = t.game_id",
)


def rebuild_sqlite_index(connection: sa.Connection) -> None:
    """Refill the FTS5 table from tournaments and games (after a batch rebuild, or repair)."""
    for statement in REBUILD_SQLITE_INDEX:
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

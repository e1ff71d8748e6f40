"""tournament search inside words: pg_trgm text + index on PostgreSQL, an FTS5 trigram table on SQLite

Beside the word indexes of c3search0009 (which stay as they are), each database gets the
lower-cased searchable text indexed by trigrams, so a query word of 3 or more characters also
matches inside a word ("football" in "eFootball"):

* PostgreSQL: the `pg_trgm` extension, a `tournaments.search_text` column (name, game name and
  description, lower-cased, one space apart) kept by the same trigger functions as
  `search_vector` (replaced here to set both), and a GIN `gin_trgm_ops` index on it.
* SQLite: the FTS5 table `tournament_search_trigram(name, game_name, description)` with the
  `trigram` tokenizer (case-insensitive), rowid = tournament id, kept by its own triggers.

The SQL is frozen here on purpose; `deltacrown.tournaments.search.include_object` keeps
autogenerate away from these objects. The downgrade restores c3search0009's functions and
leaves the extension installed (other objects may use it).

Revision ID: h7trgm0013
Revises: d4lobby0012
Create Date: 2026-12-06 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "h7trgm0013"
down_revision = "d4lobby0012"
branch_labels = None
depends_on = None

PG_TEXT_FUNCTION = """CREATE OR REPLACE FUNCTION tournament_search_text(
    t_name text, t_description text, g_name text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT lower(coalesce(t_name, '') || ' ' || coalesce(g_name, '') || ' '
               || coalesce(t_description, ''))
$$"""


def _pg_functions(with_text: bool) -> tuple[str, str]:
    text_on_tournament = (
        "\n  NEW.search_text := tournament_search_text(NEW.name, NEW.description, "
        "(SELECT g.name FROM games g WHERE g.id = NEW.game_id));"
        if with_text
        else ""
    )
    text_on_game = (
        ",\n           search_text = tournament_search_text(name, description, NEW.name)"
        if with_text
        else ""
    )
    on_tournament = f"""CREATE OR REPLACE FUNCTION tournament_search_on_tournament() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := tournament_search_vector(
    NEW.name, NEW.description, (SELECT g.name FROM games g WHERE g.id = NEW.game_id));{text_on_tournament}
  RETURN NEW;
END
$$"""
    on_game = f"""CREATE OR REPLACE FUNCTION tournament_search_on_game() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    UPDATE tournaments
       SET search_vector = tournament_search_vector(name, description, NEW.name){text_on_game}
     WHERE game_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$"""
    return on_tournament, on_game


SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE tournament_search_trigram USING fts5("
    "name, game_name, description, tokenize = 'trigram case_sensitive 0')"
)
_SQLITE_ROW = (
    "INSERT INTO tournament_search_trigram(rowid, name, game_name, description) VALUES "
    "(NEW.id, NEW.name, (SELECT g.name FROM games g WHERE g.id = NEW.game_id), "
    "coalesce(NEW.description, ''));"
)
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER tournament_search_trigram_insert AFTER INSERT ON tournaments BEGIN
      {_SQLITE_ROW}
    END""",
    f"""CREATE TRIGGER tournament_search_trigram_update
    AFTER UPDATE OF name, description, game_id ON tournaments BEGIN
      DELETE FROM tournament_search_trigram WHERE rowid = OLD.id;
      {_SQLITE_ROW}
    END""",
    """CREATE TRIGGER tournament_search_trigram_delete AFTER DELETE ON tournaments BEGIN
      DELETE FROM tournament_search_trigram WHERE rowid = OLD.id;
    END""",
    """CREATE TRIGGER tournament_search_trigram_game_rename AFTER UPDATE OF name ON games
    WHEN NEW.name IS NOT OLD.name BEGIN
      UPDATE tournament_search_trigram SET game_name = NEW.name
       WHERE rowid IN (SELECT t.id FROM tournaments t WHERE t.game_id = NEW.id);
    END""",
)
SQLITE_TRIGGER_NAMES = (
    "tournament_search_trigram_insert",
    "tournament_search_trigram_update",
    "tournament_search_trigram_delete",
    "tournament_search_trigram_game_rename",
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.add_column("tournaments", sa.Column("search_text", sa.Text(), nullable=True))
        bind.exec_driver_sql(PG_TEXT_FUNCTION)
        for statement in _pg_functions(with_text=True):
            bind.exec_driver_sql(statement)
        bind.exec_driver_sql(
            "UPDATE tournaments t SET search_text = "
            "tournament_search_text(t.name, t.description, g.name) "
            "FROM games g WHERE g.id = t.game_id"
        )
        op.execute(
            "CREATE INDEX ix_tournaments_search_text ON tournaments "
            "USING gin (search_text gin_trgm_ops)"
        )
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS tournament_search_trigram")
        op.execute(SQLITE_TABLE)
        for trigger in SQLITE_TRIGGERS:
            bind.exec_driver_sql(trigger)
        op.execute(
            "INSERT INTO tournament_search_trigram(rowid, name, game_name, description) "
            "SELECT t.id, t.name, g.name, coalesce(t.description, '') "
            "FROM tournaments t JOIN games g ON g.id = t.game_id"
        )
    else:  # pragma: no cover - we support these two
        raise NotImplementedError(f"No tournament search for {bind.dialect.name}.")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for statement in _pg_functions(with_text=False):
            bind.exec_driver_sql(statement)
        op.execute("DROP INDEX IF EXISTS ix_tournaments_search_text")
        op.drop_column("tournaments", "search_text")
        op.execute("DROP FUNCTION IF EXISTS tournament_search_text(text, text, text)")
    elif bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS tournament_search_trigram")

"""tournament search: tsvector + trigger + GIN on PostgreSQL, FTS5 + triggers on SQLite

No model describes these objects; `deltacrown.tournaments.search.include_object` (used by
migrations/env.py) keeps autogenerate away from them. The SQL is frozen here on purpose:
a later change to the search objects is a new revision.

Revision ID: c3search0009
Revises: c3regis00008
Create Date: 2026-11-29 21:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'c3search0009'
down_revision = "c3regis00008"
branch_labels = None
depends_on = None

# ASCII punctuation and symbols become spaces before PostgreSQL's parser sees the text, so
# "deltacrown.dev/rules" or "counter-strike" give the same words as FTS5's unicode61 (the
# parser would keep a host name or a hyphenated word whole). A literal range, not [:punct:],
# so the result does not depend on the database's locale.
PG_FUNCTIONS = (
    r"""CREATE OR REPLACE FUNCTION tournament_search_vector(t_name text, t_description text, g_name text)
RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
  SELECT setweight(to_tsvector('simple'::regconfig,
                   regexp_replace(coalesce(t_name, ''), '[!-/:-@\[-`{-~]+', ' ', 'g')), 'A')
      || setweight(to_tsvector('simple'::regconfig,
                   regexp_replace(coalesce(g_name, ''), '[!-/:-@\[-`{-~]+', ' ', 'g')), 'A')
      || setweight(to_tsvector('simple'::regconfig,
                   regexp_replace(coalesce(t_description, ''), '[!-/:-@\[-`{-~]+', ' ', 'g')), 'B')
$$""",
    """CREATE OR REPLACE FUNCTION tournament_search_on_tournament() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := tournament_search_vector(
    NEW.name, NEW.description, (SELECT g.name FROM games g WHERE g.id = NEW.game_id));
  RETURN NEW;
END
$$""",
    """CREATE OR REPLACE FUNCTION tournament_search_on_game() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name THEN
    UPDATE tournaments
       SET search_vector = tournament_search_vector(name, description, NEW.name)
     WHERE game_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$""",
)
PG_TRIGGERS = (
    """CREATE TRIGGER tournament_search_tournament
    BEFORE INSERT OR UPDATE OF name, description, game_id ON tournaments
    FOR EACH ROW EXECUTE FUNCTION tournament_search_on_tournament()""",
    """CREATE TRIGGER tournament_search_game
    AFTER UPDATE OF name ON games
    FOR EACH ROW EXECUTE FUNCTION tournament_search_on_game()""",
)

SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE tournament_search USING fts5("
    "name, game_name, description, tokenize = 'unicode61 remove_diacritics 0')"
)
_SQLITE_ROW = (
    "INSERT INTO tournament_search(rowid, name, game_name, description) VALUES "
    "(NEW.id, NEW.name, (SELECT g.name FROM games g WHERE g.id = NEW.game_id), "
    "coalesce(NEW.description, ''));"
)
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER tournament_search_insert AFTER INSERT ON tournaments BEGIN
      {_SQLITE_ROW}
    END""",
    f"""CREATE TRIGGER tournament_search_update
    AFTER UPDATE OF name, description, game_id ON tournaments BEGIN
      DELETE FROM tournament_search WHERE rowid = OLD.id;
      {_SQLITE_ROW}
    END""",
    """CREATE TRIGGER tournament_search_delete AFTER DELETE ON tournaments BEGIN
      DELETE FROM tournament_search WHERE rowid = OLD.id;
    END""",
    """CREATE TRIGGER tournament_search_game_rename AFTER UPDATE OF name ON games
    WHEN NEW.name IS NOT OLD.name BEGIN
      UPDATE tournament_search SET game_name = NEW.name
       WHERE rowid IN (SELECT t.id FROM tournaments t WHERE t.game_id = NEW.id);
    END""",
)
SQLITE_TRIGGER_NAMES = (
    "tournament_search_insert",
    "tournament_search_update",
    "tournament_search_delete",
    "tournament_search_game_rename",
)


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.add_column("tournaments", sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True))
        for statement in (*PG_FUNCTIONS, *PG_TRIGGERS):
            bind.exec_driver_sql(statement)
        bind.exec_driver_sql(
            "UPDATE tournaments t SET search_vector = "
            "tournament_search_vector(t.name, t.description, g.name) "
            "FROM games g WHERE g.id = t.game_id"
        )
        op.create_index(
            "ix_tournaments_search_vector",
            "tournaments",
            ["search_vector"],
            postgresql_using="gin",
        )
    elif bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS tournament_search")
        op.execute(SQLITE_TABLE)
        for trigger in SQLITE_TRIGGERS:
            bind.exec_driver_sql(trigger)
        op.execute(
            "INSERT INTO tournament_search(rowid, name, game_name, description) "
            "SELECT t.id, t.name, g.name, coalesce(t.description, '') "
            "FROM tournaments t JOIN games g ON g.id = t.game_id"
        )
    else:  # pragma: no cover - we support these two
        raise NotImplementedError(f"No tournament search for {bind.dialect.name}.")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS tournament_search_game ON games")
        op.execute("DROP TRIGGER IF EXISTS tournament_search_tournament ON tournaments")
        op.drop_index("ix_tournaments_search_vector", table_name="tournaments")
        op.drop_column("tournaments", "search_vector")
        op.execute("DROP FUNCTION IF EXISTS tournament_search_on_game()")
        op.execute("DROP FUNCTION IF EXISTS tournament_search_on_tournament()")
        op.execute("DROP FUNCTION IF EXISTS tournament_search_vector(text, text, text)")
    elif bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS tournament_search")

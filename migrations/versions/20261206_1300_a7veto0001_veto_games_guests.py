"""map vetoes, per-game maps and drafts, participants without accounts; CS2 and Valorant
settings schemas version 2 (competitive map pools, veto turn timer)

Revision ID: a7veto0001
Revises: a3anal0001
Create Date: 2026-12-06 13:00:00

"""

import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "a7veto0001"
down_revision = "a3anal0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
GUEST_KEY = sa.text("guest_key IS NOT NULL")
OLD_CHECK = "(user_id IS NULL) <> (team_id IS NULL)"
NEW_CHECK = (
    "((user_id IS NULL) <> (team_id IS NULL))"
    " OR (user_id IS NULL AND team_id IS NULL AND guest_name IS NOT NULL)"
)

# Frozen copies (migrations never import app code): the competitive pools of late 2026.
POOLS = {
    "cs2": ["Ancient", "Dust2", "Inferno", "Mirage", "Nuke", "Overpass", "Train"],
    "valorant": ["Abyss", "Ascent", "Bind", "Corrode", "Haven", "Lotus", "Sunset"],
}
TURN_SECONDS = {
    "type": "integer",
    "minimum": 0,
    "maximum": 3600,
    "description": "Seconds a side has for a map veto turn (0: no timer; a random map is "
    "taken when it runs out)",
}


def _version_two(bind, slug):
    row = bind.execute(
        sa.text(
            "SELECT g.id, c.schema FROM games g JOIN game_configs c ON c.game_id = g.id "
            "WHERE g.slug = :slug ORDER BY c.version DESC LIMIT 1"
        ),
        {"slug": slug},
    ).first()
    if row is None:
        return None
    game_id, schema = row
    if isinstance(schema, str):
        schema = json.loads(schema)
    schema = dict(schema)
    properties = dict(schema.get("properties") or {})
    pool = dict(properties.get("map_pool") or {})
    items = dict(pool.get("items") or {"type": "string"})
    items["enum"] = sorted(set(items.get("enum") or []) | set(POOLS[slug]))
    pool.update(
        {
            "type": "array",
            "items": items,
            "uniqueItems": True,
            "minItems": 1,
            "default": POOLS[slug],
            "description": "Maps that may be played (default: the competitive pool)",
        }
    )
    properties["map_pool"] = pool
    properties["veto_turn_seconds"] = TURN_SECONDS
    schema["properties"] = properties
    return game_id, schema


def upgrade():
    op.create_table(
        "match_vetoes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("best_of", sa.Integer(), nullable=False),
        sa.Column("pool", JSON, nullable=False),
        sa.Column("sides", JSON, nullable=True),
        sa.Column("history", JSON, nullable=False),
        sa.Column("turn_seconds", sa.Integer(), nullable=False),
        sa.Column("turn_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["match_id"], ["matches.id"], name=op.f("fk_match_vetoes_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"], ["tournaments.id"],
            name=op.f("fk_match_vetoes_tournament_id_tournaments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_vetoes")),
        sa.UniqueConstraint("match_id", name=op.f("uq_match_vetoes_match_id")),
    )
    op.create_index(op.f("ix_match_vetoes_turn_due_at"), "match_vetoes", ["turn_due_at"])
    op.create_table(
        "match_games",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("map", sa.String(length=60), nullable=True),
        sa.Column("picked_by_slot", sa.SmallInteger(), nullable=True),
        sa.Column("side_chosen_by_slot", sa.SmallInteger(), nullable=True),
        sa.Column("starting_side", sa.String(length=20), nullable=True),
        sa.Column("draft", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["match_id"], ["matches.id"], name=op.f("fk_match_games_match_id_matches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_games")),
        sa.UniqueConstraint("match_id", "number", name=op.f("uq_match_games_match_id_number")),
    )

    with op.batch_alter_table("registrations") as batch_op:
        batch_op.add_column(sa.Column("guest_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("guest_team", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("guest_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("guest_seed", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("guest_key", sa.String(length=64), nullable=True))
        batch_op.drop_constraint(op.f("ck_registrations_user_xor_team"), type_="check")
        batch_op.create_check_constraint("one_participant", NEW_CHECK)
    op.create_index(
        "uq_registrations_tournament_id_guest_key",
        "registrations",
        ["tournament_id", "guest_key"],
        unique=True,
        sqlite_where=GUEST_KEY,
        postgresql_where=GUEST_KEY,
    )

    bind = op.get_bind()
    now = datetime.now(timezone.utc)
    game_configs = sa.table(
        "game_configs",
        sa.column("game_id", sa.Integer),
        sa.column("version", sa.Integer),
        sa.column("schema", JSON),
        sa.column("created_by_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    for slug in POOLS:
        found = _version_two(bind, slug)
        if found is None:
            continue
        game_id, schema = found
        latest = bind.execute(
            sa.text("SELECT MAX(version) FROM game_configs WHERE game_id = :g"), {"g": game_id}
        ).scalar()
        op.bulk_insert(
            game_configs,
            [
                {
                    "game_id": game_id,
                    "version": (latest or 0) + 1,
                    "schema": schema,
                    "created_by_id": None,
                    "created_at": now,
                }
            ],
        )


def downgrade():
    bind = op.get_bind()
    for slug in POOLS:
        bind.execute(
            sa.text(
                "DELETE FROM game_configs WHERE id = (SELECT c.id FROM game_configs c"
                " JOIN games g ON g.id = c.game_id WHERE g.slug = :s AND c.version > 1"
                " ORDER BY c.version DESC LIMIT 1)"
            ),
            {"s": slug},
        )
    op.drop_index("uq_registrations_tournament_id_guest_key", table_name="registrations")
    op.execute("DELETE FROM registrations WHERE user_id IS NULL AND team_id IS NULL")
    with op.batch_alter_table("registrations") as batch_op:
        batch_op.drop_constraint(op.f("ck_registrations_one_participant"), type_="check")
        batch_op.create_check_constraint("user_xor_team", OLD_CHECK)
        batch_op.drop_column("guest_key")
        batch_op.drop_column("guest_seed")
        batch_op.drop_column("guest_email")
        batch_op.drop_column("guest_team")
        batch_op.drop_column("guest_name")
    op.drop_table("match_games")
    op.drop_index(op.f("ix_match_vetoes_turn_due_at"), table_name="match_vetoes")
    op.drop_table("match_vetoes")

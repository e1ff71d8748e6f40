"""games catalogue, seeded with the supported games

Revision ID: a1c0games0001
Revises: None
Create Date: 2026-11-29 20:10:00

"""
from alembic import op
import sqlalchemy as sa
from datetime import datetime, timezone


# revision identifiers, used by Alembic.
revision = 'a1c0games0001'
down_revision = None
branch_labels = None
depends_on = None


GAMES = [
    # slug, name, team_size, has_draws, result_shape, id_rule
    ("valorant", "Valorant", 5, False, "score", "riot_id"),
    ("cs2", "Counter-Strike 2", 5, False, "score", "steam_id64"),
    ("dota2", "Dota 2", 5, False, "score", "steam_id64"),
    ("efootball", "eFootball", 1, True, "score", "konami_id"),
    ("ea-fc", "EA SPORTS FC", 1, True, "score", "ea_id"),
    ("pubg-mobile", "PUBG Mobile", 4, False, "placement_points", "ign_uid"),
    ("free-fire", "Free Fire", 4, False, "placement_points", "ign_uid"),
    ("codm", "Call of Duty: Mobile", 5, False, "score", "ign_uid"),
    ("mlbb", "Mobile Legends: Bang Bang", 5, False, "score", "mlbb_uid_zone"),
]


def upgrade():
    games = op.create_table('games',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('team_size', sa.Integer(), nullable=False),
    sa.Column('has_draws', sa.Boolean(), nullable=False),
    sa.Column('result_shape', sa.Enum('score', 'placement_points', name='resultshape', native_enum=False, length=32), nullable=False),
    sa.Column('id_rule', sa.String(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_games')),
    sa.UniqueConstraint('name', name=op.f('uq_games_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_games_slug'))
    )
    with op.batch_alter_table('games', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_games_is_active'), ['is_active'], unique=False)
    now = datetime.now(timezone.utc)
    op.bulk_insert(
        games,
        [
            {
                "slug": slug, "name": name, "team_size": size, "has_draws": draws,
                "result_shape": shape, "id_rule": rule, "is_active": True,
                "created_at": now, "updated_at": now, "version": 1,
            }
            for slug, name, size, draws, shape, rule in GAMES
        ],
    )


def downgrade():
    with op.batch_alter_table('games', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_games_is_active'))

    op.drop_table('games')

"""tournaments, co-organizers, custom fields, templates, and versioned game configs (seeded)

Revision ID: b2tourn00005
Revises: a1c0idemp0004
Create Date: 2026-11-29 21:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from datetime import datetime, timezone

# revision identifiers, used by Alembic.
revision = 'b2tourn00005'
down_revision = 'a1c0idemp0004'
branch_labels = None
depends_on = None


def _best_of(*choices):
    return {"type": "integer", "enum": list(choices), "default": choices[0],
            "description": "Games per match"}


def _regions(*regions):
    return {"type": "string", "enum": list(regions), "description": "Server region"}


def _pool(*maps):
    return {"type": "array", "items": {"type": "string", "enum": list(maps)},
            "uniqueItems": True, "minItems": 1, "description": "Maps that may be played"}


def _schema(title, properties):
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{title} tournament settings",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


# Version 1 of each seeded game's settings schema (a frozen copy: migrations never import app code).
GAME_CONFIGS = {
    "valorant": _schema("Valorant", {
        "best_of": _best_of(1, 3, 5),
        "map_pool": _pool("Abyss", "Ascent", "Bind", "Breeze", "Corrode", "Fracture", "Haven",
                          "Icebox", "Lotus", "Pearl", "Split", "Sunset"),
        "server_region": _regions("ap", "eu", "na", "kr", "latam", "br"),
        "overtime": {"type": "string", "enum": ["win_by_two", "sudden_death"]},
    }),
    "cs2": _schema("Counter-Strike 2", {
        "best_of": _best_of(1, 3, 5),
        "map_pool": _pool("Ancient", "Anubis", "Dust2", "Inferno", "Mirage", "Nuke", "Overpass",
                          "Train", "Vertigo"),
        "server_region": _regions("asia", "eu", "na", "sa", "oce", "me"),
        "max_rounds": {"type": "integer", "enum": [24, 30], "description": "MR12 or MR15"},
        "overtime": {"type": "boolean"},
    }),
    "dota2": _schema("Dota 2", {
        "best_of": _best_of(1, 2, 3, 5),
        "game_mode": {"type": "string", "enum": ["captains_mode", "all_pick", "captains_draft"]},
        "server_region": _regions("sea", "eu_west", "eu_east", "us_east", "us_west", "india",
                                  "dubai", "sa"),
    }),
    "efootball": _schema("eFootball", {
        "best_of": _best_of(1, 2, 3),
        "match_minutes": {"type": "integer", "enum": [5, 6, 8, 10]},
        "extra_time": {"type": "boolean"},
        "penalties": {"type": "boolean"},
        "platform": {"type": "string", "enum": ["crossplay", "console", "mobile", "pc"]},
    }),
    "ea-fc": _schema("EA SPORTS FC", {
        "best_of": _best_of(1, 2, 3),
        "half_length_minutes": {"type": "integer", "enum": [4, 5, 6, 8, 10]},
        "legs": {"type": "integer", "enum": [1, 2]},
        "platform": {"type": "string", "enum": ["crossplay", "playstation", "xbox", "pc"]},
    }),
    "pubg-mobile": _schema("PUBG Mobile", {
        "maps": _pool("Erangel", "Miramar", "Sanhok", "Vikendi", "Livik", "Rondo"),
        "perspective": {"type": "string", "enum": ["tpp", "fpp"]},
        "games_per_lobby": {"type": "integer", "minimum": 1, "maximum": 12},
        "lobby_size": {"type": "integer", "minimum": 2, "maximum": 25,
                       "description": "Squads per lobby"},
        "server_region": _regions("asia", "eu", "na", "sa", "me", "krjp"),
    }),
    "free-fire": _schema("Free Fire", {
        "maps": _pool("Bermuda", "Purgatory", "Kalahari", "Alpine", "NeXTerra", "Solara"),
        "games_per_lobby": {"type": "integer", "minimum": 1, "maximum": 12},
        "lobby_size": {"type": "integer", "minimum": 2, "maximum": 12,
                       "description": "Squads per lobby"},
        "server_region": _regions("bd", "ind", "sg", "br", "na", "me"),
    }),
    "codm": _schema("Call of Duty: Mobile", {
        "best_of": _best_of(1, 3, 5),
        "modes": {"type": "array", "uniqueItems": True, "minItems": 1, "items": {
            "type": "string", "enum": ["hardpoint", "search_and_destroy", "control", "domination"]}},
        "map_pool": _pool("Firing Range", "Raid", "Standoff", "Summit", "Takeoff", "Crossfire",
                          "Hackney Yard", "Tunisia"),
        "server_region": _regions("asia", "eu", "na", "sa"),
    }),
    "mlbb": _schema("Mobile Legends: Bang Bang", {
        "best_of": _best_of(1, 3, 5, 7),
        "draft_mode": {"type": "string", "enum": ["draft_pick", "tournament_draft"]},
        "server_region": _regions("sea", "bd", "id", "ph", "my", "global"),
    }),
}


def _seed_game_configs(game_configs):
    bind = op.get_bind()
    ids = dict(bind.execute(sa.text("SELECT slug, id FROM games")).all())
    now = datetime.now(timezone.utc)
    rows = [
        {"game_id": ids[slug], "version": 1, "schema": schema, "created_by_id": None,
         "created_at": now}
        for slug, schema in GAME_CONFIGS.items()
        if slug in ids
    ]
    if rows:
        op.bulk_insert(game_configs, rows)


def upgrade():
    game_configs = op.create_table('game_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('schema', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_game_configs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['game_id'], ['games.id'], name=op.f('fk_game_configs_game_id_games'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_game_configs')),
    sa.UniqueConstraint('game_id', 'version', name=op.f('uq_game_configs_game_id_version'))
    )
    with op.batch_alter_table('game_configs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_game_configs_game_id'), ['game_id'], unique=False)
    _seed_game_configs(game_configs)

    op.create_table('tournament_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('config', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_tournament_templates_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tournament_templates'))
    )
    with op.batch_alter_table('tournament_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tournament_templates_is_public'), ['is_public'], unique=False)
        batch_op.create_index(batch_op.f('ix_tournament_templates_owner_id'), ['owner_id'], unique=False)

    op.create_table('tournaments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=220), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('rules', sa.Text(), nullable=True),
    sa.Column('game_id', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.Enum('single_elimination', 'double_elimination', 'round_robin', 'swiss', 'group_stage_playoffs', 'battle_royale', name='tournamentformat', native_enum=False, length=32), nullable=False),
    sa.Column('participant_type', sa.Enum('solo', 'team', name='participanttype', native_enum=False, length=32), nullable=False),
    sa.Column('team_size', sa.Integer(), nullable=False),
    sa.Column('max_substitutes', sa.Integer(), nullable=False),
    sa.Column('min_participants', sa.Integer(), nullable=False),
    sa.Column('max_participants', sa.Integer(), nullable=False),
    sa.Column('registration_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('registration_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkin_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkin_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('is_online', sa.Boolean(), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=True),
    sa.Column('visibility', sa.Enum('public', 'unlisted', 'private', name='visibility', native_enum=False, length=32), nullable=False),
    sa.Column('invite_code', sa.String(length=32), nullable=True),
    sa.Column('fee_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('fee_currency', sa.String(length=3), nullable=True),
    sa.Column('fee_coins', sa.Integer(), nullable=True),
    sa.Column('payment_methods', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('prize_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('prize_currency', sa.String(length=3), nullable=True),
    sa.Column('prize_coins', sa.Integer(), nullable=True),
    sa.Column('prize_distribution', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('waitlist_enabled', sa.Boolean(), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('payment_deadline_hours', sa.Integer(), nullable=False),
    sa.Column('result_confirmation_minutes', sa.Integer(), nullable=False),
    sa.Column('no_show_grace_minutes', sa.Integer(), nullable=False),
    sa.Column('points_table', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
    sa.Column('settings', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
    sa.Column('settings_schema_version', sa.Integer(), nullable=False),
    sa.Column('banner_url', sa.String(length=2000), nullable=True),
    sa.Column('stream_url', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'registration_open', 'registration_closed', 'ongoing', 'completed', 'cancelled', name='tournamentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('fee_amount IS NULL OR fee_coins IS NULL', name=op.f('ck_tournaments_fee_one_kind')),
    sa.CheckConstraint('min_participants >= 2 AND min_participants <= max_participants AND max_participants <= 4096', name=op.f('ck_tournaments_participants_range')),
    sa.CheckConstraint('prize_amount IS NULL OR prize_coins IS NULL', name=op.f('ck_tournaments_prize_one_kind')),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['users.id'], name=op.f('fk_tournaments_cancelled_by_id_users')),
    sa.ForeignKeyConstraint(['game_id'], ['games.id'], name=op.f('fk_tournaments_game_id_games')),
    sa.ForeignKeyConstraint(['organizer_id'], ['users.id'], name=op.f('fk_tournaments_organizer_id_users')),
    sa.ForeignKeyConstraint(['template_id'], ['tournament_templates.id'], name=op.f('fk_tournaments_template_id_tournament_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tournaments')),
    sa.UniqueConstraint('invite_code', name=op.f('uq_tournaments_invite_code')),
    sa.UniqueConstraint('slug', name=op.f('uq_tournaments_slug'))
    )
    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.create_index('ix_tournaments_game_id_status', ['game_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tournaments_organizer_id'), ['organizer_id'], unique=False)
        batch_op.create_index('ix_tournaments_status_start_at', ['status', 'start_at'], unique=False)

    op.create_table('tournament_custom_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tournament_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('text', 'number', 'dropdown', 'checkbox', 'url', 'date', name='fieldtype', native_enum=False, length=32), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('min_value', sa.String(length=40), nullable=True),
    sa.Column('max_value', sa.String(length=40), nullable=True),
    sa.Column('regex', sa.String(length=200), nullable=True),
    sa.Column('choices', sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tournament_id'], ['tournaments.id'], name=op.f('fk_tournament_custom_fields_tournament_id_tournaments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tournament_custom_fields'))
    )
    with op.batch_alter_table('tournament_custom_fields', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tournament_custom_fields_tournament_id'), ['tournament_id'], unique=False)
        batch_op.create_index('uq_tournament_custom_fields_live_key', ['tournament_id', 'key'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('tournament_organizers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tournament_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_tournament_organizers_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tournament_id'], ['tournaments.id'], name=op.f('fk_tournament_organizers_tournament_id_tournaments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tournament_organizers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tournament_organizers')),
    sa.UniqueConstraint('tournament_id', 'user_id', name=op.f('uq_tournament_organizers_tournament_id_user_id'))
    )
    with op.batch_alter_table('tournament_organizers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tournament_organizers_tournament_id'), ['tournament_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tournament_organizers_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('tournament_organizers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tournament_organizers_user_id'))
        batch_op.drop_index(batch_op.f('ix_tournament_organizers_tournament_id'))

    op.drop_table('tournament_organizers')
    with op.batch_alter_table('tournament_custom_fields', schema=None) as batch_op:
        batch_op.drop_index('uq_tournament_custom_fields_live_key', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_tournament_custom_fields_tournament_id'))

    op.drop_table('tournament_custom_fields')
    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.drop_index('ix_tournaments_status_start_at')
        batch_op.drop_index(batch_op.f('ix_tournaments_organizer_id'))
        batch_op.drop_index('ix_tournaments_game_id_status')

    op.drop_table('tournaments')
    with op.batch_alter_table('tournament_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tournament_templates_owner_id'))
        batch_op.drop_index(batch_op.f('ix_tournament_templates_is_public'))

    op.drop_table('tournament_templates')
    with op.batch_alter_table('game_configs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_game_configs_game_id'))

    op.drop_table('game_configs')

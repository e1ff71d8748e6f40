"""analytics summary: one row of figures per tournament

PostgreSQL: the materialized view `tournament_analytics_summary` with a unique index on
`tournament_id` (so it can be refreshed CONCURRENTLY) and one on `organizer_id`. Its query is
`deltacrown.analytics.figures.tournament_rows` as compiled for PostgreSQL (a test checks the
view and the live statement agree). SQLite: a table of the same columns, filled by the
refresh job.

Revision ID: a3anal0001
Revises: a2auth0001
Create Date: 2026-12-06 13:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3anal0001"
down_revision = "a2auth0001"
branch_labels = None
depends_on = None

NAME = "tournament_analytics_summary"

VIEW_SQL = """
SELECT tournaments.id AS tournament_id, tournaments.organizer_id AS organizer_id,
  tournaments.game_id AS game_id, tournaments.status AS status, tournaments.start_at AS start_at,
  CASE WHEN (tournaments.status = 'completed') THEN tournaments.updated_at END AS concluded_at,
  tournaments.max_participants AS max_participants,
  coalesce(reg.registrations, 0) AS registrations,
  coalesce(reg.total_participants, 0) AS total_participants,
  coalesce(reg.checked_in_count, 0) AS checked_in_count,
  coalesce(reg.no_show_count, 0) AS no_show_count, coalesce(reg.held, 0) AS held,
  coalesce(mat.total_matches, 0) AS total_matches,
  coalesce(mat.completed_matches, 0) AS completed_matches,
  coalesce(dis.disputed_matches, 0) AS disputed_matches,
  coalesce(dur.timed_matches, 0) AS timed_matches,
  coalesce(dur.match_seconds_total, 0) AS match_seconds_total,
  dur.median_match_seconds, dur.p90_match_seconds,
  coalesce(reg.coin_entry_fees, 0) AS coin_entry_fees,
  coalesce(reg.coin_refunds, 0) AS coin_refunds,
  coalesce(pay.payout_count, 0) AS payout_count,
  coalesce(pay.prize_coins_paid, 0) AS prize_coins_paid,
  now() AS refreshed_at
FROM tournaments
LEFT OUTER JOIN (
  SELECT registrations.tournament_id AS tournament_id, count(*) AS registrations,
    coalesce(sum(CASE WHEN (registrations.status = 'confirmed') THEN 1 ELSE 0 END), 0)
      AS total_participants,
    coalesce(sum(CASE WHEN (registrations.status = 'confirmed'
      AND registrations.checked_in_at IS NOT NULL) THEN 1 ELSE 0 END), 0) AS checked_in_count,
    coalesce(sum(CASE WHEN (registrations.status = 'no_show') THEN 1 ELSE 0 END), 0)
      AS no_show_count,
    coalesce(sum(CASE WHEN (registrations.status IN ('pending', 'confirmed')) THEN 1 ELSE 0 END),
      0) AS held,
    coalesce(sum(CASE WHEN (registrations.payment_method = 'deltacoin'
      AND registrations.payment_status IN ('verified', 'refunded'))
      THEN registrations.fee_coins ELSE 0 END), 0) AS coin_entry_fees,
    coalesce(sum(CASE WHEN (registrations.payment_method = 'deltacoin'
      AND registrations.payment_status = 'refunded')
      THEN registrations.fee_coins ELSE 0 END), 0) AS coin_refunds
  FROM registrations GROUP BY registrations.tournament_id
) AS reg ON reg.tournament_id = tournaments.id
LEFT OUTER JOIN (
  SELECT matches.tournament_id AS tournament_id,
    coalesce(sum(CASE WHEN (matches.status != 'skipped') THEN 1 ELSE 0 END), 0) AS total_matches,
    coalesce(sum(CASE WHEN (matches.status IN ('completed', 'forfeit')) THEN 1 ELSE 0 END), 0)
      AS completed_matches
  FROM matches GROUP BY matches.tournament_id
) AS mat ON mat.tournament_id = tournaments.id
LEFT OUTER JOIN (
  SELECT disputes.tournament_id AS tournament_id,
    count(DISTINCT disputes.match_id) AS disputed_matches
  FROM disputes GROUP BY disputes.tournament_id
) AS dis ON dis.tournament_id = tournaments.id
LEFT OUTER JOIN (
  SELECT ranked.tournament_id AS tournament_id, count(*) AS timed_matches,
    sum(ranked.seconds) AS match_seconds_total,
    max(CASE WHEN (ranked.rn = (ranked.n + 1) / 2) THEN ranked.seconds END)
      AS median_match_seconds,
    max(CASE WHEN (ranked.rn = (ranked.n * 9 + 9) / 10) THEN ranked.seconds END)
      AS p90_match_seconds
  FROM (
    SELECT timed.tournament_id AS tournament_id, timed.seconds AS seconds,
      row_number() OVER (PARTITION BY timed.tournament_id ORDER BY timed.seconds) AS rn,
      count(*) OVER (PARTITION BY timed.tournament_id) AS n
    FROM (
      SELECT matches.tournament_id AS tournament_id,
        CAST(EXTRACT(epoch FROM matches.completed_at - started.started_at) AS FLOAT) AS seconds
      FROM matches JOIN (
        SELECT match_events.match_id AS match_id, min(match_events.created_at) AS started_at
        FROM match_events WHERE match_events.type = 'started' GROUP BY match_events.match_id
      ) AS started ON started.match_id = matches.id
      WHERE matches.status = 'completed' AND matches.completed_at IS NOT NULL
    ) AS timed
  ) AS ranked GROUP BY ranked.tournament_id
) AS dur ON dur.tournament_id = tournaments.id
LEFT OUTER JOIN (
  SELECT payouts.tournament_id AS tournament_id,
    coalesce(sum(CASE WHEN (payouts.status = 'paid') THEN 1 ELSE 0 END), 0) AS payout_count,
    coalesce(sum(CASE WHEN (payouts.status = 'paid' AND payouts.kind = 'coins')
      THEN payouts.coins ELSE 0 END), 0) AS prize_coins_paid
  FROM payouts GROUP BY payouts.tournament_id
) AS pay ON pay.tournament_id = tournaments.id
WHERE tournaments.deleted_at IS NULL
"""

INT_COLUMNS = (
    "max_participants", "registrations", "total_participants", "checked_in_count",
    "no_show_count", "held", "total_matches", "completed_matches", "disputed_matches",
    "timed_matches", "payout_count",
)  # fmt: skip


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE MATERIALIZED VIEW {NAME} AS {VIEW_SQL} WITH DATA")
        op.execute(f"CREATE UNIQUE INDEX ux_{NAME}_tournament_id ON {NAME} (tournament_id)")
        op.execute(f"CREATE INDEX ix_{NAME}_organizer_id ON {NAME} (organizer_id)")
        return
    op.create_table(
        NAME,
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=False),
        sa.Column("game_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=True),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in INT_COLUMNS),
        sa.Column("match_seconds_total", sa.Float(), nullable=False),
        sa.Column("median_match_seconds", sa.Float(), nullable=True),
        sa.Column("p90_match_seconds", sa.Float(), nullable=True),
        sa.Column("coin_entry_fees", sa.BigInteger(), nullable=False),
        sa.Column("coin_refunds", sa.BigInteger(), nullable=False),
        sa.Column("prize_coins_paid", sa.BigInteger(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tournament_id", name=op.f(f"pk_{NAME}")),
    )
    op.create_index(f"ix_{NAME}_organizer_id", NAME, ["organizer_id"])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {NAME}")
        return
    op.drop_index(f"ix_{NAME}_organizer_id", table_name=NAME)
    op.drop_table(NAME)

"""Analytics representations: `*Schema` out (figures), `*Args` in (query strings)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.economy.analytics import PERIODS

RATE = {"description": "Ratio with 4 decimal places; 0 when there is nothing to divide by"}
MINUTES = {"description": "Minutes, 4 decimal places; null when no match was timed"}
MONEY = {"description": "Decimal string with 2 places", "type": "string"}


def _aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)


# ----- inputs --------------------------------------------------------------------------------
class OrganizerAnalyticsArgs(BaseSchema):
    date_from = ma.fields.Date(
        data_key="from", metadata={"description": "First day of tournament starts (UTC)"}
    )
    date_to = ma.fields.Date(data_key="to", metadata={"description": "Last day (inclusive)"})
    organizer = ma.fields.Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "Staff: the organizer's user id (default: you)"},
    )


class PlatformArgs(BaseSchema):
    date_from = ma.fields.Date(data_key="from", metadata={"description": "Default: 30 days ago"})
    date_to = ma.fields.Date(data_key="to", metadata={"description": "Default: today (UTC)"})
    period = ma.fields.String(load_default="day", validate=ma.validate.OneOf(PERIODS))


# ----- outputs -------------------------------------------------------------------------------
class AnalyticsCacheSchema(BaseSchema):
    source = ma.fields.String(
        metadata={"description": "`summary` (the periodic summary) or `live` (computed now)"}
    )
    as_of = _aware(metadata={"description": "When the figures were computed"})
    age_minutes = ma.fields.Float()


class AnalyticsCashRevenueSchema(BaseSchema):
    currency = ma.fields.String()
    entry_fees = ma.fields.String(metadata=MONEY)
    refunds = ma.fields.String(metadata=MONEY)
    net = ma.fields.String(metadata=MONEY)


class AnalyticsCoinRevenueSchema(BaseSchema):
    entry_fees = ma.fields.Integer()
    refunds = ma.fields.Integer()
    net = ma.fields.Integer()


class AnalyticsRevenueSchema(BaseSchema):
    cash = ma.fields.List(ma.fields.Nested(AnalyticsCashRevenueSchema))
    coins = ma.fields.Nested(AnalyticsCoinRevenueSchema)


class AnalyticsCashAmountSchema(BaseSchema):
    currency = ma.fields.String()
    amount = ma.fields.String(metadata=MONEY)


class AnalyticsPrizesSchema(BaseSchema):
    count = ma.fields.Integer(metadata={"description": "Payouts paid"})
    coins = ma.fields.Integer()
    cash = ma.fields.List(ma.fields.Nested(AnalyticsCashAmountSchema))


class AnalyticsDayCountSchema(BaseSchema):
    date = ma.fields.Date()
    count = ma.fields.Integer()


class _CoreFigures(BaseSchema):
    registrations = ma.fields.Integer(metadata={"description": "Registrations of any status"})
    total_participants = ma.fields.Integer(metadata={"description": "Confirmed registrations"})
    checked_in_count = ma.fields.Integer()
    check_in_rate = ma.fields.Float(metadata=RATE)
    no_show_count = ma.fields.Integer()
    no_show_rate = ma.fields.Float(metadata=RATE)
    total_matches = ma.fields.Integer()
    completed_matches = ma.fields.Integer()
    disputed_matches = ma.fields.Integer()
    dispute_rate = ma.fields.Float(metadata=RATE)
    avg_match_duration_minutes = ma.fields.Float(allow_none=True, metadata=MINUTES)
    payout_count = ma.fields.Integer()


class TournamentAnalyticsSchema(_CoreFigures):
    tournament_id = ma.fields.Integer()
    tournament_status = ma.fields.String()
    started_at = _aware(allow_none=True)
    concluded_at = _aware(allow_none=True)
    max_participants = ma.fields.Integer()
    fill_rate = ma.fields.Float(metadata=RATE)
    median_match_minutes = ma.fields.Float(allow_none=True, metadata=MINUTES)
    p90_match_minutes = ma.fields.Float(allow_none=True, metadata=MINUTES)
    prize_pool_total = ma.fields.String(metadata=MONEY)
    prize_pool_currency = ma.fields.String(allow_none=True)
    prize_pool_coins = ma.fields.Integer()
    revenue = ma.fields.Nested(AnalyticsRevenueSchema)
    prizes_paid = ma.fields.Nested(AnalyticsPrizesSchema)
    registrations_by_day = ma.fields.List(ma.fields.Nested(AnalyticsDayCountSchema))
    cache = ma.fields.Nested(AnalyticsCacheSchema)


class AnalyticsGameFiguresSchema(_CoreFigures):
    game = ma.fields.String(metadata={"description": "Game slug"})
    tournaments = ma.fields.Integer()
    completed_tournaments = ma.fields.Integer()


class OrganizerAnalyticsSchema(_CoreFigures):
    organizer_id = ma.fields.Integer()
    date_from = ma.fields.Date(data_key="from", allow_none=True)
    date_to = ma.fields.Date(data_key="to", allow_none=True)
    tournaments = ma.fields.Integer()
    completed_tournaments = ma.fields.Integer()
    revenue = ma.fields.Nested(AnalyticsRevenueSchema)
    prizes_paid = ma.fields.Nested(AnalyticsPrizesSchema)
    by_game = ma.fields.List(ma.fields.Nested(AnalyticsGameFiguresSchema))
    dashboard = ma.fields.String(metadata={"description": "The organizer dashboard's figures"})
    cache = ma.fields.Nested(AnalyticsCacheSchema)


class PlayerResultSchema(BaseSchema):
    tournament_id = ma.fields.Integer()
    tournament_slug = ma.fields.String()
    tournament_name = ma.fields.String()
    game = ma.fields.String()
    placement = ma.fields.Integer()
    finished_at = _aware()


class PlayerWinningsSchema(BaseSchema):
    coins = ma.fields.Integer()
    cash = ma.fields.List(ma.fields.Nested(AnalyticsCashAmountSchema))


class PlayerStatsSchema(BaseSchema):
    user_id = ma.fields.Integer()
    total_tournaments = ma.fields.Integer()
    tournaments_won = ma.fields.Integer()
    runner_up_count = ma.fields.Integer()
    third_place_count = ma.fields.Integer()
    podiums = ma.fields.Integer()
    total_matches_played = ma.fields.Integer()
    matches_won = ma.fields.Integer()
    matches_lost = ma.fields.Integer()
    win_rate = ma.fields.Float(metadata=RATE)
    best_placement = ma.fields.String(allow_none=True, metadata={"description": "1st, 2nd, 3rd"})
    best_placement_rank = ma.fields.Integer(allow_none=True)
    tournaments_by_game = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    recent_results = ma.fields.List(ma.fields.Nested(PlayerResultSchema))


class MyStatsSchema(PlayerStatsSchema):
    total_prize_winnings = ma.fields.Nested(PlayerWinningsSchema)


class ReportFiguresSchema(BaseSchema):
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_category = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class SanctionFiguresSchema(BaseSchema):
    total = ma.fields.Integer()
    by_state = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_type = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer()),
        metadata={"description": "Per sanction type: active, scheduled, expired, revoked"},
    )


class ModerationAnalyticsSchema(BaseSchema):
    reports = ma.fields.Nested(ReportFiguresSchema)
    sanctions = ma.fields.Nested(SanctionFiguresSchema)


class QueueHealthSchema(BaseSchema):
    mode = ma.fields.String(metadata={"description": "`broker` (server mode) or `embedded`"})
    depth = ma.fields.Integer(allow_none=True)
    oldest_age_seconds = ma.fields.Float(allow_none=True)
    broker_up = ma.fields.Boolean(allow_none=True)


class SystemHealthSchema(BaseSchema):
    uptime_seconds = ma.fields.Integer()
    window = ma.fields.String(
        metadata={"description": "`last_hour`, or `since_start` before the first snapshot"}
    )
    window_seconds = ma.fields.Integer()
    requests = ma.fields.Integer()
    request_rate_per_minute = ma.fields.Float()
    errors_5xx = ma.fields.Integer()
    error_rate = ma.fields.Float(metadata=RATE)
    p95_latency_ms = ma.fields.Float(
        allow_none=True, metadata={"description": "Upper bound of the p95 latency bucket"}
    )
    queue = ma.fields.Nested(QueueHealthSchema)
    websocket_connections = ma.fields.Integer()


class PlatformBucketSchema(BaseSchema):
    start = ma.fields.Date()
    new_users = ma.fields.Integer()
    active_players = ma.fields.Integer()
    tournaments_created = ma.fields.Integer()


class PlatformAnalyticsSchema(BaseSchema):
    period = ma.fields.String()
    date_from = ma.fields.Date(data_key="from")
    date_to = ma.fields.Date(data_key="to")
    users_total = ma.fields.Integer()
    active_players = ma.fields.Integer()
    tournaments_by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    buckets = ma.fields.List(ma.fields.Nested(PlatformBucketSchema))

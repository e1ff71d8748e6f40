"""Analytics: a tournament's figures for its organizers, an organizer's figures over their
tournaments, a player's record, staff figures (moderation, system health, platform), the
participants CSV and the admin's charts. Read-only: it reads what registrations, matches,
payouts, economy and moderation store, and keeps one summary row per tournament
(`tournament_analytics_summary`) refreshed by a periodic job."""

"""The composition root: how the domains are connected, all in one place, once per app.

`create_app()` calls `wire(app)` after the blueprints, admin and CLI are registered. Nothing
in a domain connects itself when it is imported; everything a domain reacts to, answers or
announces across domains is listed here:

* signal receivers: the blinker signals of `core.signals` (sent after commit) and who
  reacts to them;
* typed ports: a lower domain declares a `Protocol` and a `core.ports.Port` for a question
  only a higher domain can answer; the higher domain's implementation is provided on the app
  (`app.extensions`), so every app, test apps included, has its own;
* state listeners: `core.realtime.announce_state_changes` on the status columns whose
  committed changes live followers see;
* cached reads: the tables whose committed changes bump the versions of the cached public
  reads (`core.cache_versions.watch_table`; rows with a `tournament_id` count on their own).

Idempotent per app: a second `wire(app)` changes nothing. Signal connections and SQLAlchemy
attribute listeners are process-wide by nature (blinker keeps one connection per receiver,
`announce_state_changes` registers once per attribute); ports are per app.
"""

from __future__ import annotations

from flask import Flask

from deltacrown.accounts import ports as account_ports
from deltacrown.accounts.pats import PersonalTokenAuth
from deltacrown.accounts.providers import AdminSignIn
from deltacrown.analytics import receivers as analytics_receivers
from deltacrown.brackets import ports as bracket_ports
from deltacrown.brackets.providers import TournamentBracketFacts
from deltacrown.certificates import receivers as certificates_receivers
from deltacrown.core import admin as core_admin
from deltacrown.core import admin_scoped, cache_versions, domain_metrics, realtime, signals
from deltacrown.core import auth as core_auth
from deltacrown.leaderboards import receivers as leaderboards_receivers
from deltacrown.leaderboards.providers import PlayerRatings
from deltacrown.matches import live as match_live
from deltacrown.matches.models import Match
from deltacrown.matches.providers import ModerationSubjects, TournamentMatchStarts
from deltacrown.moderation import ports as moderation_ports
from deltacrown.moderation.providers import SanctionBans
from deltacrown.notifications import receivers as notification_receivers
from deltacrown.payouts import receivers as payouts_receivers
from deltacrown.payouts.providers import PrizePoolEscrow
from deltacrown.registrations import receivers as registrations_receivers
from deltacrown.registrations.providers import TeamRegistrationFacts, TournamentRegistrationFacts
from deltacrown.teams import ports as team_ports
from deltacrown.tournaments import live as tournament_live
from deltacrown.tournaments import ports as tournament_ports
from deltacrown.tournaments.models import Tournament
from deltacrown.tournaments.providers import OrganizerTournaments
from deltacrown.webhooks import receivers as webhook_receivers

WIRED = "deltacrown.wired"


def wire(app: Flask) -> None:
    """Connect receivers, provide ports and announce state changes for `app` (once)."""
    if app.extensions.get(WIRED):
        return
    connect_receivers()
    provide_ports(app)
    announce_state_changes()
    watch_cached_tables()
    app.extensions[WIRED] = True


def connect_receivers() -> None:
    """Reactions to other domains' signals (see `core.signals` for who sends what)."""

    signals.tournament_cancelled.connect(registrations_receivers.on_tournament_cancelled)
    signals.tournament_completed.connect(certificates_receivers.on_tournament_completed)
    signals.match_completed.connect(leaderboards_receivers.on_match_completed)
    signals.tournament_completed.connect(leaderboards_receivers.on_tournament_completed)
    signals.match_result_corrected.connect(leaderboards_receivers.on_match_result_corrected)
    # Domain counters of /metrics (core.domain_metrics lists which signal counts what).
    signals.registration_created.connect(domain_metrics.on_registration_created)
    signals.match_completed.connect(domain_metrics.on_match_completed)
    signals.dispute_opened.connect(domain_metrics.on_dispute_opened)
    signals.payout_paid.connect(domain_metrics.on_payout_paid)
    signals.payout_failed.connect(domain_metrics.on_payout_failed)

    # Webhooks: each event an organizer's endpoint can follow (see webhooks.events).
    signals.tournament_state_changed.connect(webhook_receivers.on_tournament_state_changed)
    signals.registration_created.connect(webhook_receivers.on_registration_created)
    signals.registration_confirmed.connect(webhook_receivers.on_registration_confirmed)
    signals.registration_cancelled.connect(webhook_receivers.on_registration_cancelled)
    signals.match_state_changed.connect(webhook_receivers.on_match_state_changed)
    signals.match_completed.connect(webhook_receivers.on_match_completed)
    signals.dispute_opened.connect(webhook_receivers.on_dispute_opened)
    signals.dispute_resolved.connect(webhook_receivers.on_dispute_resolved)
    signals.payout_paid.connect(webhook_receivers.on_payout_paid)
    # Notices for what concerns people (in the app, by e-mail, on /ws/me): notifications.reactions.
    for event, receive in notification_receivers.RECEIVERS.items():
        getattr(signals, event).connect(receive)
    signals.tournament_cancelled.connect(payouts_receivers.on_tournament_cancelled)
    signals.tournament_completed.connect(payouts_receivers.on_tournament_completed)
    signals.match_result_corrected.connect(payouts_receivers.on_match_result_corrected)
    # A completed tournament's final figures go into the analytics summary at once.
    signals.tournament_state_changed.connect(analytics_receivers.on_tournament_state_changed)


def provide_ports(app: Flask) -> None:
    """Registrations answer what tournaments and teams ask of them; the bracket side answers
    whether a bracket exists and who made the podium; matches start the matches that wait
    for nobody when the bracket side starts a tournament; leaderboards answer the players'
    ratings a bracket is seeded by; accounts answer how an admin sign-in or a personal access
    token becomes a user;
    moderation answers whether an account is banned; matches answer moderation's questions
    about reported subjects and tournament organizers; payouts hold an organizer's prize pool
    as registration opens; tournaments answer which tournaments a user runs (the desks
    organizers share with staff)."""
    core_admin.admin_auth.provide(app, AdminSignIn())
    core_auth.personal_tokens.provide(app, PersonalTokenAuth())
    admin_scoped.organizer_scope.provide(app, OrganizerTournaments())
    account_ports.bans.provide(app, SanctionBans())
    moderation_ports.subjects.provide(app, ModerationSubjects())
    tournament_ports.registrations.provide(app, TournamentRegistrationFacts())
    tournament_ports.brackets.provide(app, TournamentBracketFacts())
    tournament_ports.prize_funding.provide(app, PrizePoolEscrow())
    bracket_ports.matches.provide(app, TournamentMatchStarts())
    bracket_ports.ratings.provide(app, PlayerRatings())
    team_ports.registrations.provide(app, TeamRegistrationFacts())


def announce_state_changes() -> None:
    """`tournament.state_changed` and `match.state_changed` after every committed status
    change, on any code path (services, sweeps, the admin), to live followers and as the
    `tournament_state_changed` / `match_state_changed` signals."""

    realtime.announce_state_changes(
        Tournament.status,
        "tournament.state_changed",
        channels=tournament_live.state_channels,
        ids=tournament_live.state_ids,
        signal=signals.tournament_state_changed,
    )
    realtime.announce_state_changes(
        Match.status,
        "match.state_changed",
        channels=match_live.state_channels,
        ids=match_live.state_ids,
        signal=signals.match_state_changed,
    )


# Which lists-wide cached pages (core.cache_versions) show the rows of each table: the
# tournament lists (`LISTS`), the leaderboards (`LEADERBOARDS`), or neither (rows with a
# `tournament_id` shown only by their tournament's reads: a match result leaves the lists
# cached). Tables with a `tournament_id` not named here bump the tournament lists.
_BOTH = (cache_versions.LISTS, cache_versions.LEADERBOARDS)
WATCHED_TABLES: dict[str, tuple[str, ...]] = {
    "teams": _BOTH,
    "team_memberships": _BOTH,
    "games": _BOTH,
    "game_configs": _BOTH,
    "seasons": (cache_versions.LEADERBOARDS,),
    "player_ratings": (cache_versions.LEADERBOARDS,),
    "rating_changes": (cache_versions.LEADERBOARDS,),
    "leaderboard_points": (cache_versions.LEADERBOARDS,),
    "tournament_results": _BOTH,
    # Tournament list rows show no registration; only pages filtered on held places count them.
    "registrations": (cache_versions.HELD_PLACES,),
    "registration_members": (cache_versions.HELD_PLACES,),
    **{
        name: ()
        for name in (
            "matches",
            "match_events",
            "match_vetoes",
            "disputes",
            "stages",
            "tournament_matchday",
            "tournament_staff",
            "tournament_custom_fields",
            "tournament_slugs",
            "registration_payments",
            "certificates",
            "payouts",
        )
    },
}
# Columns shown wherever their row appears (organizers, players and teams by name): a change
# reaches every cached read.
SHOWN_EVERYWHERE = {
    "users": ("username", "display_name", "avatar_key", "country"),
    "teams": ("name", "tag", "logo_url", "logo_alt_text"),
}


def watch_cached_tables() -> None:
    """Which committed changes make the cached public reads (core.response_cache) stale."""
    cache_versions.watch_table(Tournament.__tablename__, tournament_attr="id", lists=_BOTH)
    for name, lists in WATCHED_TABLES.items():
        cache_versions.watch_table(name, lists=lists)
    for name, columns in SHOWN_EVERYWHERE.items():
        cache_versions.watch_columns(name, columns)

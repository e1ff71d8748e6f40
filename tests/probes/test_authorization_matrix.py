"""The authorization matrix: every operation of the URL map under /api/ × every role.

`EXPECTED` is the one table of who may call what. For each operation, the roles it names are
allowed: they never get 401/403 (except `CREDENTIALS` operations, whose answer depends on the
credentials in the request) and never a 5xx; a GET they make answers 2xx. Every other role must
get 401, 403 or 404: never 2xx, never 5xx. Operations marked `VALIDATED_FIRST` validate their
body before they look at the caller, so a denied role may also get 422 `validation_error` there.

The world (tests/probes/conftest.py) has one of each resource; `player` is a participant of the
organizer's started cup who captains a team and owns a purchase and a game profile. Operations
run reads first and deletions last, each with the denied roles before the allowed ones.
A new operation in the URL map without a row here fails `test_every_api_operation_has_a_row`.
"""

from __future__ import annotations

from typing import Any

from deltacrown.core import response_cache
from tests.probes.conftest import ROLES
from tests.probes.matrix_support import minimal_body, url_for_rule

PUBLIC = frozenset(ROLES)
USERS = PUBLIC - {"anonymous"}
MANAGERS = frozenset({"organizer", "co_organizer", "staff"})
OWNER = frozenset({"organizer", "staff"})  # the creator (not co-organizers), and staff
STAFF = frozenset({"staff"})
PLAYER = frozenset({"player"})  # the participant / captain / owner in the world
PLAYER_STAFF = PLAYER | STAFF
PARTICIPANT_MANAGERS = PLAYER | MANAGERS
NOBODY: frozenset[str] = frozenset()  # e.g. an invite only its invitee may answer
CREDENTIALS = "credentials"

T = "/api/tournaments/<int:tournament_id>"
M = "/api/matches/<int:match_id>"
R = "/api/registrations/<int:registration_id>"
P = "/api/shop/purchases/<int:purchase_id>"
TEAM = "/api/teams/<int:team_id>"
WH = "/api/webhooks/endpoints/<int:endpoint_id>"

EXPECTED: dict[str, Any] = {
    # accounts
    "POST /api/auth/register/": CREDENTIALS,
    "POST /api/auth/login/": CREDENTIALS,
    "POST /api/auth/refresh/": CREDENTIALS,
    "POST /api/auth/logout/": CREDENTIALS,
    "POST /api/auth/change-password/": USERS,
    "GET /api/auth/me/": USERS,
    "PATCH /api/auth/me/": USERS,
    "PUT /api/auth/me/avatar/": USERS,
    "DELETE /api/auth/me/avatar/": USERS,
    "GET /api/users/": USERS,
    "GET /api/users/<int:user_id>/": USERS,
    "GET /api/me/game-profiles/": USERS,
    "POST /api/me/game-profiles/": USERS,
    "GET /api/me/game-profiles/<int:profile_id>/": PLAYER,
    "PATCH /api/me/game-profiles/<int:profile_id>/": PLAYER,
    "DELETE /api/me/game-profiles/<int:profile_id>/": PLAYER,
    "GET /api/admin/users/": STAFF,
    # two-factor sign-in and personal access tokens: everyone their own
    "GET /api/auth/2fa/": USERS,
    "POST /api/auth/2fa/setup/": USERS,
    "POST /api/auth/2fa/enable/": USERS,
    "POST /api/auth/2fa/disable/": USERS,
    "POST /api/auth/2fa/verify/": CREDENTIALS,
    "GET /api/me/tokens/": USERS,
    "POST /api/me/tokens/": USERS,
    "DELETE /api/me/tokens/<int:token_id>/": PLAYER,
    "GET /api/admin/users/<int:user_id>/": STAFF,
    "PATCH /api/admin/users/<int:user_id>/": STAFF,
    # password reset, e-mail verification, OAuth sign-in (no provider configured here: 404)
    "POST /api/auth/password-reset/": CREDENTIALS,
    "POST /api/auth/password-reset/confirm/": CREDENTIALS,
    "POST /api/auth/verify-email/": USERS,
    "POST /api/auth/verify-email/confirm/": CREDENTIALS,
    "POST /api/auth/change-email/": USERS,
    "POST /api/admin/users/<int:user_id>/verify-email/": STAFF,
    "GET /api/auth/oauth/<provider>/start/": CREDENTIALS,
    "POST /api/auth/oauth/<provider>/link/start/": USERS,
    "GET /api/auth/oauth/<provider>/callback/": CREDENTIALS,
    "POST /api/auth/oauth/exchange/": CREDENTIALS,
    "GET /api/me/oauth/": USERS,
    "DELETE /api/me/oauth/<provider>/": USERS,
    "GET /api/admin/audit/": STAFF,
    # notifications: everyone their own; a notice only its recipient may mark read
    "GET /api/notifications/": USERS,
    "GET /api/notifications/unread-count/": USERS,
    "POST /api/notifications/<int:notification_id>/read/": PLAYER,
    "POST /api/notifications/read-all/": USERS,
    "GET /api/me/notification-preferences/": USERS,
    # home
    "GET /api/me/summary/": USERS,
    "PATCH /api/me/notification-preferences/": USERS,
    # games
    "GET /api/games/": PUBLIC,
    "GET /api/games/<game_ref>/": PUBLIC,
    "GET /api/games/<game_ref>/config-schema/": PUBLIC,
    "POST /api/games/<game_ref>/config-schema/": STAFF,
    # tournaments
    "GET /api/tournaments/": PUBLIC,
    "POST /api/tournaments/": USERS,
    "GET /api/tournaments/search/": PUBLIC,
    "GET /api/tournaments/upcoming/": PUBLIC,
    "GET /api/tournaments/by-game/<game_ref>/": PUBLIC,
    "POST /api/tournaments/from-template/": USERS,
    f"GET {T}/": PUBLIC,
    f"PATCH {T}/": MANAGERS,
    f"DELETE {T}/": MANAGERS,
    f"POST {T}/publish/": MANAGERS,
    f"POST {T}/open-registration/": MANAGERS,
    f"POST {T}/close-registration/": MANAGERS,
    f"POST {T}/close-checkin/": MANAGERS,
    f"POST {T}/cancel/": MANAGERS,
    f"POST {T}/organizers/": OWNER,
    f"DELETE {T}/organizers/<int:user_id>/": MANAGERS,  # the co-organizer leaves
    f"GET {T}/custom-fields/": PUBLIC,
    f"POST {T}/custom-fields/": MANAGERS,
    f"PATCH {T}/custom-fields/<int:field_id>/": MANAGERS,
    f"DELETE {T}/custom-fields/<int:field_id>/": MANAGERS,
    "GET /api/tournament-templates/": PUBLIC,
    "POST /api/tournament-templates/": USERS,
    "GET /api/tournament-templates/<int:template_id>/": OWNER,
    "PATCH /api/tournament-templates/<int:template_id>/": OWNER,
    "DELETE /api/tournament-templates/<int:template_id>/": OWNER,
    # registrations, check-in, payments
    f"GET {T}/registrations/": PUBLIC,
    f"POST {T}/registrations/": USERS,
    f"GET {T}/waitlist/": USERS,
    f"POST {T}/waitlist/join/": USERS,
    f"DELETE {T}/waitlist/leave/": USERS,
    f"POST {T}/check-in/": USERS,
    f"DELETE {T}/check-in/": USERS,
    f"GET {T}/check-in/status/": PUBLIC,
    f"GET {T}/payments/": MANAGERS,
    "GET /api/me/registrations/": USERS,
    f"GET {R}/": PUBLIC,  # the public participant entry of a public tournament
    f"POST {R}/cancel/": PARTICIPANT_MANAGERS,
    f"POST {R}/approve/": MANAGERS,
    f"POST {R}/reject/": MANAGERS,
    f"POST {R}/promote/": MANAGERS,
    f"POST {R}/force-check-in/": MANAGERS,
    f"POST {R}/undo-check-in/": PARTICIPANT_MANAGERS,
    f"POST {R}/payment/": PLAYER,
    f"POST {R}/payment/verify/": MANAGERS,
    f"POST {R}/payment/reject/": MANAGERS,
    "GET /api/admin/refunds-due/": STAFF,
    "POST /api/admin/refunds-due/<int:registration_id>/mark-refunded/": STAFF,
    # brackets and matches
    f"POST {T}/bracket/generate/": MANAGERS,
    f"GET {T}/bracket/": PUBLIC,
    f"GET {T}/bracket.svg": PUBLIC,
    f"GET {T}/bracket.png": PUBLIC,
    f"GET {T}/share/": PUBLIC,
    "GET /api/tournaments/by-slug/<slug>/": PUBLIC,
    f"GET {T}/og.png": PUBLIC,
    f"GET {T}/matches/": PUBLIC,
    f"GET {T}/standings/": PUBLIC,
    f"POST {T}/start/": MANAGERS,
    f"POST {T}/lobbies/<int:number>/games/": MANAGERS,
    f"GET {M}/": PUBLIC,
    f"PATCH {M}/": MANAGERS,
    f"GET {M}/events/": PUBLIC,
    f"POST {M}/check-in/": PLAYER,
    f"POST {M}/start/": MANAGERS,
    f"POST {M}/score/": PARTICIPANT_MANAGERS,
    f"POST {M}/submit-result/": PLAYER,
    f"POST {M}/confirm-result/": PARTICIPANT_MANAGERS,
    f"POST {M}/dispute/": PLAYER,
    f"POST {M}/evidence/": PARTICIPANT_MANAGERS,
    f"POST {M}/override-result/": MANAGERS,
    f"POST {M}/forfeit/": MANAGERS,
    f"POST {M}/cancel/": MANAGERS,
    f"POST {M}/result/": MANAGERS,
    f"POST {M}/correction/": MANAGERS,
    f"POST {M}/correction/preview/": MANAGERS,
    f"GET {M}/veto/": PUBLIC,
    f"POST {M}/veto/": PARTICIPANT_MANAGERS,
    f"GET {M}/games/": PUBLIC,
    f"GET {T}/participants/": MANAGERS,
    f"POST {T}/participants/": MANAGERS,
    f"POST {T}/participants/import/": MANAGERS,
    f"POST {T}/participants/<int:registration_id>/invite/": MANAGERS,
    "POST /api/participants/claim/": USERS,  # any signed-in user holding a token
    "GET /api/disputes/": USERS,  # each caller sees the disputes they may see
    "GET /api/disputes/<int:dispute_id>/": PARTICIPANT_MANAGERS,
    "POST /api/disputes/<int:dispute_id>/review/": MANAGERS,
    "POST /api/disputes/<int:dispute_id>/resolve/": MANAGERS,
    "POST /api/disputes/<int:dispute_id>/dismiss/": MANAGERS,
    # teams
    "GET /api/teams/": PUBLIC,
    "POST /api/teams/": USERS,
    f"GET {TEAM}/": PUBLIC,
    f"PATCH {TEAM}/": PLAYER_STAFF,
    f"POST {TEAM}/disband/": PLAYER_STAFF,
    f"GET {TEAM}/invites/": PLAYER_STAFF,
    f"POST {TEAM}/invites/": PLAYER_STAFF,
    f"DELETE {TEAM}/members/<int:user_id>/": PLAYER_STAFF,
    f"POST {TEAM}/transfer-captain/": PLAYER_STAFF,
    "GET /api/me/team-invites/": USERS,
    "GET /api/team-invites/<int:invite_id>/": PLAYER_STAFF,
    "DELETE /api/team-invites/<int:invite_id>/": PLAYER_STAFF,
    "POST /api/team-invites/<int:invite_id>/accept/": NOBODY,
    "POST /api/team-invites/<int:invite_id>/decline/": NOBODY,
    # economy
    "GET /api/wallet/": USERS,
    "GET /api/wallet/transactions/": USERS,
    "GET /api/shop/items/": PUBLIC,
    "GET /api/shop/inventory/": USERS,
    "POST /api/shop/promo-codes/validate/": USERS,
    "GET /api/shop/purchases/": USERS,
    "POST /api/shop/purchases/": USERS,
    f"GET {P}/": PLAYER_STAFF,
    f"POST {P}/apply-promo/": PLAYER_STAFF,
    f"POST {P}/capture/": PLAYER_STAFF,
    f"POST {P}/release/": PLAYER_STAFF,
    f"POST {P}/refund/": STAFF,
    "GET /api/admin/shop/items/": STAFF,
    "POST /api/admin/shop/items/": STAFF,
    "GET /api/admin/shop/items/<int:item_id>/": STAFF,
    "PATCH /api/admin/shop/items/<int:item_id>/": STAFF,
    "DELETE /api/admin/shop/items/<int:item_id>/": STAFF,
    "GET /api/admin/promo-codes/": STAFF,
    "POST /api/admin/promo-codes/": STAFF,
    "GET /api/admin/promo-codes/<int:promo_id>/": STAFF,
    "PATCH /api/admin/promo-codes/<int:promo_id>/": STAFF,
    "DELETE /api/admin/promo-codes/<int:promo_id>/": STAFF,
    "POST /api/admin/wallets/<int:user_id>/adjust/": STAFF,
    "GET /api/admin/analytics/revenue/": STAFF,
    # certificates
    f"GET {T}/certificates/": USERS,  # organizers see all, others their own
    f"POST {T}/certificates/generate/": MANAGERS,
    "GET /api/me/certificates/": USERS,
    "GET /api/certificates/<int:certificate_id>/download/": PARTICIPANT_MANAGERS,
    "GET /api/certificates/verify/<code>/": PUBLIC,
    "POST /api/admin/certificates/<int:certificate_id>/revoke/": STAFF,
    # leaderboards
    "GET /api/leaderboards/": PUBLIC,
    "GET /api/leaderboards/rank/": PUBLIC,
    "GET /api/users/<int:user_id>/leaderboard-history/": PUBLIC,
    "GET /api/users/<int:user_id>/ratings/": PUBLIC,
    f"GET {M}/prediction/": PUBLIC,
    "GET /api/seasons/": PUBLIC,
    f"GET {T}/odds/": PUBLIC,
    "POST /api/admin/seasons/": STAFF,
    "PATCH /api/admin/seasons/<int:season_id>/": STAFF,
    "DELETE /api/admin/seasons/<int:season_id>/": STAFF,
    "GET /api/admin/leaderboards/breakdown/": STAFF,
    "POST /api/admin/leaderboards/recompute/": STAFF,
    "POST /api/admin/tournaments/<int:tournament_id>/force-advance/": STAFF,
    "POST /api/admin/tournaments/<int:tournament_id>/reset-match/": STAFF,
    "POST /api/admin/tournaments/<int:tournament_id>/regenerate-bracket/": STAFF,
    "POST /api/admin/tournaments/<int:tournament_id>/freeze/": STAFF,
    "POST /api/admin/tournaments/<int:tournament_id>/unfreeze/": STAFF,
    "POST /api/admin/tournaments/<int:tournament_id>/override-placement/": STAFF,
    # match day: staff and settings, agreed times, lobby codes, streams, calendars, exports
    f"GET {T}/staff/": PUBLIC,
    f"POST {T}/staff/": MANAGERS,
    # co-organizers may too, but the one in the world has stepped down by then
    f"DELETE {T}/staff/<int:user_id>/": OWNER,
    f"GET {T}/matchday/": PUBLIC,
    f"PATCH {T}/matchday/": MANAGERS,
    f"GET {M}/schedule-proposals/": PARTICIPANT_MANAGERS,
    f"POST {M}/schedule-proposals/": PLAYER,  # a side of the match
    f"POST {M}/schedule-proposals/<int:proposal_id>/accept/": PLAYER,  # the other side
    f"POST {M}/schedule-proposals/<int:proposal_id>/decline/": PLAYER,
    f"GET {M}/room/": PARTICIPANT_MANAGERS,
    f"PATCH {M}/room/": MANAGERS,
    f"PATCH {M}/streams/": MANAGERS,
    f"GET {T}/streams/": PUBLIC,
    f"GET {T}/calendar.ics": PUBLIC,
    "GET /api/me/calendar.ics": CREDENTIALS,  # the calendar token in the address
    "POST /api/me/calendar-token/": USERS,
    "DELETE /api/me/calendar-token/": USERS,
    f"GET {T}/standings/export/": PUBLIC,
    f"GET {T}/matches/export/": PUBLIC,
    # match room
    f"GET {M}/chat/": PARTICIPANT_MANAGERS,
    f"POST {M}/chat/": PARTICIPANT_MANAGERS,
    f"POST {M}/chat/<int:message_id>/hide/": STAFF,
    # moderation
    "POST /api/reports/": USERS,
    "GET /api/me/reports/": USERS,
    "GET /api/me/sanctions/": USERS,
    "POST /api/me/sanctions/<int:sanction_id>/appeal/": PLAYER,  # the sanctioned user
    "GET /api/admin/reports/": STAFF,
    "POST /api/admin/reports/<int:report_id>/triage/": STAFF,
    "POST /api/admin/reports/<int:report_id>/resolve/": STAFF,
    "POST /api/admin/reports/<int:report_id>/dismiss/": STAFF,
    "GET /api/admin/sanctions/": STAFF,
    "POST /api/admin/sanctions/": STAFF,  # organizers: only tournament-scoped, in their own
    "POST /api/admin/sanctions/<int:sanction_id>/revoke/": STAFF,
    "GET /api/admin/appeals/": STAFF,
    "POST /api/admin/appeals/<int:appeal_id>/accept/": STAFF,
    "POST /api/admin/appeals/<int:appeal_id>/reject/": STAFF,
    # payouts
    f"GET {T}/payouts/": PUBLIC,
    f"POST {T}/payouts/": MANAGERS,
    f"GET {T}/payouts/verify/": MANAGERS,
    "GET /api/me/payouts/": USERS,
    "GET /api/me/payout-methods/": USERS,
    "POST /api/me/payout-methods/": USERS,
    "DELETE /api/me/payout-methods/<int:method_id>/": PLAYER,
    "GET /api/admin/payouts/": STAFF,
    "GET /api/admin/payouts/organizer-balances/": STAFF,
    "POST /api/admin/payouts/<int:payout_id>/mark-paid/": STAFF,
    "POST /api/admin/payouts/<int:payout_id>/mark-failed/": STAFF,
    "POST /api/admin/payouts/<int:payout_id>/retry/": STAFF,
    # organizer
    "GET /api/organizer/dashboard/stats/": USERS,  # each organizer's own numbers
    "GET /api/organizer/tournaments/<int:tournament_id>/health/": MANAGERS,
    "GET /api/organizer/tournaments/<int:tournament_id>/participants/": MANAGERS,
    # analytics
    f"GET {T}/analytics/": MANAGERS,
    f"GET {T}/analytics/participants.csv": MANAGERS,
    "GET /api/organizer/analytics/": USERS,  # each organizer's own figures
    "GET /api/users/<int:user_id>/stats/": PUBLIC,  # a player's public record
    "GET /api/me/stats/": USERS,
    "GET /api/admin/analytics/moderation/": STAFF,
    "GET /api/admin/analytics/system-health/": STAFF,
    "GET /api/admin/analytics/platform/": STAFF,
    # webhooks: each user's own endpoints (staff: all)
    "GET /api/webhooks/endpoints/": USERS,
    "POST /api/webhooks/endpoints/": USERS,
    f"GET {WH}/": OWNER,
    f"PATCH {WH}/": OWNER,
    f"DELETE {WH}/": OWNER,
    f"POST {WH}/rotate-secret/": OWNER,
    f"POST {WH}/test/": OWNER,
    f"GET {WH}/deliveries/": OWNER,
    f"POST {WH}/deliveries/<int:delivery_id>/replay/": OWNER,
}

# Operations that validate the body before authorization (multipart or list bodies whose
# simplest schema-valid form the service still refuses): a denied role may see a 422 there.
VALIDATED_FIRST = {
    f"POST {M}/submit-result/",
    f"POST {M}/evidence/",
    f"POST {T}/participants/import/",
    f"POST {R}/payment/",
}

DENIED = {401, 403, 404}
# Denied roles first; among the allowed, a co-organizer acts before the organizer and staff can
# remove them, so "the co-organizer leaves" is what the matrix sees.
ALLOWED_ORDER = ("anonymous", "player", "other_organizer", "co_organizer", "staff", "organizer")
# Run order: reads, then edits, then actions that end a resource, then deletions.
ENDING = ("/cancel/", "/disband/", "/dismiss/", "/resolve/", "/refund/", "/capture/", "/release/")


def api_operations(app: Any) -> list[str]:
    return [
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and not rule.rule.startswith("/api/docs")
        and rule.rule != "/api/openapi.json"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def run_order(key: str) -> tuple[int, str]:
    method, rule = key.split(" ", 1)
    if method == "GET":
        rank = 0
    elif method == "DELETE":
        rank = 3
    elif rule.endswith(ENDING):
        rank = 2
    else:
        rank = 1
    return rank, key


def test_every_api_operation_has_a_row(app: Any) -> None:
    operations = set(api_operations(app))
    assert operations - EXPECTED.keys() == set(), "operations without a row in EXPECTED"
    assert EXPECTED.keys() - operations == set(), "rows in EXPECTED for no operation"


def test_each_role_gets_only_what_the_table_allows(app: Any, client: Any, world: Any) -> None:
    violations: list[str] = []
    cache_violations: list[str] = []
    for key in sorted(api_operations(app), key=run_order):
        method, rule = key.split(" ", 1)
        allowed = EXPECTED[key]
        url = url_for_rule(rule, world)
        body = minimal_body(method, rule)
        granted = allowed if isinstance(allowed, frozenset) else PUBLIC
        roles = sorted(ROLES, key=lambda role: (role in granted, ALLOWED_ORDER.index(role)))
        for role in roles:
            kwargs: dict[str, Any] = {"headers": world.headers(role)}
            if body is not None:
                kwargs["json"] = body
            response = client.open(url, method=method, **kwargs)
            status = response.status_code
            if method == "GET":
                cache_violations.extend(cache_control_violations(key, role, response))
            problem = response.get_json(silent=True) if status >= 400 else None
            response.close()  # a streamed export (CSV) ends in its own request context
            code = problem.get("code") if isinstance(problem, dict) else None
            if status >= 500:
                violations.append(f"{key} as {role}: {status} {code}")
            elif allowed == CREDENTIALS:
                continue
            elif role in allowed:
                if status in (401, 403) or (method == "GET" and status >= 300):
                    violations.append(f"{key} as {role} (allowed): {status} {code}")
            elif status not in DENIED and not (
                key in VALIDATED_FIRST and status == 422 and code == "validation_error"
            ):
                violations.append(f"{key} as {role} (denied): {status} {code}")
    assert not violations, "\n".join(violations)
    assert not cache_violations, "\n".join(cache_violations)


# Operations that say on their own how their answer may be cached (files, pictures,
# calendars, CSV downloads: `no-store`, or a calendar program's `private, max-age=300`).
OWN_CACHE_CONTROL = frozenset(
    {
        "GET /api/certificates/<int:certificate_id>/download/",
        f"GET {T}/og.png",
        f"GET {T}/analytics/participants.csv",
        f"GET {T}/calendar.ics",
        f"GET {T}/matches/export/",
        f"GET {T}/standings/export/",
        "GET /api/me/calendar.ics",
    }
)


def cache_control_violations(key: str, role: str, response: Any) -> list[str]:
    """Every GET says how it may be cached: an anonymous answer is public (an error: not
    stored), an answer to credentials private (not stored at all on personal data)."""
    value = response.headers.get("Cache-Control", "")
    status = response.status_code
    if role == "anonymous":
        expected = response_cache.PUBLIC if status < 400 else response_cache.NO_STORE
    elif key.split(" ", 1)[1].startswith(response_cache.SENSITIVE_PREFIXES):
        expected = response_cache.SENSITIVE
    else:
        expected = response_cache.PRIVATE
    ok = value == expected or key in OWN_CACHE_CONTROL
    return [] if ok else [f"{key} as {role}: {status} Cache-Control {value!r}"]

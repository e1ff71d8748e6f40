"""The enforcement question every gate asks: `check(user_id, action, tournament_id=None)`.

Which sanction types stop which action is one table (`BLOCKING`). A `tournament`-scoped
sanction counts only when the gate names that tournament; every other scope applies
wherever its type blocks. A team's sanctions count for its members when the gate passes the
team (`team_id`: a team registration).

The active sanctions of a user (or team) are read from the app cache (memory in the embedded
default, Redis in server mode, so every process sees one copy) for 60 s, and dropped from it
on every change (`invalidate`), right away and again after the commit. The cached entries
are ids, types, scopes and times: no personal data. Nothing read inside a unit of work that
has already written is cached (it might be rolled back). A cache that is down is skipped
(logged): the check reads the database.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
import sqlalchemy as sa

from deltacrown.core.cache import cache
from deltacrown.core.db import db
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.core.transaction import after_commit, on_rollback
from deltacrown.moderation.errors import MutedError, SanctionedError
from deltacrown.moderation.models import Sanction, SanctionScope, SanctionType

CACHE_SECONDS = 60
T = SanctionType
log = logging.getLogger(__name__)
# A cache that is down must not stop anyone: the check then reads the database.
CACHE_ERRORS = (redis.RedisError, OSError)


class Action(enum.StrEnum):
    LOGIN = "login"  # sign-in and token use
    REGISTER = "register"
    CHECK_IN = "check_in"
    TEAM = "team"  # create a team, invite, accept an invite
    FOLLOW_PRIVATE = "follow_private"  # a private tournament's or match's live channel
    LIVE_MESSAGE = "live_message"  # match-room chat and live score updates
    SHOP = "shop"
    REPORT = "report"


BLOCKING: dict[Action, frozenset[SanctionType]] = {
    Action.LOGIN: frozenset({T.BAN}),
    Action.REGISTER: frozenset({T.BAN, T.SUSPENSION}),
    Action.CHECK_IN: frozenset({T.BAN, T.SUSPENSION}),
    Action.TEAM: frozenset({T.BAN}),
    Action.FOLLOW_PRIVATE: frozenset({T.BAN, T.SUSPENSION}),
    Action.LIVE_MESSAGE: frozenset({T.BAN, T.MUTE}),
    Action.SHOP: frozenset({T.BAN, T.SHOP_BAN}),
    Action.REPORT: frozenset({T.BAN}),
}
REASONS = {T.BAN: "banned", T.SUSPENSION: "suspended", T.MUTE: "muted", T.SHOP_BAN: "shop_banned"}
# When several sanctions block, the gravest is the one reported.
SEVERITY = {T.BAN: 0, T.SUSPENSION: 1, T.SHOP_BAN: 2, T.MUTE: 3, T.WARNING: 4}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason_code: str | None = None
    sanction_id: int | None = None
    ends_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "reason_code": self.reason_code,
            "sanction_id": self.sanction_id,
            "ends_at": isoformat(self.ends_at) if self.ends_at else None,
        }


ALLOWED = Decision(True)


@dataclass(frozen=True)
class Entry:
    """What the cache keeps of one sanction."""

    id: int
    type: SanctionType
    scope: SanctionScope
    scope_id: int | None
    starts: float
    ends: float | None

    def applies(self, action: Action, tournament_id: int | None, now: float) -> bool:
        if self.type not in BLOCKING[action] or now < self.starts:
            return False
        if self.ends is not None and now >= self.ends:
            return False
        return self.scope is not SanctionScope.TOURNAMENT or self.scope_id == tournament_id


# ----- the cache -------------------------------------------------------------------------------
def cache_key(kind: str, subject_id: int) -> str:
    return f"moderation:{kind}:{subject_id}:sanctions"


def _load(kind: str, subject_id: int) -> list[Entry]:
    column = Sanction.user_id if kind == "user" else Sanction.team_id
    rows = db.session.execute(
        sa.select(
            Sanction.id,
            Sanction.type,
            Sanction.scope,
            Sanction.scope_id,
            Sanction.starts_at,
            Sanction.ends_at,
        ).where(
            column == subject_id,
            Sanction.revoked_at.is_(None),
            Sanction.type != T.WARNING,
            sa.or_(Sanction.ends_at.is_(None), Sanction.ends_at > utcnow()),
        )
    )
    return [
        Entry(id_, type_, scope, scope_id, starts.timestamp(), ends.timestamp() if ends else None)
        for id_, type_, scope, scope_id, starts, ends in rows
    ]


def _has_written() -> bool:
    session = db.session()
    return bool(session.new or session.dirty or session.deleted or session.info.get("has_writes"))


def active_entries(kind: str, subject_id: int) -> list[Entry]:
    """The user's (`kind` "user") or team's unrevoked, unexpired sanctions, cached."""
    key = cache_key(kind, subject_id)
    try:
        cached = cache.get(key)
    except CACHE_ERRORS:
        log.warning("sanction cache unavailable; reading the database", exc_info=True)
        cached = None
    if cached is not None:
        return [Entry(i, T(t), SanctionScope(s), sid, st, en) for i, t, s, sid, st, en in cached]
    entries = _load(kind, subject_id)
    if not _has_written():
        rows = [(e.id, e.type.value, e.scope.value, e.scope_id, e.starts, e.ends) for e in entries]
        try:
            cache.set(key, rows, timeout=CACHE_SECONDS)
        except CACHE_ERRORS:
            log.warning("sanction cache unavailable; not cached", exc_info=True)
    return entries


def _drop(key: str) -> None:
    try:
        cache.delete(key)
    except CACHE_ERRORS:  # it expires within CACHE_SECONDS anyway
        log.warning("sanction cache unavailable; %s not dropped", key, exc_info=True)


def invalidate(user_id: int | None = None, team_id: int | None = None) -> None:
    """Drop the cached sanctions of a user or team now, after the commit and on a rollback."""
    keys = [cache_key("user", user_id)] if user_id is not None else []
    keys += [cache_key("team", team_id)] if team_id is not None else []
    for key in keys:
        _drop(key)
        after_commit(_drop, key)
        on_rollback(_drop, key)


# ----- the question ----------------------------------------------------------------------------
def check(
    user_id: int,
    action: Action | str,
    tournament_id: int | None = None,
    *,
    team_id: int | None = None,
    now: datetime | None = None,
) -> Decision:
    """May `user_id` (and, when given, their team `team_id`) do `action` now, in
    `tournament_id` if the action happens in one?"""
    action = Action(action)
    at = (now or utcnow()).timestamp()
    entries = active_entries("user", user_id)
    if team_id is not None:
        entries = entries + active_entries("team", team_id)
    blocking = [e for e in entries if e.applies(action, tournament_id, at)]
    if not blocking:
        return ALLOWED
    worst = min(blocking, key=lambda e: (SEVERITY[e.type], -(e.ends or float("inf"))))
    ends_at = datetime.fromtimestamp(worst.ends, tz=UTC) if worst.ends is not None else None
    return Decision(False, REASONS[worst.type], worst.id, ends_at)


def explain(decision: Decision, *, subject: str = "This account") -> str:
    """The sentence a refused user reads: why, until when, how to appeal."""
    what = (decision.reason_code or "sanctioned").replace("_", " ")
    until = f"until {readable(decision.ends_at)}" if decision.ends_at else "permanently"
    return (
        f"{subject} is {what} {until} (sanction {decision.sanction_id}); "
        f"appeal at /api/me/sanctions/{decision.sanction_id}/appeal/."
    )


def problem_extra(decision: Decision) -> dict[str, Any]:
    """The problem's extension members for a refusal."""
    return {
        "reason_code": decision.reason_code,
        "sanction_id": decision.sanction_id,
        "ends_at": isoformat(decision.ends_at) if decision.ends_at else None,
        "appeal": f"/api/me/sanctions/{decision.sanction_id}/appeal/",
    }


def enforce(
    user_id: int,
    action: Action | str,
    tournament_id: int | None = None,
    *,
    team_id: int | None = None,
    subject: str = "This account",
) -> None:
    """`check`, raising on a refusal: MutedError (403 `muted`) for a live message, else
    SanctionedError (403 `sanctioned`)."""
    decision = check(user_id, action, tournament_id, team_id=team_id)
    if decision.allowed:
        return
    error = MutedError if decision.reason_code == "muted" else SanctionedError
    raise error(explain(decision, subject=subject), **problem_extra(decision))

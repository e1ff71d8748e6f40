"""Versions of what the cached public reads show, bumped after every commit that changes it.

A version is a random token kept in the app's cache (Redis in server mode, memory in the
embedded default), never a counter: a token the cache evicted is replaced by a new random one,
so an old entry can never match again. Three kinds of scope:

* `tournament:<id>`: a tournament and everything of it (any row with a `tournament_id`
  column, and the rows of tables registered with `watch_table(name, tournament_attr=...)`,
  such as `tournaments` itself by its `id`);
* `lists` (the tournament lists), `lists:places` (the list pages filtered on held places,
  `has_slots=`, on top of `lists`) and `leaderboards` (the leaderboard pages): what those pages
  may show. A table's rows bump the ones it is registered with (`watch_table(name,
  lists=...)`); a row with a `tournament_id` of a table not registered bumps `lists` with its
  tournament, to be safe. Matches, their events and disputes are registered with none: a match
  result leaves the cached lists alone;
* `epoch`: part of every key; bumped when an ORM bulk UPDATE/DELETE/INSERT touches a watched
  table of tournaments' rows (the rows and so the tournaments it touches are not known; a
  bulk write of a table no tournament shows, such as a first rating, bumps only the
  lists-wide scopes it is registered with), and when a column
  registered with `watch_columns` changes (a user's or a team's name: shown in every
  tournament they played, rare enough to start afresh).

Changes are collected when the session flushes and the versions are bumped only after the
outermost commit; a rollback drops them. SQL written as text is not seen: the cache entries'
timeout (`RESPONSE_CACHE_SECONDS`) is the safety net.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from deltacrown.core.cache import cache

log = logging.getLogger(__name__)

EPOCH = "epoch"
LISTS = "lists"
LEADERBOARDS = "leaderboards"
# The list pages that count a tournament's held places (`has_slots=`): registrations change
# those, not the others.
HELD_PLACES = "lists:places"
_PREFIX = "rc:v:"
_PENDING = "response_cache_scopes"
# Table name → the attribute holding the tournament id ("" for none) and the lists-wide
# scopes its rows' changes bump.
_watched: dict[str, tuple[str, frozenset[str]]] = {}
# Table name → the columns whose change reaches every cached read (names shown everywhere).
_everywhere: dict[str, frozenset[str]] = {}


def watch_table(
    name: str, *, tournament_attr: str | None = None, lists: Iterable[str] = (LISTS,)
) -> None:
    """Count changes to the rows of table `name` as changes to what cached reads show: of the
    tournament in `tournament_attr` (`tournament_id` when the table has that column) and of
    the lists-wide scopes `lists` (`LISTS`, `LEADERBOARDS`; none for rows no list shows)."""
    _watched[name] = (tournament_attr or "", frozenset(lists))


def tournament_scope(tournament_id: int) -> str:
    return f"tournament:{tournament_id}"


def keys(scopes: Iterable[str]) -> list[str]:
    """The cache keys holding the scopes' versions (to read them with other keys at once)."""
    return [_PREFIX + name for name in scopes]


def complete(scopes: Iterable[str], found: Iterable[Any]) -> list[str]:
    """The scopes' version tokens from `found` (read at their `keys`); a scope without one
    (never bumped, or evicted) gets a fresh random version."""
    tokens = []
    for key, token in zip(keys(scopes), found, strict=True):
        if token is None:
            cache.add(key, uuid.uuid4().hex, timeout=0)
            token = cache.get(key) or "none"
        tokens.append(str(token))
    return tokens


def current(scopes: Iterable[str]) -> list[str]:
    """The current version token of each scope (one cache round trip when all exist)."""
    names = list(scopes)
    return complete(names, cache.get_many(*keys(names)))


def bump(scopes: Iterable[str]) -> None:
    """Give each scope a new version (its cached reads are then never served again)."""
    names = set(scopes)
    if not names:
        return
    cache.set_many({_PREFIX + name: uuid.uuid4().hex for name in names}, timeout=0)


def watch_columns(name: str, columns: Iterable[str]) -> None:
    """Count a change to one of `columns` of a row of table `name` (or the row's deletion) as
    a change to every cached read: names that tournaments, lists and leaderboards all show."""
    _everywhere[name] = frozenset(columns)


def _changes_everything(instance: Any, *, deleted: bool) -> bool:
    columns = _everywhere.get(getattr(type(instance), "__tablename__", ""))
    if not columns:
        return False
    if deleted:
        return True
    attrs = sa.inspect(instance).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def _watch_of(instance: Any) -> tuple[str, frozenset[str]] | None:
    """The attribute naming the instance's tournament ("" for none) and the lists-wide scopes
    its changes bump; None for a table cached reads do not show."""
    mapper = sa.inspect(type(instance))
    return _watch_of_table(
        getattr(type(instance), "__tablename__", ""), "tournament_id" in mapper.columns
    )


def _watch_of_table(name: str, has_tournament: bool) -> tuple[str, frozenset[str]] | None:
    watched = _watched.get(name)
    if watched is not None:
        attr, lists = watched
        return attr or ("tournament_id" if has_tournament else ""), lists
    return ("tournament_id", frozenset({LISTS})) if has_tournament else None


def rows_written(session: Session, table: sa.Table, tournament_id: int | None) -> None:
    """Count rows of `table` written without the ORM (their tournament's id, or None) as the
    session's listeners count the ORM's: their scopes are bumped when the session commits."""
    watched = _watch_of_table(table.name, "tournament_id" in table.c)
    if watched is None:
        return
    attr, lists = watched
    scopes = _pending(session)
    if not attr:
        scopes.update(lists)
    elif attr == "tournament_id" and tournament_id is not None:
        scopes.update((tournament_scope(tournament_id), *lists))
    else:
        scopes.add(EPOCH)


def _scopes_of(instance: Any, *, load: bool) -> set[str]:
    watched = _watch_of(instance)
    if watched is None:
        return set()
    attr, lists = watched
    if not attr:
        return set(lists)
    if load:  # before the flush: an expired attribute may still be loaded
        try:
            tournament_id = getattr(instance, attr)
        except Exception:
            tournament_id = None
    else:  # after the flush: new rows' keys are assigned; nothing may be loaded now
        tournament_id = sa.inspect(instance).dict.get(attr)
    if isinstance(tournament_id, int):
        return {tournament_scope(tournament_id), *lists}
    return {EPOCH}  # the tournament is not known: start afresh


def _pending(session: Session) -> set[str]:
    scopes: set[str] = session.info.setdefault(_PENDING, set())
    return scopes


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    scopes = _pending(session)
    for instance in session.dirty:
        scopes |= _scopes_of(instance, load=True)
        if _changes_everything(instance, deleted=False):
            scopes.add(EPOCH)
    for instance in session.deleted:
        scopes |= _scopes_of(instance, load=True)
        if _changes_everything(instance, deleted=True):
            scopes.add(EPOCH)


def _after_flush(session: Session, flush_context: Any) -> None:
    scopes = _pending(session)
    for instance in (*session.new, *session.deleted):
        scopes |= _scopes_of(instance, load=False)


def _on_orm_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is None:
        return
    has_tournament = "tournament_id" in getattr(table, "c", {})
    watched = _watched.get(name)
    if watched is not None and not (watched[0] or has_tournament or name in _everywhere):
        _pending(state.session).update(watched[1])  # no tournament, no name: only its pages
    elif watched is not None or has_tournament:
        _pending(state.session).add(EPOCH)  # the tournaments (or names) it touches are unknown


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    scopes = session.info.pop(_PENDING, None)
    if not scopes or not has_app_context() or not current_app.config.get("RESPONSE_CACHE"):
        return  # (a cache turned on later starts empty: `cache.clear()` or a new process)
    try:
        bump(scopes)
    except Exception:  # a cache that is down must not fail a committed write
        log.exception("could not bump response cache versions %s", sorted(scopes))


def _after_soft_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


_LISTENERS = (
    (FlaskSession, "before_flush", _before_flush),
    (FlaskSession, "after_flush", _after_flush),
    (FlaskSession, "do_orm_execute", _on_orm_execute),
    (FlaskSession, "after_commit", _after_commit),
    (FlaskSession, "after_soft_rollback", _after_soft_rollback),
)


def install_listeners() -> None:
    """Install the session listeners once per process."""
    for target, name, listener in _LISTENERS:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)

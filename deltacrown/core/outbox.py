"""The outbox: a commit's live events and signals stored in its own transaction, for a relay
to deliver after it (server mode, `OUTBOX_RELAY = "worker"`).

By default (`OUTBOX_RELAY = "request"`) a commit's live events and signals run after the commit,
in the request or task that committed (`core.transaction.after_commit`): if that process dies
or the broker is unreachable at that moment, they are lost, and a tournament that completed
then would never be paid or announced. With `"worker"`, just before the commit the effects
that are live events (`core.realtime.publish`), signals (`core.signals.send_after_commit`) and
state changes (`core.realtime.announce_state_changes`) are taken off the after-commit queue and
written as one `outbox_messages` row in the same transaction, with a `NOTIFY`: they exist if
and only if the commit does. The relay (`core.outbox_relay`, `flask outbox relay`) delivers
them in commit order and deletes them once delivered. The request no longer waits for Redis
or the broker.

Every other after-commit effect runs in the request as before, and so does a commit whose
effects cannot be stored (a value this module cannot encode: it is logged).

Values are stored as JSON; datetimes, dates, decimals and enums are tagged so the relay hands
receivers the same types the sender passed (tuples and sets become lists).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import importlib
import json
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from deltacrown.core import realtime, signals
from deltacrown.core.db import JSONType, Model, UTCDateTime
from deltacrown.core.time import utcnow

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "deltacrown_outbox"
MODES = ("request", "worker")
_TAG = "$dc"
_PLAIN = frozenset({str, int, float, bool, type(None)})  # exactly these: an enum is a str too

Effect = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class OutboxMessage(Model):
    """One commit's live events and signals, in the order they were registered."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    messages: Mapped[list[Any]] = mapped_column(JSONType, nullable=False)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} ({len(self.messages)} messages)>"


# ----- the codec -----------------------------------------------------------------------------
def tag(value: Any) -> Any:
    """`value` as plain JSON, its datetimes, dates, decimals and enums tagged; TypeError for
    anything else that JSON cannot hold."""
    kind = type(value)
    if kind in _PLAIN:  # the common case first (a result's events are mostly these)
        return value
    if kind is dict and all(type(key) is str for key in value):
        return {key: tag(item) for key, item in value.items()}
    if kind is list:
        return [tag(item) for item in value]
    if (
        value is None
        or isinstance(value, bool | int | float | str)
        and not isinstance(value, enum.Enum)
    ):
        return value
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("only string keys can be stored")
        return {key: tag(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [tag(item) for item in value]
    if isinstance(value, enum.Enum):
        kind = type(value)
        return {_TAG: "enum", "type": f"{kind.__module__}:{kind.__qualname__}", "v": value.value}
    if isinstance(value, dt.datetime):
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {_TAG: "decimal", "v": str(value)}
    raise TypeError(f"{type(value).__name__} cannot be stored in the outbox")


def untag(value: Any) -> Any:
    """The inverse of `tag`."""
    if isinstance(value, list):
        return [untag(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind = value.get(_TAG)
    if kind is None:
        return {key: untag(item) for key, item in value.items()}
    if kind == "datetime":
        return dt.datetime.fromisoformat(value["v"])
    if kind == "date":
        return dt.date.fromisoformat(value["v"])
    if kind == "decimal":
        return decimal.Decimal(value["v"])
    module, _, name = value["type"].partition(":")
    if not module.startswith("deltacrown."):  # only our own enums are ever stored
        raise ValueError(f"an outbox value names {value['type']!r}")
    owner: Any = importlib.import_module(module)
    for part in name.split("."):
        owner = getattr(owner, part)
    if not (isinstance(owner, type) and issubclass(owner, enum.Enum)):
        raise ValueError(f"an outbox value names {value['type']!r}, which is no enum")
    return owner(value["v"])


# ----- capture at commit ---------------------------------------------------------------------
def worker_mode() -> bool:
    return has_app_context() and current_app.config.get("OUTBOX_RELAY") == "worker"


def message_of(effect: Effect) -> list[Any] | None:
    """The stored form of an after-commit effect the relay can deliver, else None."""
    func, args, kwargs = effect
    if func is realtime.publish_now and len(args) == 3 and not kwargs:
        channel, event_type, data = args
        return ["event", channel, event_type, data]
    owner: Any = getattr(func, "__self__", None)
    if getattr(func, "__name__", None) == "send" and len(args) == 1 and _named(owner):
        (sender,) = args
        return ["signal", owner.name, sender, kwargs]
    if func is realtime._emit_transition and len(args) == 7 and args[2] is realtime._emit_state:
        _, (old, new), _, event_type, channels, ids, signal = args
        if signal is not None and not _named(signal):
            return None
        name = signal.name if signal is not None else None
        return ["state", old, new, event_type, list(channels), ids, name]
    return None


def _named(signal: Any) -> bool:
    name = getattr(signal, "name", None)
    return isinstance(name, str) and signals.signals.get(name) is signal


def _capture(session: Session) -> None:
    """Before the outermost commit: move the deliverable effects into an outbox row."""
    if session.in_nested_transaction() or not worker_mode():
        return
    if not session.info.get("after_commit"):
        return
    session.flush()
    dbapi_connection = session.connection().connection.dbapi_connection
    if getattr(dbapi_connection, "autocommit", False):
        return  # a read in autocommit (`core.readonly`): no transaction to store them in
    body = take_stored(session)
    if body is not None:
        session.execute(_INSERT, store_params(body))


def take_stored(session: Session) -> str | None:
    """The deliverable effects queued so far, as the JSON of an outbox row, taken off the
    after-commit queue; None (the queue left as it is) outside worker mode, when there are
    none, or when they cannot be encoded (logged; they run in place). For a write that
    stores them in its own statement (`STORE_CTE`, `NOTIFY_SELECT`); whatever is queued
    after it is captured at the commit as usual, in a later row."""
    if session.in_nested_transaction() or not worker_mode():
        return None
    effects: list[Effect] = session.info.get("after_commit") or []
    kept, stored = [], []
    for effect in effects:
        message = message_of(effect)
        if message is None:
            kept.append(effect)
        elif message[0] != "state" or message[1] != message[2]:  # a state that came back
            stored.append(message)
    if not stored:
        return None
    try:
        body = json.dumps(tag(stored), separators=(",", ":"))
    except TypeError:
        log.warning("a commit's effects could not be stored in the outbox; they run in place",
                    exc_info=True)  # fmt: skip
        return None
    session.info["after_commit"] = kept
    return body


def store_params(body: str) -> dict[str, Any]:
    """The bound values of `STORE_CTE` and `NOTIFY_SELECT` for a body from `take_stored`."""
    return {"outbox_at": utcnow(), "outbox_messages": body, "outbox_channel": NOTIFY_CHANNEL}


# The row (a data-modifying CTE: it runs whatever the statement's main part), and the relay's
# wake-up (delivered by PostgreSQL at the commit): one round trip.
STORE_CTE = (
    "stored AS (INSERT INTO outbox_messages (created_at, messages) "
    "VALUES (:outbox_at, CAST(:outbox_messages AS jsonb)))"
)
NOTIFY_SELECT = "SELECT pg_notify(:outbox_channel, '')"
_INSERT = sa.text(f"WITH {STORE_CTE} {NOTIFY_SELECT}")


def install_listeners() -> None:
    """Capture at every outermost commit of this process (a no-op unless in worker mode)."""
    if not event.contains(FlaskSession, "before_commit", _capture):
        event.listen(FlaskSession, "before_commit", _capture)

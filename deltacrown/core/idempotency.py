"""Idempotency-Key for POSTs: the key store, the view wrapper behind `blp.idempotent`, the sweep.

A key is scoped to its caller (`user:<id>` with a bearer token, else `ip:<addr>`) and route.
The reservation row is inserted under a SAVEPOINT in the request's own transaction *before*
the view runs, and completed with the response *after* it, so it commits or rolls back with
the business writes:

* a failed attempt (exception or status >= 400) rolls the reservation back: a retry runs fresh;
* on PostgreSQL a concurrent second request's INSERT waits on the unique index until the first
  commits, then finds the completed row and replays it, so two concurrent requests apply once
  (SQLite's `BEGIN IMMEDIATE` serialises the writers the same way);
* the same key with another body (method, path, canonical JSON) is 422 `idempotency_key_reused`;
* a row that exists but was never completed (only if something went wrong) is 409
  `idempotency_key_in_use`.

Rows expire after IDEMPOTENCY_TTL_HOURS; an expired row counts as absent and the periodic
sweep (`purge_expired_idempotency_keys`) deletes it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from copy import deepcopy
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, request
from flask_jwt_extended import verify_jwt_in_request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.auth import (
    personal_token_key,
    token_identity_unverified_db,
    verify_personal_token,
)
from deltacrown.core.db import JSONType, Model, UTCDateTime, db
from deltacrown.core.errors import ConflictError, DomainError, ValidationError
from deltacrown.core.time import utcnow

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Documented on the success responses of every idempotent operation.
RESPONSE_HEADERS = {
    REPLAYED_HEADER: {
        "description": "`true` when this is the stored response of an earlier request with the "
        "same Idempotency-Key (nothing was done again); absent otherwise.",
        "schema": {"type": "string", "enum": ["true"]},
    }
}
MAX_KEY_LENGTH = 255
# Response headers stored with the body and sent again on a replay.
STORED_HEADERS = ("Location", "ETag")

HEADER_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": (
        "Send a unique key to make a retry safe: the same key with the same body returns the "
        "first response again (header `Idempotent-Replayed: true`) for 24 hours."
    ),
}


class IdempotencyKeyReusedError(DomainError):
    status, code, title = 422, "idempotency_key_reused", "Idempotency key reused"


class IdempotencyKeyInUseError(ConflictError):
    code, title = "idempotency_key_in_use", "Idempotency key in use"


ERRORS: tuple[type[DomainError], ...] = (
    IdempotencyKeyReusedError,
    IdempotencyKeyInUseError,
    ValidationError,
)


class IdempotencyKey(Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("scope", "key", "route"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(MAX_KEY_LENGTH), nullable=False)
    route: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # NULL until the view has answered: a reservation in progress.
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    response_content_type: Mapped[str | None] = mapped_column(sa.String(255))
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)

    @property
    def is_completed(self) -> bool:
        return self.response_status is not None

    def __repr__(self) -> str:
        return f"<IdempotencyKey {self.scope} {self.route} {self.key!r}>"


# ----- request helpers -----------------------------------------------------------------------
def caller_scope() -> str:
    """`user:<id>` when a valid bearer token is sent (no database lookup), `pat:<hash>` for a
    personal access token (its own keys only), else `ip:<addr>`."""
    token_key = personal_token_key()
    if token_key is not None:
        return f"pat:{token_key}"
    identity = token_identity_unverified_db()
    return f"user:{identity}" if identity else f"ip:{request.remote_addr or 'unknown'}"


def read_key() -> str | None:
    """The request's Idempotency-Key, None when absent; 422 when empty or too long."""
    if HEADER not in request.headers:
        return None
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationError(
            f"{HEADER} must be 1-{MAX_KEY_LENGTH} characters.",
            errors={HEADER: [f"Between 1 and {MAX_KEY_LENGTH} characters."]},
        )
    return key


def canonical_body(raw: bytes) -> bytes:
    """JSON re-dumped with sorted keys (so key order and spacing do not matter), else raw."""
    if not raw:
        return b""
    try:
        parsed = json.loads(raw)
    except ValueError:
        return raw
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_multipart() -> bytes:
    """Form fields and each file's content hash, in a fixed order: the raw body holds a random
    boundary, so a genuine retry would never fingerprint the same."""
    parts: list[list[str]] = [
        ["field", k, v] for k in sorted(request.form) for v in request.form.getlist(k)
    ]
    for name in sorted(request.files):
        for upload in request.files.getlist(name):
            content = upload.stream.read()
            upload.stream.seek(0)
            parts.append(["file", name, hashlib.sha256(content).hexdigest()])
    return json.dumps(parts, separators=(",", ":")).encode()


def request_fingerprint() -> str:
    """sha256 over the method, the path and the canonical body."""
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b"\n" + request.path.encode() + b"\n")
    if request.mimetype == "multipart/form-data":
        digest.update(canonical_multipart())
    else:
        digest.update(canonical_body(request.get_data(cache=True)))
    return digest.hexdigest()


def route_name() -> str:
    rule = request.url_rule.rule if request.url_rule is not None else request.path
    return f"{request.method} {rule}"


# ----- the store -----------------------------------------------------------------------------
def _ttl() -> timedelta:
    return timedelta(hours=int(current_app.config.get("IDEMPOTENCY_TTL_HOURS", 24)))


def _identity(scope: str, key: str, route: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        IdempotencyKey.scope == scope, IdempotencyKey.key == key, IdempotencyKey.route == route
    )


def reserve(scope: str, key: str, route: str, fingerprint: str) -> IdempotencyKey | None:
    """Insert the reservation under a savepoint; None when the key is already taken.

    On PostgreSQL the INSERT waits while another transaction holds an uncommitted row with the
    same identity, and fails once that transaction commits.
    """
    now = utcnow()
    row = IdempotencyKey(
        scope=scope,
        key=key,
        route=route,
        fingerprint=fingerprint,
        created_at=now,
        expires_at=now + _ttl(),
    )
    try:
        with db.session.begin_nested():
            # An expired row counts as absent.
            db.session.execute(
                sa.delete(IdempotencyKey)
                .where(_identity(scope, key, route), IdempotencyKey.expires_at < now)
                .execution_options(synchronize_session=False)
            )
            db.session.add(row)
    except IntegrityError:
        return None
    return row


def find(scope: str, key: str, route: str) -> IdempotencyKey | None:
    return db.session.scalar(
        sa.select(IdempotencyKey)
        .where(_identity(scope, key, route))
        .execution_options(populate_existing=True)
    )


def complete(row: IdempotencyKey, response: Response) -> None:
    """Store the response with the reservation (flushed; the boundary commits it)."""
    row.response_status = response.status_code
    row.response_body = response.get_data()
    row.response_content_type = response.content_type
    row.response_headers = {
        name: response.headers[name] for name in STORED_HEADERS if name in response.headers
    }
    db.session.flush()


def replay(row: IdempotencyKey) -> Response:
    response = current_app.response_class(
        row.response_body or b"",
        status=row.response_status,
        content_type=row.response_content_type,
    )
    for name, value in (row.response_headers or {}).items():
        response.headers[name] = value
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _answer_existing(scope: str, key: str, route: str, fingerprint: str) -> Response:
    existing = find(scope, key, route)
    if existing is None:
        # Cannot happen inside one transaction that just hit the unique index; be explicit.
        raise IdempotencyKeyInUseError("This Idempotency-Key is being used; retry shortly.")
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            "This Idempotency-Key was used with another request; send a new key.",
            errors={HEADER: ["Already used with a different request."]},
        )
    if not existing.is_completed:
        raise IdempotencyKeyInUseError("This Idempotency-Key is being used; retry shortly.")
    return replay(existing)


def idempotent(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a view (outside smorest's decorators) so an Idempotency-Key makes it apply once."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = read_key()
        if key is None:
            return func(*args, **kwargs)
        scope, route, fingerprint = caller_scope(), route_name(), request_fingerprint()
        row = reserve(scope, key, route, fingerprint)
        if row is None:
            if scope.startswith("user:"):
                # A replay must not outlive the caller's token: revoked or stale → 401.
                verify_jwt_in_request(optional=True)
            elif scope.startswith("pat:"):
                verify_personal_token()
            return _answer_existing(scope, key, route, fingerprint)
        response = current_app.make_response(func(*args, **kwargs))
        # A failure (>= 400) is rolled back by the boundary, reservation included.
        if response.status_code < 400:
            complete(row, response)
        return response

    wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))  # type: ignore[attr-defined]
    return wrapper


# ----- the sweep -----------------------------------------------------------------------------
def purge_expired_idempotency_keys() -> int:
    """Delete keys whose time is up; returns how many."""
    result = db.session.execute(
        sa.delete(IdempotencyKey)
        .where(IdempotencyKey.expires_at < utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

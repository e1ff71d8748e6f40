"""Participants without accounts: organizers add them one by one or import many from CSV, and
an invite link lets a person claim such a place with an account later.

Such a participant is a confirmed, checked-in registration with neither `user_id` nor
`team_id` but a `guest_name` (and `guest_team` in team events), so brackets, matches and
standings treat it like any other registration; organizers report its results. `guest_key`
identifies the row of an import (the client's `key` column, or a hash of the row), so importing
the same file twice adds nobody twice. Capacity is decided under the tournament row lock, as
for sign-ups.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from deltacrown.core import audit
from deltacrown.core.errors import ConflictError, NotFoundError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.registrations import queries
from deltacrown.registrations.errors import (
    AlreadyRegisteredError,
    NotTeamCaptainError,
    RegistrationNotFoundError,
    TournamentFullError,
    TournamentStartedError,
)
from deltacrown.registrations.models import (
    MemberRole,
    PaymentStatus,
    Registration,
    RegistrationMember,
    RegistrationStatus,
)
from deltacrown.registrations.services.common import lock_tournament, require_manager
from deltacrown.teams.models import Team
from deltacrown.tournaments.models import ParticipantType, Tournament, TournamentStatus

MAX_ROWS = 1024
COLUMNS = ("name", "team", "seed", "email")
CLAIM_SALT = "participant-claim"
CLAIM_MAX_AGE = timedelta(days=30)
CLOSED = (TournamentStatus.ONGOING, TournamentStatus.COMPLETED, TournamentStatus.CANCELLED)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class InvalidImportError(ValidationError):
    code, title = "invalid_import", "The CSV file cannot be imported"


class InvalidClaimTokenError(NotFoundError):
    code, title = "invalid_claim_token", "Claim link not valid"


class AlreadyClaimedError(ConflictError):
    code, title = "already_claimed", "This place was already claimed"


# ----- one row -----------------------------------------------------------------------------------
def row_errors(tournament: Tournament, row: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with one participant's values (empty when nothing)."""
    errors: dict[str, list[str]] = {}
    for field, limit in (("name", 100), ("team", 100), ("email", 254), ("key", 64)):
        value = row.get(field)
        if value is not None and (len(str(value)) > limit or CONTROL.search(str(value))):
            errors[field] = [f"At most {limit} characters, no control characters."]
    if not row.get("name"):
        errors.setdefault("name", ["Required."])
    if tournament.participant_type is ParticipantType.TEAM and not row.get("team"):
        errors.setdefault("team", ["Required in a team event."])
    seed = row.get("seed")
    if seed is not None and not (isinstance(seed, int) and 1 <= seed <= 1024):
        errors["seed"] = ["A whole number from 1 to 1024."]
    email = row.get("email")
    if email and not EMAIL.match(str(email)):
        errors.setdefault("email", ["Not a valid e-mail address."])
    return errors


def row_key(row: Mapping[str, Any]) -> str:
    """The client's `key`, or a hash of the row's values (case and spaces ignored)."""
    if row.get("key"):
        return str(row["key"])
    text = "\x1f".join(" ".join(str(row.get(c) or "").split()).casefold() for c in COLUMNS)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _ensure_open(tournament: Tournament) -> None:
    if tournament.status in CLOSED:
        raise TournamentStartedError(
            f"Tournament {tournament.id} is {tournament.status.value}; participants are added "
            "before it starts."
        )


def _ensure_room(tournament: Tournament, adding: int) -> None:
    taken = queries.count_holding(tournament.id)
    if taken + adding > tournament.max_participants:
        raise TournamentFullError(
            f"{adding} more would exceed the {tournament.max_participants} places ({taken} taken).",
            max_participants=tournament.max_participants,
            taken=taken,
        )


def _existing_keys(tournament_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Registration.guest_key, Registration.id).where(
            Registration.tournament_id == tournament_id, Registration.guest_key.is_not(None)
        )
    ).all()
    return {str(key): int(rid) for key, rid in rows}


def _create(
    tournament: Tournament, row: Mapping[str, Any], actor: Any, now: datetime
) -> Registration:
    registration = Registration(
        tournament_id=tournament.id,
        registered_by_id=actor.id,
        status=RegistrationStatus.CONFIRMED,
        payment_status=PaymentStatus.NOT_REQUIRED,
        answers={},
        confirmed_at=now,
        checked_in_at=now,
        checked_in_by_id=actor.id,
        guest_name=row["name"],
        guest_team=row.get("team") or None,
        guest_email=row.get("email") or None,
        guest_seed=row.get("seed"),
        guest_key=row_key(row),
    )
    db.session.add(registration)
    return registration


def add_participant(
    tournament_id: int, *, actor: Any, data: Mapping[str, Any], now: datetime | None = None
) -> Registration:
    """An organizer adds a participant without an account (confirmed and checked in).

    Raises TournamentNotFoundError, PermissionDeniedError, TournamentStartedError (409),
    TournamentFullError (409), ValidationError (422), AlreadyRegisteredError (409: the same
    `key` was added before)."""
    now = now or utcnow()
    tournament = lock_tournament(tournament_id)
    require_manager(actor, tournament)
    _ensure_open(tournament)
    errors = row_errors(tournament, data)
    if errors:
        raise ValidationError("The participant is not valid.", errors=errors)
    if row_key(data) in _existing_keys(tournament.id):
        raise AlreadyRegisteredError("A participant with this key was added already.")
    _ensure_room(tournament, 1)
    registration = _create(tournament, data, actor, now)
    db.session.flush()
    audit.record(actor=actor, action="registration.guest_added", target=registration,
                 after={"guest_name": registration.guest_name})  # fmt: skip
    return registration


def list_participants(tournament_id: int, *, actor: Any) -> list[Registration]:
    """The tournament's participants added without an account (organizers), by seed then
    order of adding; claimed ones included."""
    tournament = lock_tournament(tournament_id)
    require_manager(actor, tournament)
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.tournament_id == tournament.id, Registration.guest_name.is_not(None)
            )
            .order_by(Registration.guest_seed.is_(None), Registration.guest_seed, Registration.id)
        )
    )


# ----- CSV import --------------------------------------------------------------------------------
def parse_csv(data: bytes) -> list[dict[str, Any]]:
    """Rows of `name,team,seed,email` (and an optional `key`), header first; InvalidImportError
    when the file is not such a CSV or has more than 1,024 rows. `seed` stays text when it is
    not a whole number (the row then reports it)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidImportError(
            "The file must be UTF-8 text.", errors={"file": ["Not UTF-8."]}
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "name" not in header or set(header) - {*COLUMNS, "key"}:
        raise InvalidImportError(
            "The header must be name,team,seed,email (and optionally key).",
            errors={"file": [f"Columns: {', '.join(COLUMNS)} and optionally key."]},
        )
    reader.fieldnames = header
    rows: list[dict[str, Any]] = []
    for raw in reader:
        if len(rows) >= MAX_ROWS:
            raise InvalidImportError(
                f"At most {MAX_ROWS} rows per file.", errors={"file": [f"At most {MAX_ROWS} rows."]}
            )
        row: dict[str, Any] = {k: (v or "").strip() or None for k, v in raw.items() if k}
        seed = row.get("seed")
        if seed is not None and seed.isdigit():
            row["seed"] = int(seed)
        rows.append(row)
    return rows


def import_csv(
    tournament_id: int, *, actor: Any, data: bytes, commit: bool, now: datetime | None = None
) -> dict[str, Any]:
    """Preview (default) or apply a CSV of participants. Each row is `new`, `exists` (its key
    was imported before: skipped) or `error` (with its errors). Applying adds the new rows only
    when no row has errors (else InvalidImportError with the preview) and they fit."""
    now = now or utcnow()
    tournament = lock_tournament(tournament_id)
    require_manager(actor, tournament)
    _ensure_open(tournament)
    rows = parse_csv(data)
    existing = _existing_keys(tournament.id)
    seen: set[str] = set()
    preview = []
    for number, row in enumerate(rows, start=2):  # the header is line 1
        key = row_key(row)
        errors = row_errors(tournament, row)
        if key in seen:
            errors.setdefault("key", ["The same row (or key) appears earlier in the file."])
        seen.add(key)
        status = "error" if errors else "exists" if key in existing else "new"
        preview.append({"line": number, "key": key, "status": status, "errors": errors,
                        "registration_id": existing.get(key), **{c: row.get(c) for c in COLUMNS}})  # fmt: skip
    counts = {s: sum(1 for p in preview if p["status"] == s) for s in ("new", "exists", "error")}
    result = {"committed": False, "counts": counts, "rows": preview}
    if not commit:
        return result
    if counts["error"]:
        raise InvalidImportError(
            f"{counts['error']} rows have errors; nothing was imported.",
            errors={"file": [f"{counts['error']} rows have errors."]},
            counts=counts,
        )
    _ensure_room(tournament, counts["new"])
    created = [(p, _create(tournament, rows[i], actor, now)) for i, p in enumerate(preview)
               if p["status"] == "new"]  # fmt: skip
    db.session.flush()
    for item, registration in created:
        item["registration_id"] = registration.id
    audit.record(actor=actor, action="registration.guests_imported", target=tournament,
                 after={"added": counts["new"], "skipped": counts["exists"]})  # fmt: skip
    result["committed"] = True
    return result


# ----- invite and claim --------------------------------------------------------------------------
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=CLAIM_SALT)


def _guest(tournament_id: int, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.tournament_id != tournament_id
        or registration.guest_name is None
    ):
        raise RegistrationNotFoundError(f"No participant {registration_id} in this tournament.")
    return registration


def invite(
    tournament_id: int, registration_id: int, *, actor: Any, now: datetime | None = None
) -> dict[str, Any]:
    """A signed claim token (valid 30 days) and link for a participant without an account."""
    now = now or utcnow()
    tournament = lock_tournament(tournament_id)
    require_manager(actor, tournament)
    registration = _guest(tournament.id, registration_id)
    if registration.user_id is not None or registration.team_id is not None:
        raise AlreadyClaimedError("This place was claimed with an account already.")
    token = _serializer().dumps({"r": registration.id, "t": tournament.id})
    base = current_app.config.get("PUBLIC_WEB_URL") or current_app.config["PUBLIC_BASE_URL"]
    return {
        "registration_id": registration.id,
        "token": token,
        "claim_url": f"{base.rstrip('/')}/claim?token={token}",
        "expires_at": now + CLAIM_MAX_AGE,
    }


def claim(token: str, *, actor: Any, team_id: int | None = None) -> Registration:
    """A signed-in user takes a participant's place: as its player (solo events) or with a
    team they captain (team events, `team_id`).

    Raises InvalidClaimTokenError (404), AlreadyClaimedError, AlreadyRegisteredError,
    NotTeamCaptainError, ValidationError (a team event without `team_id`)."""
    try:
        payload = _serializer().loads(token, max_age=int(CLAIM_MAX_AGE.total_seconds()))
    except (BadSignature, SignatureExpired) as exc:
        raise InvalidClaimTokenError("This claim link is not valid or has expired.") from exc
    tournament = lock_tournament(int(payload["t"]))
    registration = _guest(tournament.id, int(payload["r"]))
    if registration.user_id is not None or registration.team_id is not None:
        raise AlreadyClaimedError("This place was claimed with an account already.")
    if registration.status is not RegistrationStatus.CONFIRMED:
        raise InvalidClaimTokenError("This place is no longer in the tournament.")
    if tournament.participant_type is ParticipantType.TEAM:
        if team_id is None:
            raise ValidationError(
                "Name your team.", errors={"team_id": ["Required in a team event."]}
            )
        team = db.session.get(Team, team_id)
        if team is None or team.captain_id != actor.id:
            raise NotTeamCaptainError("Only the team's captain may claim a place for it.")
        if queries.find_active_team(tournament.id, team.id) is not None:
            raise AlreadyRegisteredError("This team is registered in the tournament already.")
        registration.team_id = team.id
    else:
        if queries.find_active_for_user(tournament.id, actor.id) is not None:
            raise AlreadyRegisteredError("You are registered in this tournament already.")
        registration.user_id = actor.id
        registration.members.append(
            RegistrationMember(
                tournament_id=tournament.id,
                user_id=actor.id,
                role=MemberRole.PLAYER,
                is_active=True,
            )  # fmt: skip
        )
    db.session.flush()
    audit.record(actor=actor, action="registration.guest_claimed", target=registration,
                 after={"user_id": registration.user_id, "team_id": registration.team_id})  # fmt: skip
    return registration

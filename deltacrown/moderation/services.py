"""Sanctions and appeals: create and revoke a sanction (audited, signalled, the enforcement
cache dropped), appeal one, accept (revokes) or reject an appeal.

Who may sanction: staff, anywhere; a tournament's organizers, within it only (scope
`tournament` with their tournament's id). A revocation, an appeal decision and a repeated
revocation are idempotent: revoking twice changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deltacrown.accounts.queries import find_user
from deltacrown.core import audit, signals
from deltacrown.core.actors import Actor, is_system, user_id_of
from deltacrown.core.db import db
from deltacrown.core.signals import send_after_commit
from deltacrown.core.time import utcnow
from deltacrown.moderation import enforcement, ports, queries
from deltacrown.moderation.errors import (
    AlreadyAppealedError,
    InvalidTransitionError,
    NotSanctionableError,
    PermissionDeniedError,
    SanctionNotFoundError,
    SubjectNotFoundError,
)
from deltacrown.moderation.models import (
    ALLOWED_SCOPES,
    Appeal,
    AppealStatus,
    Sanction,
    SanctionScope,
    SanctionType,
)

SENDER = "moderation"


def is_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_staff", False))


def snapshot(sanction: Sanction) -> dict[str, Any]:
    return {
        "user_id": sanction.user_id,
        "team_id": sanction.team_id,
        "type": sanction.type,
        "scope": sanction.scope,
        "scope_id": sanction.scope_id,
        "reason_code": sanction.reason_code,
        "starts_at": sanction.starts_at,
        "ends_at": sanction.ends_at,
        "revoked_at": sanction.revoked_at,
        "report_id": sanction.report_id,
    }


def _check_subject(user_id: int | None, team_id: int | None) -> None:
    if (user_id is None) == (team_id is None):
        raise NotSanctionableError(
            "Sanction one user or one team.",
            errors={"user_id": ["Give user_id or team_id, not both."]},
        )
    if user_id is not None:
        if find_user(user_id) is None:
            raise SubjectNotFoundError(f"No user {user_id}.")
    elif not ports.subjects.get().exists("team", int(team_id or 0)):
        raise SubjectNotFoundError(f"No team {team_id}.")


def _check_shape(
    type_: SanctionType,
    scope: SanctionScope,
    scope_id: int | None,
    starts_at: datetime,
    ends_at: datetime | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if scope not in ALLOWED_SCOPES[type_]:
        allowed = ", ".join(sorted(s.value for s in ALLOWED_SCOPES[type_]))
        errors["scope"] = [f"A {type_.value} takes the scope {allowed}."]
    if scope is SanctionScope.TOURNAMENT and scope_id is None:
        errors["scope_id"] = ["A tournament-scoped sanction names its tournament."]
    if scope is not SanctionScope.TOURNAMENT and scope_id is not None:
        errors["scope_id"] = ["Only a tournament-scoped sanction names a tournament."]
    if ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = ["Must be after starts_at."]
    if errors:
        raise NotSanctionableError("The sanction is not valid.", errors=errors)


def _require_moderator(actor: Actor | None, scope: SanctionScope, scope_id: int | None) -> None:
    if is_staff(actor) or is_system(actor):
        return
    if (
        actor is not None
        and scope is SanctionScope.TOURNAMENT
        and scope_id is not None
        and ports.subjects.get().can_moderate(actor, scope_id)
    ):
        return
    raise PermissionDeniedError(
        "Staff sanction anywhere; organizers only within their own tournament."
    )


def create_sanction(
    *,
    actor: Actor | None,
    type: SanctionType,
    scope: SanctionScope,
    reason_code: str,
    user_id: int | None = None,
    team_id: int | None = None,
    scope_id: int | None = None,
    notes: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    report_id: int | None = None,
) -> Sanction:
    """Record a sanction; it is enforced at once everywhere it applies.

    Raises PermissionDeniedError, NotSanctionableError (422: scope not allowed for the type,
    missing tournament, ends before it starts), SubjectNotFoundError, ReportNotFoundError.
    """
    starts_at = starts_at or utcnow()
    _require_moderator(actor, scope, scope_id)
    _check_shape(type, scope, scope_id, starts_at, ends_at)
    _check_subject(user_id, team_id)
    if scope is SanctionScope.TOURNAMENT and not ports.subjects.get().exists(
        "tournament", int(scope_id or 0)
    ):
        raise SubjectNotFoundError(f"No tournament {scope_id}.")
    if report_id is not None:
        queries.get_report(report_id)
    sanction = Sanction(
        user_id=user_id,
        team_id=team_id,
        type=type,
        scope=scope,
        scope_id=scope_id,
        reason_code=reason_code,
        notes=notes,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_id=user_id_of(actor),
        report_id=report_id,
    )
    db.session.add(sanction)
    db.session.flush()
    audit.record(actor=actor, action="sanction_created", target=sanction, after=snapshot(sanction))
    enforcement.invalidate(user_id=user_id, team_id=team_id)
    send_after_commit(
        signals.sanction_created,
        SENDER,
        sanction_id=sanction.id,
        user_id=user_id,
        team_id=team_id,
        type=type.value,
        scope=scope.value,
    )
    return sanction


def revoke_sanction(
    sanction_id: int, *, actor: Actor | None, notes: str | None = None
) -> tuple[Sanction, bool]:
    """Lift a sanction at once (row lock). Returns it and whether this call revoked it
    (False: it already was). Raises SanctionNotFoundError, PermissionDeniedError."""
    sanction = queries.get_sanction(sanction_id, for_update=True)
    _require_moderator(actor, sanction.scope, sanction.scope_id)
    if sanction.revoked_at is not None:
        return sanction, False
    before = snapshot(sanction)
    sanction.revoked_at = utcnow()
    sanction.revoked_by_id = user_id_of(actor)
    sanction.revoke_notes = notes
    db.session.flush()
    audit.record(
        actor=actor,
        action="sanction_revoked",
        target=sanction,
        before=before,
        after={**snapshot(sanction), "notes": notes},
    )
    enforcement.invalidate(user_id=sanction.user_id, team_id=sanction.team_id)
    send_after_commit(
        signals.sanction_revoked,
        SENDER,
        sanction_id=sanction.id,
        user_id=sanction.user_id,
        team_id=sanction.team_id,
    )
    return sanction, True


# ----- appeals ---------------------------------------------------------------------------------
def appeal(sanction_id: int, *, actor: Actor, statement: str) -> Appeal:
    """The sanctioned user asks staff to lift the sanction, once per sanction. Raises
    SanctionNotFoundError (not theirs), AlreadyAppealedError, InvalidTransitionError (it is
    revoked already)."""
    sanction = queries.get_sanction(sanction_id, for_update=True)
    if sanction.user_id is None or sanction.user_id != user_id_of(actor):
        raise SanctionNotFoundError(f"No sanction {sanction_id}.")
    if queries.appeal_of(sanction_id) is not None:
        raise AlreadyAppealedError("This sanction has been appealed already.")
    if sanction.revoked_at is not None:
        raise InvalidTransitionError("This sanction has been lifted; there is nothing to appeal.")
    filed = Appeal(sanction_id=sanction_id, user_id=sanction.user_id, statement=statement)
    db.session.add(filed)
    db.session.flush()
    audit.record(actor=actor, action="sanction_appealed", target=filed, after={"status": "pending"})
    return filed


def decide_appeal(
    appeal_id: int, *, actor: Actor | None, accept: bool, notes: str | None = None
) -> Appeal:
    """Staff accept (the sanction is revoked) or reject a pending appeal. Raises
    AppealNotFoundError, PermissionDeniedError, InvalidTransitionError (decided already)."""
    if not is_staff(actor):
        raise PermissionDeniedError("Staff decide appeals.")
    filed = queries.get_appeal(appeal_id, for_update=True)
    if filed.status is not AppealStatus.PENDING:
        raise InvalidTransitionError(
            f"Appeal {appeal_id} is {filed.status.value} already.",
            current_status=filed.status.value,
        )
    filed.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    filed.decided_by_id = user_id_of(actor)
    filed.decided_at = utcnow()
    filed.decision_notes = notes
    db.session.flush()
    audit.record(
        actor=actor,
        action=f"appeal_{filed.status.value}",
        target=filed,
        before={"status": "pending"},
        after={"status": filed.status.value, "notes": notes},
    )
    if accept:
        revoke_sanction(filed.sanction_id, actor=actor, notes=notes or "appeal accepted")
    return filed

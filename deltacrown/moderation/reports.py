"""Reports: a player files one about a user, team, match, tournament or chat message; staff
triage it, then resolve or dismiss it (`open` → `triaged` → `resolved` | `dismissed`, or
`open` → `dismissed`; no reverse moves).

One open (or triaged) report per reporter and subject, checked here and held by a partial
unique index under concurrency (409 `already_reported`). A reporter files at most
MODERATION_REPORTS_PER_HOUR reports an hour (429 `reports_rate_limited`); a banned user
files none.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.queries import find_user
from deltacrown.core import audit, storage
from deltacrown.core.actors import Actor, UserActor, user_id_of
from deltacrown.core.db import db
from deltacrown.core.time import utcnow
from deltacrown.moderation import enforcement, ports, queries, services
from deltacrown.moderation.errors import (
    AlreadyReportedError,
    NotSanctionableError,
    PermissionDeniedError,
    ReportsRateLimitedError,
    SubjectNotFoundError,
    ValidationError,
)
from deltacrown.moderation.models import (
    OPEN_STATUSES,
    Report,
    ReportCategory,
    ReportStatus,
    Sanction,
    SanctionScope,
    SanctionType,
    SubjectType,
)

DEFAULT_REPORTS_PER_HOUR = 10
MAX_EVIDENCE = 10


def _subject_exists(subject_type: SubjectType, subject_id: int) -> bool:
    if subject_type is SubjectType.USER:
        user = find_user(subject_id)
        return user is not None and user.is_active
    return ports.subjects.get().exists(subject_type.value, subject_id)


def _check_evidence(keys: list[str]) -> None:
    errors = []
    if len(keys) > MAX_EVIDENCE:
        errors.append(f"At most {MAX_EVIDENCE} files.")
    for key in keys:
        try:
            storage.parse_key(key)
        except storage.InvalidKeyError:
            errors.append(f"{key[:80]!r} is not a key of an uploaded file.")
    if errors:
        raise ValidationError("The evidence is not valid.", errors={"evidence_keys": errors})


def _check_rate(reporter_id: int) -> None:
    limit = int(current_app.config.get("MODERATION_REPORTS_PER_HOUR", DEFAULT_REPORTS_PER_HOUR))
    since = utcnow() - timedelta(hours=1)
    filed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Report)
        .where(Report.reporter_id == reporter_id, Report.created_at >= since)
    )
    if (filed or 0) >= limit:
        raise ReportsRateLimitedError(
            f"At most {limit} reports an hour; try again later.", headers={"Retry-After": "3600"}
        )


def file_report(
    *,
    actor: UserActor,
    subject_type: SubjectType,
    subject_id: int,
    category: ReportCategory,
    details: str = "",
    evidence_keys: list[str] | None = None,
    priority: int = 0,
) -> Report:
    """File a report for staff. Raises SanctionedError (a banned reporter),
    ReportsRateLimitedError, SubjectNotFoundError, AlreadyReportedError, ValidationError."""
    enforcement.enforce(actor.id, enforcement.Action.REPORT)
    evidence = list(evidence_keys or [])
    _check_evidence(evidence)
    if not 0 <= priority <= 5:
        raise ValidationError("Priority is 0-5.", errors={"priority": ["Between 0 and 5."]})
    if not _subject_exists(subject_type, subject_id):
        raise SubjectNotFoundError(f"No {subject_type.value} {subject_id}.")
    _check_rate(actor.id)
    duplicate = db.session.scalar(
        sa.select(Report.id).where(
            Report.reporter_id == actor.id,
            Report.subject_type == subject_type,
            Report.subject_id == subject_id,
            Report.status.in_(OPEN_STATUSES),
        )
    )
    if duplicate is not None:
        raise AlreadyReportedError(
            f"You already have an open report ({duplicate}) about this {subject_type.value}.",
            report_id=duplicate,
        )
    report = Report(
        reporter_id=actor.id,
        subject_type=subject_type,
        subject_id=subject_id,
        category=category,
        details=details,
        evidence_keys=evidence,
        priority=priority,
        status=ReportStatus.OPEN,
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
    except IntegrityError:  # a concurrent twin won the partial unique index
        raise AlreadyReportedError(
            f"You already have an open report about this {subject_type.value}."
        ) from None
    audit.record(
        actor=actor,
        action="report_filed",
        target=report,
        after={"subject_type": subject_type, "subject_id": subject_id, "category": category},
    )
    return report


def _move(
    report_id: int, target: ReportStatus, *, actor: Actor | None, notes: str | None
) -> Report:
    if not getattr(actor, "is_staff", False):
        raise PermissionDeniedError("Staff handle reports.")
    report = queries.get_report(report_id, for_update=True)
    before = report.status
    report.transition(target)
    report.handled_by_id = user_id_of(actor)
    report.handled_at = utcnow()
    if notes is not None:
        report.resolution_notes = notes
    db.session.flush()
    audit.record(
        actor=actor,
        action=f"report_{target.value}",
        target=report,
        before={"status": before},
        after={"status": target, "notes": notes},
    )
    return report


def triage(report_id: int, *, actor: Actor | None, notes: str | None = None) -> Report:
    """`open` → `triaged`. Raises ReportNotFoundError, PermissionDeniedError,
    InvalidTransitionError."""
    return _move(report_id, ReportStatus.TRIAGED, actor=actor, notes=notes)


def resolve(report_id: int, *, actor: Actor | None, notes: str | None = None) -> Report:
    """`triaged` → `resolved` (action was taken)."""
    return _move(report_id, ReportStatus.RESOLVED, actor=actor, notes=notes)


def dismiss(report_id: int, *, actor: Actor | None, notes: str | None = None) -> Report:
    """`open` or `triaged` → `dismissed` (nothing to act on)."""
    return _move(report_id, ReportStatus.DISMISSED, actor=actor, notes=notes)


def subject_summary(report: Report) -> dict[str, Any]:
    """What staff see of a report's subject beside it: the tournament it belongs to."""
    tournament_id = None
    if report.subject_type in (SubjectType.MATCH, SubjectType.MESSAGE):
        tournament_id = ports.subjects.get().tournament_of(
            report.subject_type.value, report.subject_id
        )
    elif report.subject_type is SubjectType.TOURNAMENT:
        tournament_id = report.subject_id
    return {"tournament_id": tournament_id}


def sanction_subject(report: Report) -> tuple[int | None, int | None]:
    """Whom a sanction for this report falls on: the reported user, team, or a message's
    author, as (user_id, team_id). NotSanctionableError for a match or tournament (sanction a
    user instead)."""
    if report.subject_type is SubjectType.USER:
        return report.subject_id, None
    if report.subject_type is SubjectType.TEAM:
        return None, report.subject_id
    if report.subject_type is SubjectType.MESSAGE:
        author = ports.subjects.get().author_of(report.subject_id)
        if author is not None:
            return author, None
    raise NotSanctionableError(
        f"A {report.subject_type.value} report names no one to sanction; sanction the user."
    )


SCOPE_OF = {
    SanctionType.WARNING: SanctionScope.GLOBAL,
    SanctionType.MUTE: SanctionScope.CHAT,
    SanctionType.SUSPENSION: SanctionScope.GLOBAL,
    SanctionType.BAN: SanctionScope.GLOBAL,
    SanctionType.SHOP_BAN: SanctionScope.SHOP,
}


def act_on_report(
    report_id: int,
    *,
    actor: Actor | None,
    type: SanctionType,
    ends_at: datetime | None = None,
) -> Sanction:
    """The queue's one-click decision: sanction the report's subject (linked to the report,
    reason = its category) and resolve the report (triaging it first when still open)."""
    report = queries.get_report(report_id, for_update=True)
    user_id, team_id = sanction_subject(report)
    if report.status is ReportStatus.OPEN:
        triage(report_id, actor=actor)
    sanction = services.create_sanction(
        actor=actor,
        type=type,
        scope=SCOPE_OF[type],
        reason_code=report.category.value,
        ends_at=ends_at,
        report_id=report.id,
        user_id=user_id,
        team_id=team_id,
    )
    resolve(report_id, actor=actor, notes=f"{type.value} (sanction {sanction.id})")
    return sanction

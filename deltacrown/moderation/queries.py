"""Reading reports, sanctions and appeals (lists are Selects the views page through)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.core.db import db
from deltacrown.core.time import utcnow
from deltacrown.moderation.errors import (
    AppealNotFoundError,
    ReportNotFoundError,
    SanctionNotFoundError,
)
from deltacrown.moderation.models import Appeal, Report, Sanction


def get_report(report_id: int, *, for_update: bool = False) -> Report:
    query = sa.select(Report).where(Report.id == report_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    report = db.session.scalar(query)
    if report is None:
        raise ReportNotFoundError(f"No report {report_id}.")
    return report


def get_sanction(sanction_id: int, *, for_update: bool = False) -> Sanction:
    query = sa.select(Sanction).where(Sanction.id == sanction_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    sanction = db.session.scalar(query)
    if sanction is None:
        raise SanctionNotFoundError(f"No sanction {sanction_id}.")
    return sanction


def get_appeal(appeal_id: int, *, for_update: bool = False) -> Appeal:
    query = sa.select(Appeal).where(Appeal.id == appeal_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    appeal = db.session.scalar(query)
    if appeal is None:
        raise AppealNotFoundError(f"No appeal {appeal_id}.")
    return appeal


def list_reports(
    *,
    reporter_id: int | None = None,
    status: Any = None,
    category: Any = None,
    subject_type: Any = None,
    subject_id: int | None = None,
    min_priority: int | None = None,
) -> sa.Select[Any]:
    query = sa.select(Report)
    if reporter_id is not None:
        query = query.where(Report.reporter_id == reporter_id)
    if status is not None:
        query = query.where(Report.status == status)
    if category is not None:
        query = query.where(Report.category == category)
    if subject_type is not None:
        query = query.where(Report.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(Report.subject_id == subject_id)
    if min_priority is not None:
        query = query.where(Report.priority >= min_priority)
    return query


def list_sanctions(
    *,
    state: str | None = None,
    user_id: int | None = None,
    team_id: int | None = None,
    type: Any = None,
    scope_id: int | None = None,
) -> sa.Select[Any]:
    """`state`: `active` (in force now or yet to start), `expired` or `revoked`."""
    now = utcnow()
    query = sa.select(Sanction)
    if state == "active":
        query = query.where(
            Sanction.revoked_at.is_(None),
            sa.or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
        )
    elif state == "expired":
        query = query.where(Sanction.revoked_at.is_(None), Sanction.ends_at <= now)
    elif state == "revoked":
        query = query.where(Sanction.revoked_at.is_not(None))
    if user_id is not None:
        query = query.where(Sanction.user_id == user_id)
    if team_id is not None:
        query = query.where(Sanction.team_id == team_id)
    if type is not None:
        query = query.where(Sanction.type == type)
    if scope_id is not None:
        query = query.where(Sanction.scope_id == scope_id)
    return query


def list_appeals(*, status: Any = None) -> sa.Select[Any]:
    query = sa.select(Appeal)
    if status is not None:
        query = query.where(Appeal.status == status)
    return query


def appeal_of(sanction_id: int) -> Appeal | None:
    return db.session.scalar(sa.select(Appeal).where(Appeal.sanction_id == sanction_id))

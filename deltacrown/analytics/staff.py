"""Staff figures: moderation (reports and sanctions by state and type) and the platform
(users, active players and tournaments per period), each a few GROUP BY queries.

Definitions: a sanction is `active` (started, not ended, not revoked), `scheduled` (starts
later), `expired` (ended) or `revoked`; active players in a period = distinct people on
registrations created in it (the player, or every member of a team's); new users by their
sign-up time; tournaments by their creation time, and by status now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.analytics.summary import dialect
from deltacrown.core.errors import ValidationError
from deltacrown.economy.analytics import PERIODS, bucket_expression, bucket_start
from deltacrown.extensions import db
from deltacrown.moderation.models import (
    Report,
    ReportCategory,
    ReportStatus,
    Sanction,
    SanctionType,
)
from deltacrown.registrations.models import Registration, RegistrationMember
from deltacrown.tournaments.models import Tournament, TournamentStatus

SANCTION_STATES = ("active", "scheduled", "expired", "revoked")
MAX_BUCKETS = 400


def moderation_figures(*, now: datetime) -> dict[str, Any]:
    """Reports by status and by category, sanctions by type and state (zeros included)."""
    reports = db.session.execute(
        sa.select(Report.status, Report.category, sa.func.count()).group_by(
            Report.status, Report.category
        )
    ).all()
    by_status = {s.value: 0 for s in ReportStatus}
    by_category = {c.value: 0 for c in ReportCategory}
    for status, category, n in reports:
        by_status[ReportStatus(status).value] += int(n)
        by_category[ReportCategory(category).value] += int(n)
    state = sa.case(
        (Sanction.revoked_at.is_not(None), "revoked"),
        (Sanction.starts_at > now, "scheduled"),
        (sa.and_(Sanction.ends_at.is_not(None), Sanction.ends_at <= now), "expired"),
        else_="active",
    ).label("state")
    sanctions = db.session.execute(
        sa.select(Sanction.type, state, sa.func.count()).group_by(Sanction.type, state)
    ).all()
    by_type = {t.value: dict.fromkeys(SANCTION_STATES, 0) for t in SanctionType}
    for kind, sanction_state, n in sanctions:
        by_type[SanctionType(kind).value][str(sanction_state)] = int(n)
    totals = {s: sum(row[s] for row in by_type.values()) for s in SANCTION_STATES}
    return {
        "reports": {
            "total": sum(by_status.values()),
            "by_status": by_status,
            "by_category": by_category,
        },
        "sanctions": {"total": sum(totals.values()), "by_state": totals, "by_type": by_type},
    }


def _buckets(date_from: date, date_to: date, period: str) -> list[date]:
    if period not in PERIODS:
        raise ValidationError("period is day, week or month.", errors={"period": list(PERIODS)})
    if date_to < date_from:
        raise ValidationError("`to` is before `from`.", errors={"to": ["Must not be before from."]})
    starts = [bucket_start(date_from, period)]
    while (following := _after(starts[-1], period)) <= date_to:
        starts.append(following)
        if len(starts) > MAX_BUCKETS:
            raise ValidationError(
                f"At most {MAX_BUCKETS} {period}s at a time.", errors={"from": ["Range too long."]}
            )
    return starts


def _after(start: date, period: str) -> date:
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _per_bucket(column: Any, value: Any, where: Any, period: str, source: Any) -> dict[date, int]:
    bucket = bucket_expression(column, period, dialect()).label("bucket")
    rows = db.session.execute(
        sa.select(bucket, value).select_from(source).where(*where).group_by(bucket)
    ).all()
    return {date.fromisoformat(str(b)): int(n) for b, n in rows}


def platform_figures(*, date_from: date, date_to: date, period: str) -> dict[str, Any]:
    """Users, active players and tournaments per period from `date_from` to `date_to`."""
    starts = _buckets(date_from, date_to, period)
    begin = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    users = _per_bucket(
        User.created_at, sa.func.count(User.id),
        (User.created_at >= begin, User.created_at < end), period, User,
    )  # fmt: skip
    active = _per_bucket(
        Registration.created_at,
        sa.func.count(sa.distinct(RegistrationMember.user_id)),
        (Registration.created_at >= begin, Registration.created_at < end),
        period,
        sa.join(
            Registration, RegistrationMember, RegistrationMember.registration_id == Registration.id
        ),
    )
    created = _per_bucket(
        Tournament.created_at, sa.func.count(Tournament.id),
        (Tournament.created_at >= begin, Tournament.created_at < end,
         Tournament.deleted_at.is_(None)),
        period, Tournament,
    )  # fmt: skip
    totals = db.session.execute(
        sa.select(
            sa.select(sa.func.count(User.id)).scalar_subquery(),
            sa.select(sa.func.count(sa.distinct(RegistrationMember.user_id)))
            .select_from(Registration)
            .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
            .where(Registration.created_at >= begin, Registration.created_at < end)
            .scalar_subquery(),
        )
    ).one()
    statuses = db.session.execute(
        sa.select(Tournament.status, sa.func.count())
        .where(Tournament.deleted_at.is_(None))
        .group_by(Tournament.status)
    ).all()
    by_status = {s.value: 0 for s in TournamentStatus}
    by_status.update({TournamentStatus(s).value: int(n) for s, n in statuses})
    return {
        "period": period,
        "date_from": date_from,
        "date_to": date_to,
        "users_total": int(totals[0]),
        "active_players": int(totals[1]),
        "tournaments_by_status": by_status,
        "buckets": [
            {
                "start": start,
                "new_users": users.get(start, 0),
                "active_players": active.get(start, 0),
                "tournaments_created": created.get(start, 0),
            }
            for start in starts
        ],
    }

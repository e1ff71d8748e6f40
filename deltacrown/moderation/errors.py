"""Moderation's domain errors (each a stable problem `code`)."""

from __future__ import annotations

from deltacrown.core.errors import (
    ConflictError,
    DomainError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

__all__ = [
    "AlreadyAppealedError",
    "AlreadyReportedError",
    "AppealNotFoundError",
    "InvalidTransitionError",
    "MutedError",
    "NotSanctionableError",
    "PermissionDeniedError",
    "ReportNotFoundError",
    "ReportsRateLimitedError",
    "SanctionNotFoundError",
    "SanctionedError",
    "SubjectNotFoundError",
    "ValidationError",
]


class SanctionedError(PermissionDeniedError):
    """A sanction stops this user (or team) doing this; the problem says which, until when
    (`ends_at`, null: permanent) and where to appeal."""

    code, title = "sanctioned", "Sanctioned"


class MutedError(PermissionDeniedError):
    code, title = "muted", "Muted"


class ReportNotFoundError(NotFoundError):
    code, title = "report_not_found", "Report not found"


class SanctionNotFoundError(NotFoundError):
    code, title = "sanction_not_found", "Sanction not found"


class AppealNotFoundError(NotFoundError):
    code, title = "appeal_not_found", "Appeal not found"


class SubjectNotFoundError(NotFoundError):
    code, title = "subject_not_found", "Reported or sanctioned subject not found"


class AlreadyReportedError(ConflictError):
    code, title = "already_reported", "Already reported"


class AlreadyAppealedError(ConflictError):
    code, title = "already_appealed", "Already appealed"


class NotSanctionableError(ValidationError):
    code, title = "invalid_sanction", "Invalid sanction"


class ReportsRateLimitedError(DomainError):
    status, code, title = 429, "reports_rate_limited", "Too many reports"

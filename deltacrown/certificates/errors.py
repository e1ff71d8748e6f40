"""Certificates' errors (stable codes)."""

from __future__ import annotations

from deltacrown.core.errors import ConflictError, DomainError, NotFoundError


class CertificateNotFoundError(NotFoundError):
    code, title = "certificate_not_found", "Certificate not found"


class TournamentNotCompletedError(ConflictError):
    """Certificates exist only for completed tournaments."""

    code, title = "tournament_not_completed", "Tournament not completed"


class CertificateRevokedError(DomainError):
    """The certificate was revoked by staff; `reason` says why."""

    status, code, title = 410, "certificate_revoked", "Certificate revoked"


class CertificateAlreadyRevokedError(ConflictError):
    code, title = "certificate_already_revoked", "Certificate already revoked"

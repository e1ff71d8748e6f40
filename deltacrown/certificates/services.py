"""Certificates: drawing one (idempotent), checking one, downloading one, revoking one.

Drawing is slow (about a tenth of a second), so `issue` reads what it needs, leaves the
transaction (`outside_transaction`: SQLite's write lock is never held while drawing), draws and
stores both files, then writes the row. Files of a rolled-back unit are deleted again
(`on_rollback`); files replaced by `force_regenerate` are deleted after the commit.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app

from deltacrown.certificates import layout, queries, render_pdf, render_png
from deltacrown.certificates.errors import (
    CertificateAlreadyRevokedError,
    CertificateRevokedError,
    TournamentNotCompletedError,
)
from deltacrown.certificates.models import Certificate, CertificateType
from deltacrown.certificates.queries import Recipient
from deltacrown.certificates.wording import LANGUAGES, Facts, wording
from deltacrown.core import audit, storage
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit, on_rollback, outside_transaction
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.tournaments import policies
from deltacrown.tournaments.models import Tournament, TournamentStatus
from deltacrown.tournaments.queries import get_tournament

log = logging.getLogger(__name__)

FORMATS = {"pdf": "application/pdf", "png": "image/png"}
GENERATE_TASK = "certificates.generate_for_tournament"  # the Celery task of `tasks`
CODE_BYTES = 16  # 128 random bits, 22 URL-safe characters


def new_code() -> str:
    return secrets.token_urlsafe(CODE_BYTES)


def verify_url(code: str) -> str:
    base = str(current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}/api/certificates/verify/{code}/"


def installed_fonts() -> layout.Fonts:
    dirs = current_app.config.get("CERTIFICATE_FONT_DIRS") or layout.DEFAULT_FONT_DIRS
    return layout.fonts(tuple(dirs))


@dataclass(frozen=True)
class Subject:
    """What a certificate says about its tournament (read once per batch)."""

    id: int
    name: str
    game: str


def completed_tournament(tournament_id: int) -> Subject:
    tournament = get_tournament(tournament_id)
    if tournament.status is not TournamentStatus.COMPLETED:
        raise TournamentNotCompletedError(
            f"Tournament {tournament_id} is {tournament.status.value}; certificates are made "
            "once it is completed."
        )
    game = db.session.get(Game, tournament.game_id)
    return Subject(tournament.id, tournament.name, game.name if game is not None else "")


def languages(language: str | None) -> tuple[str, ...]:
    """The languages asked for: one, or all of them when none is named."""
    return (language,) if language else LANGUAGES


@dataclass(frozen=True)
class Drawn:
    pdf: bytes
    png: bytes
    language: str


def draw(facts: Facts, language: str, fonts: layout.Fonts) -> Drawn:
    """Both files of a certificate (pure: no database, no storage)."""
    drawn_language = layout.language_to_draw(language, fonts)
    words = wording(facts, drawn_language)
    return Drawn(
        render_pdf.render(facts, words, fonts),
        render_png.render(facts, words, fonts),
        drawn_language,
    )


def _store(data: bytes) -> str:
    key = storage.save(io.BytesIO(data), "certificates")
    on_rollback(storage.delete, key)
    return key


def issue(
    tournament: Subject,
    recipient: Recipient,
    language: str,
    *,
    force: bool = False,
    fonts: layout.Fonts | None = None,
) -> Certificate:
    """The person's certificate of `tournament` in `language`: the existing one that is not
    revoked, unless `force` (then it is drawn again, keeping its code), else a new one."""
    existing = queries.current(tournament.id, recipient.user_id, language)
    if existing is not None and not force:
        return existing
    code = existing.code if existing is not None else new_code()
    certificate_type = CertificateType.for_placement(recipient.placement)
    issued_at = utcnow()
    facts = Facts(
        participant_name=recipient.participant_name,
        team_name=recipient.team_name,
        tournament_name=tournament.name,
        game=tournament.game,
        certificate_type=certificate_type.value,
        placement=recipient.placement,
        issued_on=issued_at.date(),
        code=code,
        verify_url=verify_url(code),
    )
    with outside_transaction():
        drawn = draw(facts, language, fonts or installed_fonts())
    pdf_key, png_key = _store(drawn.pdf), _store(drawn.png)
    values = {
        "tournament_id": tournament.id,
        "registration_id": recipient.registration_id,
        "user_id": recipient.user_id,
        "certificate_type": certificate_type,
        "placement": recipient.placement,
        "language": language,
        "drawn_language": drawn.language,
        "participant_name": facts.participant_name[:100],
        "team_name": facts.team_name[:100] if facts.team_name else None,
        "tournament_name": tournament.name,
        "game": facts.game,
        "pdf_key": pdf_key,
        "png_key": png_key,
        "pdf_sha256": hashlib.sha256(drawn.pdf).hexdigest(),
        "issued_at": issued_at,
    }
    if existing is None:
        certificate = Certificate(code=code, **values)
        db.session.add(certificate)
    else:
        after_commit(storage.delete, existing.pdf_key)
        after_commit(storage.delete, existing.png_key)
        certificate = existing
        for name, value in values.items():
            setattr(certificate, name, value)
    db.session.flush()
    return certificate


def may_download(actor: Any, certificate: Certificate) -> bool:
    """The owner, the tournament's organizers (while it exists) and staff."""
    if actor is None:
        return False
    if actor.id == certificate.user_id or policies.is_staff(actor):
        return True
    tournament = db.session.get(Tournament, certificate.tournament_id)
    return tournament is not None and policies.can_manage(actor, tournament)


def download(certificate_id: int, file_format: str, *, actor: Any) -> tuple[Certificate, BinaryIO]:
    """The certificate and a stream of its file, counted as a download. The owner, the
    tournament's organizers and staff only; a revoked certificate is gone (410)."""
    certificate = queries.get(certificate_id)
    if not may_download(actor, certificate):
        raise PermissionDeniedError("Only its owner, the organizers and staff may download it.")
    if certificate.revoked:
        raise CertificateRevokedError(
            f"This certificate was revoked: {certificate.revoked_reason}",
            reason=certificate.revoked_reason,
        )
    stream = storage.open(certificate.pdf_key if file_format == "pdf" else certificate.png_key)
    db.session.execute(
        sa.update(Certificate)
        .where(Certificate.id == certificate.id)
        .values(
            download_count=Certificate.download_count + 1,
            downloaded_at=sa.func.coalesce(Certificate.downloaded_at, utcnow()),
        )
    )
    return certificate, stream


def _slug(text: str, limit: int = 40) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:limit].strip("-")


def file_name(certificate: Certificate, file_format: str) -> str:
    """`certificate-<tournament>-<participant>-<language>.<format>`, in ASCII (parts with no
    Latin letters or digits are left out)."""
    parts = [
        "certificate",
        _slug(certificate.tournament_name),
        _slug(certificate.participant_name),
        certificate.language,
    ]
    return "-".join(part for part in parts if part) + f".{file_format}"


def pdf_hash(certificate: Certificate) -> str | None:
    """SHA-256 of the stored PDF as it is now (None when the file is gone)."""
    digest = hashlib.sha256()
    try:
        with storage.open(certificate.pdf_key) as stream:
            for chunk in iter(lambda: stream.read(64 * 1024), b""):
                digest.update(chunk)
    except storage.StoredFileNotFoundError:
        return None
    return digest.hexdigest()


def verification(code: str) -> dict[str, Any]:
    """What a scanned QR code answers: genuine (valid) unless revoked or altered."""
    certificate = queries.by_code(code)
    tampered = pdf_hash(certificate) != certificate.pdf_sha256
    return {
        "valid": not certificate.revoked and not tampered,
        "code": certificate.code,
        "certificate_type": certificate.certificate_type.value,
        "placement": certificate.placement,
        "participant_name": certificate.participant_name,
        "team_name": certificate.team_name,
        "tournament_name": certificate.tournament_name,
        "game": certificate.game,
        "language": certificate.language,
        "issued_at": certificate.issued_at,
        "revoked": certificate.revoked,
        "revoked_reason": certificate.revoked_reason,
        "tampered": tampered,
    }


def revoke(certificate_id: int, reason: str, *, actor: Any) -> Certificate:
    """Staff revoke a certificate (audited); it then verifies as invalid and cannot be
    downloaded. A new one can be made for the same person afterwards."""
    if not policies.is_staff(actor):
        raise PermissionDeniedError("Staff only.")
    certificate = db.session.scalars(
        sa.select(Certificate).where(Certificate.id == certificate_id).with_for_update()
    ).first()
    if certificate is None:
        return queries.get(certificate_id)  # raises the 404
    if certificate.revoked:
        raise CertificateAlreadyRevokedError(f"Certificate {certificate_id} is already revoked.")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by_id = actor.id
    audit.record(
        actor=actor,
        action="certificate.revoke",
        target=certificate,
        after={"reason": reason, "code": certificate.code},
    )
    db.session.flush()
    return certificate


def check_may_generate(tournament_id: int, *, actor: Any) -> Subject:
    """The completed tournament whose certificates `actor` (organizer or staff) may make."""
    tournament = get_tournament(tournament_id)
    if not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the organizers and staff make certificates.")
    return completed_tournament(tournament_id)

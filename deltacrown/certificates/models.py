"""A participant's certificate of a completed tournament: what it says (copied when it is
drawn, so verification answers what the paper shows), where its PDF and PNG are stored, the
SHA-256 of the PDF, and whether staff revoked it.

One certificate that is not revoked per (tournament, user, language): a partial unique index,
so two concurrent generations cannot both keep one. `code` is the public verification code
printed as a QR code and as text: 128 random bits, URL-safe.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import UTCDateTime, enum_type
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class CertificateType(enum.Enum):
    WINNER = "winner"
    RUNNER_UP = "runner_up"
    THIRD_PLACE = "third_place"
    PARTICIPANT = "participant"

    @classmethod
    def for_placement(cls, placement: int | None) -> CertificateType:
        return {1: cls.WINNER, 2: cls.RUNNER_UP, 3: cls.THIRD_PLACE}.get(
            placement or 0, cls.PARTICIPANT
        )


_NOT_REVOKED = sa.text("revoked_at IS NULL")


class Certificate(Model):
    __tablename__ = "certificates"
    __table_args__ = (
        sa.Index(
            "uq_certificates_current_tournament_id_user_id_language",
            "tournament_id",
            "user_id",
            "language",
            unique=True,
            sqlite_where=_NOT_REVOKED,
            postgresql_where=_NOT_REVOKED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), nullable=False, unique=True)
    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id"), nullable=False, index=True
    )
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registrations.id"), nullable=False)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), nullable=False, index=True)
    certificate_type: Mapped[CertificateType] = mapped_column(
        enum_type(CertificateType), nullable=False
    )
    placement: Mapped[int | None] = mapped_column(sa.Integer)
    # Asked for (`en`, `bn`); `drawn_language` is what the files show (English without a
    # Bengali font).
    language: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    drawn_language: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    participant_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    team_name: Mapped[str | None] = mapped_column(sa.String(100))
    tournament_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    game: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    pdf_key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    png_key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    download_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def __str__(self) -> str:
        return f"Certificate #{self.id}"

    def __repr__(self) -> str:
        return f"<Certificate {self.id} t={self.tournament_id} u={self.user_id} {self.language}>"

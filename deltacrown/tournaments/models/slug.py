"""Slugs a tournament had before a rename: links to them keep working (301 to the new one)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from deltacrown.core.db import Model, UTCDateTime
from deltacrown.core.time import utcnow


class TournamentSlug(Model):
    __tablename__ = "tournament_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique across history and current slugs alike: an old slug is never given to another
    # tournament, so a redirect always lands where the link was meant to go.
    slug: Mapped[str] = mapped_column(sa.String(220), nullable=False, unique=True)
    tournament_id: Mapped[int] = mapped_column(
        sa.ForeignKey("tournaments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

"""What accounts asks of the domains above it: is this account banned now (moderation)?
Sign-in, token refresh and every request with a token ask; a banned account is refused with
403 `account_banned`. `deltacrown.wiring` provides the implementation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from deltacrown.core.ports import Port


@dataclass(frozen=True)
class Ban:
    sanction_id: int
    ends_at: datetime | None  # None: permanent


class BanFacts(Protocol):
    def ban_of(self, user_id: int) -> Ban | None:
        """The ban in force on the account now, or None."""
        ...


bans: Port[BanFacts] = Port("accounts.bans")

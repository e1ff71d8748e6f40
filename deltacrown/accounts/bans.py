"""Banned accounts are refused at sign-in, token refresh and every request with a token
(moderation answers through `ports.bans`)."""

from __future__ import annotations

from deltacrown.accounts.errors import AccountBannedError
from deltacrown.accounts.ports import Ban, bans
from deltacrown.core.time import isoformat, readable


def ensure_not_banned(user_id: int) -> None:
    """403 `account_banned` (with `sanction_id`, `ends_at` and where to appeal) when a ban is
    in force on the account."""
    refuse_if_banned(bans.get().ban_of(user_id))


def refuse_if_banned(ban: Ban | None) -> None:
    """403 `account_banned` for a ban read earlier (sign-in reads it before the password
    check, while it holds no write lock)."""
    if ban is None:
        return
    until = f"until {readable(ban.ends_at)}" if ban.ends_at else "permanently"
    raise AccountBannedError(
        f"This account is banned {until} (sanction {ban.sanction_id}); "
        f"appeal at /api/me/sanctions/{ban.sanction_id}/appeal/.",
        sanction_id=ban.sanction_id,
        ends_at=isoformat(ban.ends_at) if ban.ends_at else None,
        appeal=f"/api/me/sanctions/{ban.sanction_id}/appeal/",
    )

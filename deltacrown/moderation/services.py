"""The enforcement question other domains ask: "is this user sanctioned for this?".

`active_sanction_for(user_id, scope=..., tournament_id=None)` is the one call enforcement
points make (registration asks with scope `registration`). There are no sanctions yet, so it
always answers None; once sanctions are recorded it looks up the active ones (bans,
suspensions, tournament-scoped sanctions), keeping this signature.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class SanctionLike(Protocol):
    """What enforcement points read from a sanction."""

    id: int
    kind: str  # warning, mute, suspension, ban
    scope: str  # global, tournament, chat, shop
    ends_at: datetime | None
    reason: str | None


def active_sanction_for(
    user_id: int, *, scope: str, tournament_id: int | None = None
) -> SanctionLike | None:
    """The sanction that stops `user_id` acting in `scope` now (None: nothing stops them).

    Today no sanction exists, so the answer is always None.
    """
    return None

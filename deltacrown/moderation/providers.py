"""This domain's answers to what lower domains ask: accounts' `BanFacts` (is this account
banned now?), from the enforcement cache."""

from __future__ import annotations

from deltacrown.accounts.ports import Ban
from deltacrown.moderation import enforcement


class SanctionBans:
    """`accounts.ports.BanFacts` through `enforcement.check` (action `login`)."""

    def ban_of(self, user_id: int) -> Ban | None:
        decision = enforcement.check(user_id, enforcement.Action.LOGIN)
        if decision.allowed or decision.sanction_id is None:
            return None
        return Ban(sanction_id=decision.sanction_id, ends_at=decision.ends_at)

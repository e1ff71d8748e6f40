"""Cross-domain events (blinker). Direct service calls inside one use case; signals only for
*reactions* in other domains. Every signal is sent AFTER the commit (through
`core.transaction.after_commit`), with ids as keyword arguments, never ORM objects.

Who sends what, and who listens, is listed here and kept true:

- `tournament_cancelled(tournament_id, reason, actor_id)` — sent by tournaments.services
  cancel_tournament. Listeners: registrations (refunds, cancellations; later issue).
- `team_member_joined(team_id, user_id)`, `team_member_left(team_id, user_id, removed_by)`,
  `team_captain_transferred(team_id, from_user_id, to_user_id)`, `team_disbanded(team_id)` —
  sent by teams.services. Listeners: notifications, websockets (later issues).
  `team_disbanded` also carries `disbanded_by, member_ids`.
- `team_created(team_id, captain_id)`, `team_updated(team_id, actor_id, fields)`,
  `team_invite_sent(team_id, invite_id, user_id, invited_by)`,
  `team_invite_declined(team_id, invite_id, user_id)`,
  `team_invite_cancelled(team_id, invite_id, user_id, cancelled_by)`,
  `team_invite_expired(team_id, invite_id, user_id)` — sent by teams.services and
  teams.invites (which also sends `team_member_joined`).
  Listeners: notifications (later issue).
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

from deltacrown.core.transaction import after_commit

signals = Namespace()

tournament_cancelled = signals.signal("tournament_cancelled")
team_member_joined = signals.signal("team_member_joined")
team_member_left = signals.signal("team_member_left")
team_captain_transferred = signals.signal("team_captain_transferred")
team_disbanded = signals.signal("team_disbanded")
team_created = signals.signal("team_created")
team_updated = signals.signal("team_updated")
team_invite_sent = signals.signal("team_invite_sent")
team_invite_declined = signals.signal("team_invite_declined")
team_invite_cancelled = signals.signal("team_invite_cancelled")
team_invite_expired = signals.signal("team_invite_expired")


def send_after_commit(signal: Any, sender: str, **payload: Any) -> None:
    """Send `signal` once the current unit of work has committed (dropped on rollback)."""
    after_commit(signal.send, sender, **payload)

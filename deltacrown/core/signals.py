"""Cross-domain events (blinker). Direct service calls inside one use case; signals only for
*reactions* in other domains. Every signal is sent AFTER the commit (through
`core.transaction.after_commit`), with ids as keyword arguments, never ORM objects.

Who sends what, and who listens, is listed here and kept true:

- `tournament_cancelled(tournament_id, reason, actor_id)` — sent by tournaments.services
  cancel_tournament. Listeners: registrations.receivers (refunds, cancellations),
  notifications.receivers; payouts.receivers (the held prize pool back to the organizer).
- `team_member_joined(team_id, user_id)`, `team_member_left(team_id, user_id, removed_by)`,
  `team_captain_transferred(team_id, from_user_id, to_user_id)`, `team_disbanded(team_id)` —
  sent by teams.services. Listeners: notifications.receivers (`team_member_joined`,
  `team_member_left`). `team_disbanded` also carries `disbanded_by, member_ids`.
- `team_created(team_id, captain_id)`, `team_updated(team_id, actor_id, fields)`,
  `team_invite_sent(team_id, invite_id, user_id, invited_by)`,
  `team_invite_declined(team_id, invite_id, user_id)`,
  `team_invite_cancelled(team_id, invite_id, user_id, cancelled_by)`,
  `team_invite_expired(team_id, invite_id, user_id)` — sent by teams.services and
  teams.invites (which also sends `team_member_joined`).
  Listeners: notifications.receivers (`team_invite_sent`).
- `registration_created(registration_id, tournament_id, status)`,
  `registration_confirmed(registration_id, tournament_id)`,
  `registration_cancelled(registration_id, tournament_id, reason, actor_id)`,
  `registration_rejected(registration_id, tournament_id, reason, actor_id)`,
  `registration_no_show(registration_id, tournament_id)`,
  `waitlist_promoted(registration_id, tournament_id, status, payment_due_at)`,
  `payment_submitted(registration_id, tournament_id, payment_id)`,
  `payment_verified(registration_id, tournament_id, actor_id)`,
  `payment_rejected(registration_id, tournament_id, reason, actor_id)`,
  `refund_due(registration_id, tournament_id)`, `payment_refunded(registration_id,
  tournament_id, kind)` (kind `coins` or `manual`), `registration_checked_in(registration_id,
  tournament_id, actor_id)`, `registration_checkin_undone(registration_id, tournament_id,
  actor_id)` — sent by registrations.services. Listeners: core.domain_metrics
  (`registration_created`: a counter); webhooks.receivers (created, confirmed, cancelled);
  payloads carry ids only (never sender numbers or answers).
- `bracket_generated(tournament_id, stage_ids, actor_id)`, `tournament_started(tournament_id,
  actor_id)`, `match_completed(match_id, tournament_id, stage_id, winner_registration_id,
  loser_registration_id)`, `tournament_completed(tournament_id)` — sent by brackets.services.
  Listeners: certificates.receivers on `tournament_completed` (every participant's
  certificate); leaderboards.receivers (`match_completed`: ratings; `tournament_completed`:
  points rows, lobby ratings, boards); payouts.receivers (`tournament_completed`: create and
  pay the prizes); webhooks.receivers (`match_completed`); core.domain_metrics
  (`match_completed`: a counter).
- `match_result_corrected(match_id, tournament_id, actor_id)`, `dispute_opened(dispute_id,
  match_id, tournament_id)`, `dispute_resolved(dispute_id, match_id, tournament_id, status,
  outcome)` — sent by matches (results confirmed, forfeits and completion reuse brackets'
  `match_completed` and `tournament_completed`). Listeners: leaderboards.receivers
  (`match_result_corrected`: ratings replayed, a completed tournament's points rewritten);
  payouts.receivers (`match_result_corrected`: payouts follow corrected placements);
  webhooks.receivers (`dispute_opened`, `dispute_resolved`); core.domain_metrics
  (`dispute_opened`: a counter).
- `match_schedule_changed(match_id, tournament_id, proposal_id, registration_id, step)` (step
  `proposed`, `accepted` or `declined`; `registration_id` is the proposing side) — sent by
  matches.schedule. Listeners: notifications.receivers (the other side hears of a proposal,
  the proposing side of the answer).
- `tournament_state_changed(tournament_id, before, after)` and `match_state_changed(match_id,
  tournament_id, before, after)` (statuses as strings) — sent after every committed status
  change on any code path, once per unit of work, by the state listeners `wiring` registers
  (`core.realtime.announce_state_changes`). Listeners: webhooks.receivers (tournament
  published/ongoing/completed/cancelled; a match becoming ready); analytics.receivers (a
  tournament completed: its summary row refreshed).
- `payout_created(payout_id, tournament_id, user_id)`, `payout_paid(payout_id, tournament_id,
  user_id)`, `payout_failed(payout_id, tournament_id, user_id, reason)` — sent by
  payouts.services and payouts.desk after commit. Listeners: core.domain_metrics
  (`payout_paid`, `payout_failed`: counters); webhooks.receivers (`payout_paid`).
- Notifications: `notifications.receivers.RECEIVERS` is the one table of the signals that
  make notices (registrations and payments, waitlist promotions, team invites and members,
  tournament started/completed/cancelled, a match ready or awaiting the other side's
  confirmation, match times proposed and answered, disputes opened and resolved, prizes
  paid); `wiring` connects each.
- `sanction_created(sanction_id, user_id, team_id, type, scope)`, `sanction_revoked(sanction_id,
  user_id, team_id)` — sent by moderation.services (recording a sanction; lifting one,
  directly or by an accepted appeal). Listeners: none yet.
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
registration_created = signals.signal("registration_created")
registration_confirmed = signals.signal("registration_confirmed")
registration_cancelled = signals.signal("registration_cancelled")
registration_rejected = signals.signal("registration_rejected")
registration_no_show = signals.signal("registration_no_show")
waitlist_promoted = signals.signal("waitlist_promoted")
payment_submitted = signals.signal("payment_submitted")
payment_verified = signals.signal("payment_verified")
payment_rejected = signals.signal("payment_rejected")
refund_due = signals.signal("refund_due")
payment_refunded = signals.signal("payment_refunded")
registration_checked_in = signals.signal("registration_checked_in")
registration_checkin_undone = signals.signal("registration_checkin_undone")
bracket_generated = signals.signal("bracket_generated")
tournament_started = signals.signal("tournament_started")
match_completed = signals.signal("match_completed")
match_result_corrected = signals.signal("match_result_corrected")
tournament_completed = signals.signal("tournament_completed")
dispute_opened = signals.signal("dispute_opened")
dispute_resolved = signals.signal("dispute_resolved")
match_schedule_changed = signals.signal("match_schedule_changed")
tournament_state_changed = signals.signal("tournament_state_changed")
match_state_changed = signals.signal("match_state_changed")
payout_created = signals.signal("payout_created")
payout_paid = signals.signal("payout_paid")
payout_failed = signals.signal("payout_failed")
sanction_created = signals.signal("sanction_created")
sanction_revoked = signals.signal("sanction_revoked")


def send_after_commit(signal: Any, sender: str, **payload: Any) -> None:
    """Send `signal` once the current unit of work has committed (dropped on rollback)."""
    after_commit(signal.send, sender, **payload)

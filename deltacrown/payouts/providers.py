"""Payouts' answers to what lower domains ask (ports declared there, provided by `wiring`)."""

from __future__ import annotations

from deltacrown.payouts import escrow


class PrizePoolEscrow:
    """`tournaments.ports.prize_funding`: hold an organizer-funded DeltaCoin prize pool in the
    tournament's escrow when registration opens."""

    def fund(self, tournament_id: int) -> None:
        escrow.fund(tournament_id)

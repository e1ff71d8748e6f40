"""Payouts' domain errors (each a stable problem `code`)."""

from deltacrown.core.errors import ConflictError, NotFoundError, ValidationError


class TournamentNotCompletedError(ConflictError):
    code, title = "tournament_not_completed", "Tournament not completed"


class NoPlacementsError(ConflictError):
    code, title = "no_placements", "No placements"


class NoPrizeDistributionError(ValidationError):
    code, title = "no_prize_distribution", "No prize distribution"


class PayoutNotFoundError(NotFoundError):
    code, title = "payout_not_found", "Payout not found"


class PayoutAlreadyPaidError(ConflictError):
    code, title = "payout_already_paid", "Payout already paid"


class PayoutMethodNotFoundError(NotFoundError):
    code, title = "payout_method_not_found", "Payout method not found"


class InvalidPayoutMethodError(ValidationError):
    code, title = "invalid_payout_method", "Invalid payout method"

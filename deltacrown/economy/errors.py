"""Economy's domain errors (each a stable problem `code`)."""

from deltacrown.core.errors import ConflictError, NotFoundError, ValidationError


class InvalidAmountError(ValidationError):
    code, title = "invalid_amount", "Invalid amount"


class InsufficientFundsError(ConflictError):
    code, title = "insufficient_funds", "Insufficient funds"


class IdempotencyConflictError(ConflictError):
    code, title = "idempotency_conflict", "Idempotency key used for another operation"


class HoldNotFoundError(NotFoundError):
    code, title = "hold_not_found", "Hold not found"


class HoldExpiredError(ConflictError):
    code, title = "hold_expired", "Hold expired"


class TransactionNotFoundError(NotFoundError):
    code, title = "transaction_not_found", "Transaction not found"


class NotRefundableError(ConflictError):
    code, title = "not_refundable", "Transaction cannot be refunded"


class RefundExceedsPaidError(ConflictError):
    code, title = "refund_exceeds_paid", "Refund exceeds what was paid"


class ItemNotFoundError(NotFoundError):
    code, title = "item_not_found", "Shop item not found"


class ItemNotAvailableError(ConflictError):
    code, title = "item_not_available", "Item not available"


class OutOfStockError(ConflictError):
    code, title = "out_of_stock", "Out of stock"


class PurchaseLimitExceededError(ConflictError):
    code, title = "purchase_limit_exceeded", "Per-user purchase limit reached"


class PurchaseNotFoundError(NotFoundError):
    code, title = "purchase_not_found", "Purchase not found"


class SkuTakenError(ConflictError):
    code, title = "sku_taken", "SKU already used"


class ItemInUseError(ConflictError):
    code, title = "item_in_use", "Item has purchases"


class PromoNotFoundError(ValidationError):
    code, title = "promo_not_found", "Unknown promo code"


class PromoExpiredError(ValidationError):
    code, title = "promo_expired", "Promo code outside its validity window"


class PromoExhaustedError(ValidationError):
    code, title = "promo_exhausted", "Promo code used up"


class PromoNotApplicableError(ValidationError):
    code, title = "promo_not_applicable", "Promo code does not apply to this item"


class PromoMinSpendError(ValidationError):
    code, title = "promo_min_spend", "Minimum spend not reached"


class PromoPerUserLimitError(ValidationError):
    code, title = "promo_per_user_limit", "Promo code already used the allowed number of times"


class PromoAlreadyAppliedError(ConflictError):
    code, title = "promo_already_applied", "Purchase already has a promo code"


class PromoCodeNotFoundError(NotFoundError):
    code, title = "promo_code_not_found", "Promo code not found"


class PromoCodeTakenError(ConflictError):
    code, title = "promo_code_taken", "Promo code already exists"


class PromoCodeInUseError(ConflictError):
    code, title = "promo_code_in_use", "Promo code has been used"


PROMO_ERRORS = (
    PromoNotFoundError,
    PromoExpiredError,
    PromoExhaustedError,
    PromoNotApplicableError,
    PromoMinSpendError,
    PromoPerUserLimitError,
)

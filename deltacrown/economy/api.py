"""Player-facing economy API: my wallet and its ledger, the shop, purchases, inventory and
promo-code checks. Staff endpoints live in `admin_api.py`."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts.recovery_errors import EmailNotVerifiedError
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user, staff_only
from deltacrown.core.csv import Column, csv_export, wants_csv
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    InvalidCursorError,
    cursor_page,
    paginate_select,
    with_next_cursor,
)
from deltacrown.core.scopes import TokenScopes
from deltacrown.core.time import utcnow
from deltacrown.economy import policies, queries
from deltacrown.economy.errors import (
    PROMO_ERRORS,
    HoldExpiredError,
    InsufficientFundsError,
    ItemNotAvailableError,
    ItemNotFoundError,
    OutOfStockError,
    PromoAlreadyAppliedError,
    PurchaseLimitExceededError,
    PurchaseNotFoundError,
    RefundExceedsPaidError,
)
from deltacrown.economy.models import Transaction
from deltacrown.economy.schemas import (
    ApplyPromoArgs,
    InventoryItemSchema,
    PromoQuoteSchema,
    PromoValidateArgs,
    PurchaseCreateArgs,
    PurchaseQueryArgs,
    PurchaseSchema,
    RefundArgs,
    ShopItemSchema,
    TransactionQueryArgs,
    TransactionSchema,
    WalletSchema,
)
from deltacrown.economy.services import promos, shop
from deltacrown.moderation.errors import SanctionedError

blp = Blueprint(
    "economy",
    __name__,
    url_prefix="/api",
    description="DeltaCoin wallets, the shop and promo codes.",
    token_scopes=TokenScopes("wallet:read", "shop:purchase"),
)


# The CSV export's columns: the ledger row, no personal data.
TRANSACTION_COLUMNS = [
    Column("id"),
    Column("created_at"),
    Column("kind"),
    Column("amount"),
    Column("balance_after"),
    Column("reference_type"),
    Column("reference_id"),
    Column("refund_of_id"),
    Column("reason"),
]


@blp.route("/wallet/")
class MyWallet(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, WalletSchema)
    def get(self) -> Any:
        """My balance, what is held by pending purchases, and what is available."""
        summary = queries.wallet_summary(require_user().id)
        blp.set_etag(summary)
        return summary


@blp.route("/wallet/transactions/")
class MyTransactions(MethodView):
    @login_required
    @blp.arguments(TransactionQueryArgs, location="query")
    @blp.response(200, TransactionSchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @csv_export(TRANSACTION_COLUMNS, filename="transactions.csv")
    @blp.errors(InvalidCursorError, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """My ledger, newest first; follow `X-Next-Cursor`, or ask for `text/csv`."""
        query = queries.list_transactions(
            require_user().id,
            kinds=args.get("kind"),
            created_from=args.get("created_from"),
            created_to=args.get("created_to"),
        )
        if wants_csv():
            return query.order_by(Transaction.id.desc())
        return with_next_cursor(*cursor_page(query, Transaction.id, args))


@blp.route("/shop/items/")
class ShopItems(MethodView):
    @blp.response(200, ShopItemSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """Items on sale now (sold-out ones show `stock: 0`)."""
        return paginate_select(queries.list_items_for_sale(utcnow()), pagination_parameters)


PURCHASE_ERRORS = (
    SanctionedError,
    EmailNotVerifiedError,
    ItemNotFoundError,
    ItemNotAvailableError,
    OutOfStockError,
    PurchaseLimitExceededError,
    InsufficientFundsError,
    *PROMO_ERRORS,
    422,
)


@blp.route("/shop/purchases/")
class Purchases(MethodView):
    @login_required
    @blp.arguments(PurchaseQueryArgs, location="query")
    @blp.response(200, PurchaseSchema(many=True))
    @blp.paginate()
    @blp.errors(403)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """My purchases, newest first (staff: `?user=` for someone else's)."""
        actor = require_user()
        user_id = args.get("user", actor.id)
        if user_id != actor.id and not policies.is_staff(actor):
            raise PermissionDeniedError("Only staff may list other users' purchases.")
        query = queries.list_purchases(user_id=user_id, status=args.get("status"))
        return paginate_select(query, pagination_parameters)

    @blp.idempotent
    @login_required
    @blp.arguments(PurchaseCreateArgs)
    @blp.response(201, PurchaseSchema)
    @blp.errors(*PURCHASE_ERRORS)
    def post(self, args: dict[str, Any]) -> Any:
        """Buy an item now, or with `hold: true` reserve coins and stock for 15 minutes."""
        return shop.purchase_item(
            actor=require_user(),
            item_ref=args["item"],
            quantity=args["quantity"],
            promo_code=args.get("promo_code"),
            hold=args["hold"],
        )


@blp.route("/shop/purchases/<int:purchase_id>/")
class PurchaseItem(MethodView):
    @login_required
    @blp.response(200, PurchaseSchema)
    @blp.errors(PurchaseNotFoundError)
    def get(self, purchase_id: int) -> Any:
        """One of my purchases."""
        return queries.get_purchase(purchase_id, actor=require_user())


@blp.route("/shop/purchases/<int:purchase_id>/capture/")
class PurchaseCapture(MethodView):
    @blp.idempotent
    @login_required
    @blp.response(200, PurchaseSchema)
    @blp.errors(PurchaseNotFoundError, InvalidTransitionError, HoldExpiredError, SanctionedError)
    def post(self, purchase_id: int) -> Any:
        """Pay a held purchase from its hold."""
        return shop.capture_purchase(purchase_id, actor=require_user())


@blp.route("/shop/purchases/<int:purchase_id>/release/")
class PurchaseRelease(MethodView):
    @blp.idempotent
    @login_required
    @blp.response(200, PurchaseSchema)
    @blp.errors(PurchaseNotFoundError, InvalidTransitionError)
    def post(self, purchase_id: int) -> Any:
        """Cancel a held purchase: its coins, stock and promo use are given back."""
        return shop.release_purchase(purchase_id, actor=require_user())


@blp.route("/shop/purchases/<int:purchase_id>/apply-promo/")
class PurchaseApplyPromo(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(ApplyPromoArgs)
    @blp.response(200, PurchaseSchema)
    @blp.errors(
        PurchaseNotFoundError,
        InvalidTransitionError,
        PromoAlreadyAppliedError,
        HoldExpiredError,
        *PROMO_ERRORS,
        422,
    )
    def post(self, args: dict[str, Any], purchase_id: int) -> Any:
        """Apply a promo code to a held purchase (its hold shrinks to the new total)."""
        return shop.apply_promo(purchase_id, actor=require_user(), code=args["code"])


@blp.route("/shop/purchases/<int:purchase_id>/refund/")
class PurchaseRefund(MethodView):
    @blp.idempotent
    @login_required
    @staff_only
    @blp.arguments(RefundArgs)
    @blp.response(200, PurchaseSchema)
    @blp.errors(403, PurchaseNotFoundError, InvalidTransitionError, RefundExceedsPaidError, 422)
    def post(self, args: dict[str, Any], purchase_id: int) -> Any:
        """Staff: refund a paid purchase, partly (`amount`) or what is left of it."""
        return shop.refund_purchase(
            purchase_id, actor=require_user(), reason=args["reason"], amount=args.get("amount")
        )


@blp.route("/shop/inventory/")
class MyInventory(MethodView):
    @login_required
    @blp.response(200, InventoryItemSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """The items I own."""
        return paginate_select(queries.list_inventory(require_user().id), pagination_parameters)


@blp.route("/shop/promo-codes/validate/")
class PromoValidate(MethodView):
    @login_required
    @blp.arguments(PromoValidateArgs)
    @blp.response(200, PromoQuoteSchema)
    @blp.errors(ItemNotFoundError, *PROMO_ERRORS, 422)
    def post(self, args: dict[str, Any]) -> Any:
        """The discount a promo code would give me on `quantity` x `item` (nothing is used)."""
        item = queries.get_item(args["item"])
        subtotal = item.price * args["quantity"]
        promo = promos.check_promo(
            args["code"], item=item, subtotal=subtotal, user_id=require_user().id
        )
        discount = promos.discount_for(promo, subtotal)
        return {
            "code": promo.code,
            "kind": promo.kind,
            "value": promo.value,
            "item": item,
            "quantity": args["quantity"],
            "unit_price": item.price,
            "subtotal": subtotal,
            "discount": discount,
            "total": subtotal - discount,
        }

"""Staff economy API under /api/admin/: balance adjustments, shop items and promo codes CRUD,
revenue analytics. Every operation is staff only (401 anonymous, 403 `forbidden` players)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.views import MethodView

from deltacrown.accounts.errors import UserNotFoundError
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user, staff_only
from deltacrown.core.pagination import paginate_select
from deltacrown.core.time import utcnow
from deltacrown.economy import analytics, queries
from deltacrown.economy.errors import (
    InsufficientFundsError,
    InvalidAmountError,
    ItemInUseError,
    ItemNotFoundError,
    PromoCodeInUseError,
    PromoCodeNotFoundError,
    PromoCodeTakenError,
    SkuTakenError,
)
from deltacrown.economy.schemas import (
    AdjustArgs,
    PromoCodeCreateArgs,
    PromoCodeQueryArgs,
    PromoCodeSchema,
    PromoCodeUpdateArgs,
    RevenueQueryArgs,
    RevenueReportSchema,
    ShopItemCreateArgs,
    ShopItemUpdateArgs,
    StaffItemQueryArgs,
    StaffShopItemSchema,
    TransactionSchema,
)
from deltacrown.economy.services import catalog, ledger, promos

blp = Blueprint(
    "economy_admin",
    __name__,
    url_prefix="/api/admin",
    description="Economy administration: balances, shop items, promo codes, revenue (staff only).",
)

# How far back a revenue report reaches when `from` is not given.
DEFAULT_SPAN = {
    "day": timedelta(days=29),
    "week": timedelta(weeks=11),
    "month": timedelta(days=364),
}


@blp.route("/wallets/<int:user_id>/adjust/")
class WalletAdjust(MethodView):
    @blp.idempotent
    @login_required
    @staff_only
    @blp.arguments(AdjustArgs)
    @blp.response(201, TransactionSchema)
    @blp.errors(403, UserNotFoundError, InsufficientFundsError, InvalidAmountError, 422)
    def post(self, args: dict[str, Any], user_id: int) -> Any:
        """Add or remove coins with a reason (audited); returns the ledger row."""
        actor = require_user()
        return ledger.adjust_balance(user_id, args["amount"], reason=args["reason"], actor=actor)


# ----- shop items ----------------------------------------------------------------------------
@blp.route("/shop/items/")
class StaffItems(MethodView):
    @login_required
    @staff_only
    @blp.arguments(StaffItemQueryArgs, location="query")
    @blp.response(200, StaffShopItemSchema(many=True))
    @blp.paginate()
    @blp.errors(403)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Every item, active or not."""
        return paginate_select(queries.list_all_items(**args), pagination_parameters)

    @login_required
    @staff_only
    @blp.arguments(ShopItemCreateArgs)
    @blp.response(201, StaffShopItemSchema)
    @blp.errors(403, SkuTakenError, 422)
    def post(self, args: dict[str, Any]) -> Any:
        """Add an item."""
        return catalog.create_item(actor=require_user(), **args)


@blp.route("/shop/items/<int:item_id>/")
class StaffItem(MethodView):
    @login_required
    @staff_only
    @blp.etag
    @blp.response(200, StaffShopItemSchema)
    @blp.errors(403, ItemNotFoundError)
    def get(self, item_id: int) -> Any:
        """One item."""
        item = queries.get_item(item_id, include_inactive=True)
        blp.set_etag(item)
        return item

    @login_required
    @staff_only
    @blp.etag
    @blp.arguments(ShopItemUpdateArgs)
    @blp.response(200, StaffShopItemSchema)
    @blp.errors(403, ItemNotFoundError, SkuTakenError, 412, 422)
    def patch(self, args: dict[str, Any], item_id: int) -> Any:
        """Change an item (to stop selling it, set `is_active` false)."""
        actor = require_user()
        item = queries.get_item(item_id, include_inactive=True)
        blp.check_etag(item)
        catalog.update_item(item, actor=actor, changes=args)
        blp.set_etag(item)
        return item

    @login_required
    @staff_only
    @blp.etag
    @blp.response(204)
    @blp.errors(403, ItemNotFoundError, ItemInUseError, 412)
    def delete(self, item_id: int) -> None:
        """Delete an item nobody has bought."""
        actor = require_user()
        item = queries.get_item(item_id, include_inactive=True)
        blp.check_etag(item)
        catalog.delete_item(item, actor=actor)


# ----- promo codes ---------------------------------------------------------------------------
@blp.route("/promo-codes/")
class StaffPromoCodes(MethodView):
    @login_required
    @staff_only
    @blp.arguments(PromoCodeQueryArgs, location="query")
    @blp.response(200, PromoCodeSchema(many=True))
    @blp.paginate()
    @blp.errors(403)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Every promo code."""
        return paginate_select(queries.list_promo_codes(**args), pagination_parameters)

    @login_required
    @staff_only
    @blp.arguments(PromoCodeCreateArgs)
    @blp.response(201, PromoCodeSchema)
    @blp.errors(403, PromoCodeTakenError, 422)
    def post(self, args: dict[str, Any]) -> Any:
        """Add a promo code."""
        return promos.create_promo_code(actor=require_user(), **args)


@blp.route("/promo-codes/<int:promo_id>/")
class StaffPromoCode(MethodView):
    @login_required
    @staff_only
    @blp.etag
    @blp.response(200, PromoCodeSchema)
    @blp.errors(403, PromoCodeNotFoundError)
    def get(self, promo_id: int) -> Any:
        """One promo code."""
        promo = queries.get_promo_code(promo_id)
        blp.set_etag(promo)
        return promo

    @login_required
    @staff_only
    @blp.etag
    @blp.arguments(PromoCodeUpdateArgs)
    @blp.response(200, PromoCodeSchema)
    @blp.errors(403, PromoCodeNotFoundError, PromoCodeTakenError, 412, 422)
    def patch(self, args: dict[str, Any], promo_id: int) -> Any:
        """Change a promo code's rules (`items` replaces the restriction list)."""
        actor = require_user()
        promo = queries.get_promo_code(promo_id)
        blp.check_etag(promo)
        promos.update_promo_code(promo, actor=actor, changes=args)
        blp.set_etag(promo)
        return promo

    @login_required
    @staff_only
    @blp.etag
    @blp.response(204)
    @blp.errors(403, PromoCodeNotFoundError, PromoCodeInUseError, 412)
    def delete(self, promo_id: int) -> None:
        """Delete a promo code nobody has used."""
        actor = require_user()
        promo = queries.get_promo_code(promo_id)
        blp.check_etag(promo)
        promos.delete_promo_code(promo, actor=actor)


# ----- analytics -----------------------------------------------------------------------------
@blp.route("/analytics/revenue/")
class Revenue(MethodView):
    @login_required
    @staff_only
    @blp.arguments(RevenueQueryArgs, location="query")
    @blp.response(200, RevenueReportSchema)
    @blp.errors(403, 422)
    def get(self, args: dict[str, Any]) -> Any:
        """Revenue by source, refunds, net, paying users and ARPPU per day, week or month (UTC)."""
        actor = require_user()
        period = args["period"]
        date_to = args.get("date_to") or utcnow().date()
        date_from = args.get("date_from") or date_to - DEFAULT_SPAN[period]
        report = analytics.revenue_report(
            actor=actor, period=period, date_from=date_from, date_to=date_to
        )
        return {
            "period": report.period,
            "date_from": report.date_from,
            "date_to": report.date_to,
            "buckets": [
                {"start": bucket.start, **_figures(bucket.figures)} for bucket in report.buckets
            ],
            "totals": _figures(report.totals),
        }


def _figures(figures: analytics.RevenueFigures) -> dict[str, Any]:
    return {
        "entry_fees": figures.entry_fees,
        "shop": figures.shop,
        "revenue": figures.revenue,
        "refunds": figures.refunds,
        "net": figures.net,
        "paying_users": figures.paying_users,
        "arppu": figures.arppu,
    }

"""Flask-Admin views for the economy: wallets and the ledger (read-only), balance adjustments
(a form that calls the service), shop items and promo codes (staff CRUD), purchases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, request, url_for
from markupsafe import Markup
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from deltacrown.core import admin_format, admin_pages
from deltacrown.core.admin import (
    ReadOnlyModelView,
    StaffModelView,
    admin_action,
    current_admin_user,
    error_message,
)
from deltacrown.core.admin_filters import IntEqual
from deltacrown.core.admin_forms import StaffForm, id_field
from deltacrown.core.errors import DomainError
from deltacrown.economy.models import (
    InventoryItem,
    PromoCode,
    Purchase,
    ShopItem,
    Transaction,
    TransactionKind,
    Wallet,
)
from deltacrown.economy.services import catalog, ledger, promos
from deltacrown.extensions import db


class DomainErrorsFlashed:
    """Show a rule a form broke (a DomainError) as a message instead of a logged failure."""

    def handle_view_exception(self, exc: Exception) -> bool:
        if isinstance(exc, DomainError):
            flash(error_message(exc), "error")
            return True
        return super().handle_view_exception(exc)  # type: ignore[misc, no-any-return]


def _wallet_links(view: Any, context: Any, wallet: Wallet, name: str) -> Markup:
    ledger = url_for("admin_wallet_transactions.index_view", flt0_0=wallet.id)
    adjust = url_for("admin_balance_adjustments.create_view", user_id=wallet.user_id)
    return Markup('<a href="{}">ledger</a> · <a href="{}">adjust balance</a>').format(
        ledger, adjust
    )


class WalletAdmin(ReadOnlyModelView):
    """Balances are shown, never edited: adjustments go through the ledger service."""

    column_list = (
        "id",
        "user",
        "balance",
        "held",
        "available",
        "updated_at",
        "links",
    )
    column_searchable_list = ("user.username",)
    column_formatters = {
        "balance": admin_format.coins_column(),
        "held": admin_format.coins_column(),
        "available": lambda v, c, wallet, n: admin_format.coins(wallet.available),
        "links": _wallet_links,
    }
    column_filters = ("user_id",)
    column_sortable_list = ("id", "balance", "held", "updated_at")
    column_default_sort = ("id", True)


class TransactionAdmin(ReadOnlyModelView):
    """The append-only ledger: filter by wallet, kind or reference (newest first)."""

    column_list = (
        "id",
        "wallet_id",
        "kind",
        "amount",
        "balance_after",
        "reason",
        "created_at",
    )
    column_searchable_list = ("reason", "reference_type")
    column_formatters = {
        "amount": admin_format.coins_column(),
        "balance_after": admin_format.coins_column(),
    }
    # The wallet filter comes first: WalletAdmin links to it as `flt0_0`.
    column_filters = (
        IntEqual(Transaction.wallet_id, "Wallet id"),
        "kind",
        "reference_type",
        "reference_id",
    )
    column_default_sort = ("id", True)


class AdjustBalanceForm(StaffForm):
    user_id = id_field("User id")
    amount = IntegerField(
        "Amount (coins; negative removes)",
        validators=[InputRequired(), NumberRange(-(10**9), 10**9)],
    )
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class BalanceAdjustmentAdmin(StaffModelView):
    """Staff adjustments: the list shows past ones, "Create" is the adjust-balance form, which
    calls `ledger.adjust_balance` (audited); nothing here edits or deletes a ledger row."""

    can_edit = False
    can_delete = False
    action_disallowed_list = ["delete"]
    form = AdjustBalanceForm
    column_list = (
        "id",
        "wallet_id",
        "amount",
        "balance_after",
        "reason",
        "created_by",
        "created_at",
    )
    column_searchable_list = ("reason",)
    column_formatters = {
        "amount": admin_format.coins_column(),
        "balance_after": admin_format.coins_column(),
    }
    column_default_sort = ("id", True)

    def get_query(self) -> Any:
        return super().get_query().filter(Transaction.kind == TransactionKind.ADJUSTMENT)

    def get_count_query(self) -> Any:
        return super().get_count_query().filter(Transaction.kind == TransactionKind.ADJUSTMENT)

    def create_form(self, obj: Any = None) -> Any:
        form = super().create_form(obj)
        if request.method == "GET" and request.args.get("user_id", "").isdigit():
            form.user_id.data = int(request.args["user_id"])
        return form

    def create_model(self, form: Any) -> Any:
        with admin_action() as outcome:
            entry = ledger.adjust_balance(
                int(form.user_id.data),
                int(form.amount.data),
                reason=form.reason.data,
                actor=current_admin_user(),
            )
        if not outcome.ok:
            return False
        flash(f"Balance adjusted: now {entry.balance_after} coins.", "success")
        return entry


class ShopItemAdmin(DomainErrorsFlashed, StaffModelView):
    """Reference data: created and changed through the catalog service (its rules), no
    deletion (set is_active false instead)."""

    can_delete = False
    action_disallowed_list = ["delete"]
    column_list = (
        "id",
        "sku",
        "name",
        "price",
        "stock",
        "is_active",
        "available_from",
        "available_to",
    )
    column_formatters = {"price": admin_format.coins_column()}
    column_searchable_list = ("sku", "name")
    column_filters = ("is_active",)
    form_columns = (
        "sku",
        "name",
        "description",
        "price",
        "stock",
        "available_from",
        "available_to",
        "per_user_limit",
        "is_active",
    )

    def _values(self, form: Any) -> dict[str, Any]:
        return {name: getattr(form, name).data for name in self.form_columns if name in form}

    def create_model(self, form: Any) -> Any:
        with admin_action() as outcome:
            item = catalog.create_item(actor=current_admin_user(), **self._values(form))
        return item if outcome.ok else False

    def update_model(self, form: Any, model: ShopItem) -> bool:
        with admin_action() as outcome:
            catalog.update_item(model, actor=current_admin_user(), changes=self._values(form))
        return outcome.ok


class PromoCodeAdmin(DomainErrorsFlashed, StaffModelView):
    """Promo codes: created and changed through the promo service, no deletion; `uses_count`
    is counted by purchases only."""

    can_delete = False
    action_disallowed_list = ["delete"]
    column_list = (
        "id",
        "code",
        "kind",
        "value",
        "valid_from",
        "valid_to",
        "uses_count",
        "is_active",
    )
    column_searchable_list = ("code",)
    column_filters = ("is_active", "kind")
    form_columns = (
        "code",
        "description",
        "kind",
        "value",
        "valid_from",
        "valid_to",
        "max_uses",
        "max_uses_per_user",
        "min_spend",
        "items",
        "is_active",
    )

    def _values(self, form: Any) -> dict[str, Any]:
        values = {name: getattr(form, name).data for name in self.form_columns if name in form}
        values["items"] = [item.id for item in values.get("items") or []]
        return values

    def create_model(self, form: Any) -> Any:
        with admin_action() as outcome:
            promo = promos.create_promo_code(actor=current_admin_user(), **self._values(form))
        return promo if outcome.ok else False

    def update_model(self, form: Any, model: PromoCode) -> bool:
        with admin_action() as outcome:
            promos.update_promo_code(model, actor=current_admin_user(), changes=self._values(form))
        return outcome.ok


class PurchaseAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "user",
        "item",
        "quantity",
        "total",
        "status",
        "created_at",
    )
    column_formatters = {"total": admin_format.coins_column()}
    column_filters = ("status", "user_id", "item_id")
    column_default_sort = ("id", True)


class InventoryAdmin(ReadOnlyModelView):
    column_list = ("id", "user_id", "item", "quantity", "updated_at")
    column_filters = ("user_id", "item_id")


def _wallet_section(admin: Any, user: Any) -> admin_pages.Section:
    wallet = db.session.scalar(sa.select(Wallet).where(Wallet.user_id == user.id))
    if wallet is None:
        return admin_pages.Section("Wallet and ledger", (), [], empty="No wallet yet.")
    entries = db.session.scalars(
        sa.select(Transaction)
        .where(Transaction.wallet_id == wallet.id)
        .order_by(Transaction.id.desc())
        .limit(20)
    )
    rows = [
        (
            admin_format.when(wallet.updated_at),
            "Balance",
            admin_format.coins(wallet.balance),
            f"{admin_format.coins(wallet.held)} held",
            "",
        ),
        *(
            (
                admin_format.when(entry.created_at),
                admin_format.label(entry.kind),
                admin_format.coins(entry.amount),
                admin_format.coins(entry.balance_after),
                entry.reason or "",
            )
            for entry in entries
        ),
    ]
    return admin_pages.Section(
        "Wallet and ledger",
        ("When", "What", "Coins", "Balance after", "Reason"),
        rows,
        link=url_for("admin_wallet_transactions.index_view", flt0_0=wallet.id),
    )


def register_admin(admin: Any) -> None:
    category = "Economy"
    admin.add_view(WalletAdmin(Wallet, db, category=category, endpoint="admin_wallets"))
    admin.add_view(
        TransactionAdmin(
            Transaction, db, name="Ledger", category=category, endpoint="admin_wallet_transactions"
        )
    )
    admin.add_view(
        BalanceAdjustmentAdmin(
            Transaction,
            db,
            name="Adjust balance",
            category=category,
            endpoint="admin_balance_adjustments",
        )
    )
    admin.add_view(ShopItemAdmin(ShopItem, db, category=category, endpoint="admin_shop_items"))
    admin.add_view(PurchaseAdmin(Purchase, db, category=category, endpoint="admin_purchases"))
    admin.add_view(InventoryAdmin(InventoryItem, db, category=category, endpoint="admin_inventory"))
    admin.add_view(PromoCodeAdmin(PromoCode, db, category=category, endpoint="admin_promo_codes"))
    admin_pages.add_user_section(admin, _wallet_section)

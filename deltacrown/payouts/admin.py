"""Flask-Admin "Payout desk": every payout (read-only list, filters, the recipient's payout
methods), pending cash totals per currency, and a form to mark a payout paid (with the
transfer's reference) or failed (with a reason). Every change goes through `payouts.desk`,
so the rules, the audit log and the signals are the REST desk's."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from deltacrown.core import admin_format, admin_pages
from deltacrown.core.admin import (
    ReadOnlyModelView,
    StaffAccessMixin,
    admin_action,
    current_admin_user,
    run_for_each,
)
from deltacrown.core.admin_forms import StaffForm, id_field
from deltacrown.extensions import db
from deltacrown.payouts import balances, desk, queries
from deltacrown.payouts.models import Payout, PayoutStatus


def _methods(view: Any, context: Any, payout: Payout, name: str) -> str:
    return "; ".join(f"{m.method.value}: {m.account}" for m in queries.methods_of(payout.user_id))


class PayoutAdmin(ReadOnlyModelView):
    """Every payout; filter status = pending and kind = cash for what staff must pay."""

    column_list = (
        "id",
        "tournament_id",
        "placement",
        "user.username",
        "prize",
        "status",
        "reference",
        "payout_methods",
        "paid_at",
    )
    column_searchable_list = ("reference", "user.username")
    column_labels = {"user.username": "Recipient", "payout_methods": "Payout methods"}
    column_formatters = {
        "prize": admin_format.money_column("amount", "currency", "coins"),
        "payout_methods": _methods,
    }
    column_filters = ("tournament_id", "status", "kind", "currency", "user_id")
    column_default_sort = ("id", False)

    @action("retry", "Retry", "Put the selected failed payouts back to pending?")
    def action_retry(self, ids: list[str]) -> None:
        run_for_each(
            ids, lambda i, actor: desk.retry(i, actor=actor), "{count} payout(s) pending again."
        )


class DeskForm(StaffForm):
    payout_id = id_field("Payout id")
    outcome = SelectField("Outcome", choices=["paid", "failed"])
    text = StringField(
        "Reference (paid) or reason (failed)", validators=[DataRequired(), Length(max=200)]
    )


class PayoutDeskView(StaffAccessMixin, BaseView):
    """Pending cash payouts with totals per currency; mark one paid or failed. Below them, what
    the platform owes each organizer from cash entry fees, grouped by currency with totals."""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        form = DeskForm(request.form)
        if request.method == "POST" and form.validate():
            payout_id = form.payout_id.data
            with admin_action(f"Payout {payout_id}: ") as outcome:
                if form.outcome.data == "paid":
                    desk.mark_paid(payout_id, reference=form.text.data, actor=current_admin_user())
                else:
                    desk.mark_failed(payout_id, reason=form.text.data, actor=current_admin_user())
            if outcome.ok:
                flash(f"Payout {payout_id}: marked {form.outcome.data}.", "success")
            return redirect(url_for(".index"))
        pending = queries.pending_cash()
        methods = queries.methods_by_user(sorted({p.user_id for p in pending}))
        owed = balances.organizer_balances()
        return self.render(
            "admin/payout_desk.html",
            form=form,
            pending=pending,
            totals=queries.pending_cash_totals(),
            methods=methods,
            balances=owed,
            balance_totals=balances.totals_by_currency(owed),
        )


def _failed_payouts() -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Payout.id)).where(Payout.status == PayoutStatus.FAILED)
        )
        or 0
    )


def register_admin(admin: Any) -> None:
    admin.add_view(
        PayoutDeskView(name="Payout desk", category="Payouts", endpoint="admin_payout_desk")
    )
    admin.add_view(
        PayoutAdmin(Payout, db, category="Payouts", name="All payouts", endpoint="admin_payouts")
    )
    admin_pages.add_home_tile(
        admin,
        "Failed payouts",
        _failed_payouts,
        (
            "admin_payouts.index_view",
            admin_pages.filter_args(admin, "admin_payouts", "status", PayoutStatus.FAILED.value),
        ),
        hint="Prize payouts that could not be paid: retry or settle by hand.",
    )

"""The staff payout desk under /api/admin/payouts/: every payout with filters (CSV export),
mark paid with a reference, mark failed with a reason, retry. Staff only; audited."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user, staff_only
from deltacrown.core.csv import Column, csv_export, page_or_export
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.payouts import balances, desk, queries
from deltacrown.payouts.api import present
from deltacrown.payouts.errors import PayoutAlreadyPaidError, PayoutNotFoundError
from deltacrown.payouts.models import Payout
from deltacrown.payouts.schemas import (
    DeskPayoutSchema,
    DeskQueryArgs,
    MarkFailedArgs,
    MarkPaidArgs,
    OrganizerBalanceQueryArgs,
    OrganizerBalanceSchema,
)

blp = Blueprint(
    "payouts_admin",
    __name__,
    url_prefix="/api/admin",
    description="The payout desk: pay cash prizes, mark them paid or failed (staff only).",
)


def _methods_text(payout: Payout) -> str:
    return "; ".join(f"{m.method.value}: {m.account}" for m in queries.methods_of(payout.user_id))


DESK_COLUMNS = (
    "id",
    "tournament_id",
    "placement",
    "registration_id",
    "user_id",
    Column("username", lambda p: p.user.username),
    "kind",
    "coins",
    "amount",
    "currency",
    "status",
    "reference",
    "paid_at",
    "attempts",
    "last_error",
    Column("payout_methods", _methods_text),
)


def with_methods(payouts: list[Payout]) -> list[Payout]:
    found = queries.methods_by_user(sorted({p.user_id for p in payouts}))
    for payout in present(payouts):
        payout.payout_methods = found.get(payout.user_id, [])  # type: ignore[attr-defined]
    return payouts


@blp.route("/payouts/")
class DeskPayouts(MethodView):
    @login_required
    @staff_only
    @blp.arguments(DeskQueryArgs, location="query")
    @blp.response(200, DeskPayoutSchema(many=True))
    @csv_export(DESK_COLUMNS, filename="payouts.csv")
    @blp.paginate()
    @blp.errors(403)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Every payout with the recipient's payout methods; filters: status, kind, tournament,
        currency. `Accept: text/csv` exports every match."""
        return with_methods(page_or_export(queries.list_for_desk(**args), pagination_parameters))


BALANCE_COLUMNS = (
    "organizer_id",
    "username",
    "currency",
    "fees_verified",
    "refunds_done",
    "platform_fee",
    "payable",
    "prize_pools_declared",
    "prizes_paid",
)


@blp.route("/payouts/organizer-balances/")
class OrganizerBalances(MethodView):
    @login_required
    @staff_only
    @blp.arguments(OrganizerBalanceQueryArgs, location="query")
    @blp.response(200, OrganizerBalanceSchema(many=True))
    @csv_export(BALANCE_COLUMNS, filename="organizer-balances.csv")
    @blp.paginate()
    @blp.errors(403)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """What the platform owes each organizer, per currency: the cash entry fees staff
        verified for their tournaments, less the fees refunded by hand and the platform fee;
        beside it the cash prize pools they declare and the cash prizes already paid. Filters:
        currency, organizer. `Accept: text/csv` exports every row."""
        return page_or_export(balances.organizer_balances(**args), pagination_parameters)


@blp.route("/payouts/<int:payout_id>/mark-paid/")
class DeskMarkPaid(MethodView):
    @login_required
    @staff_only
    @blp.arguments(MarkPaidArgs)
    @blp.response(200, DeskPayoutSchema)
    @blp.errors(403, PayoutNotFoundError, PayoutAlreadyPaidError, InvalidTransitionError, 422)
    def post(self, args: dict[str, Any], payout_id: int) -> Any:
        """Record that the prize was paid outside the system, with the transfer's reference."""
        payout = desk.mark_paid(
            payout_id, reference=args["reference"], paid_at=args.get("paid_at"),
            actor=require_user(),
        )  # fmt: skip
        return with_methods([payout])[0]


@blp.route("/payouts/<int:payout_id>/mark-failed/")
class DeskMarkFailed(MethodView):
    @login_required
    @staff_only
    @blp.arguments(MarkFailedArgs)
    @blp.response(200, DeskPayoutSchema)
    @blp.errors(403, PayoutNotFoundError, PayoutAlreadyPaidError, InvalidTransitionError, 422)
    def post(self, args: dict[str, Any], payout_id: int) -> Any:
        """Record that the prize could not be paid, and why."""
        payout = desk.mark_failed(payout_id, reason=args["reason"], actor=require_user())
        return with_methods([payout])[0]


@blp.route("/payouts/<int:payout_id>/retry/")
class DeskRetry(MethodView):
    @login_required
    @staff_only
    @blp.response(200, DeskPayoutSchema)
    @blp.errors(403, PayoutNotFoundError, PayoutAlreadyPaidError, InvalidTransitionError)
    def post(self, payout_id: int) -> Any:
        """Put a failed payout back to pending; a DeltaCoin prize is credited again at once."""
        payout = desk.retry(payout_id, actor=require_user())
        return with_methods([payout])[0]

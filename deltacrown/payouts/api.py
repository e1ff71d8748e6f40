"""Payouts API: a tournament's prizes (public), paying them out (organizers and staff, with a
dry run), their reconciliation, the player's own prizes and payout methods. The staff desk is
in `admin_api.py`."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.brackets.queries import registration_names
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.pagination import paginate_select
from deltacrown.core.scopes import TokenScopes
from deltacrown.payouts import methods, queries, services
from deltacrown.payouts.errors import (
    InvalidPayoutMethodError,
    NoPlacementsError,
    NoPrizeDistributionError,
    PayoutMethodNotFoundError,
    TournamentNotCompletedError,
)
from deltacrown.payouts.models import Payout
from deltacrown.payouts.schemas import (
    MyPayoutSchema,
    PayoutMethodArgs,
    PayoutMethodSchema,
    PayoutRunArgs,
    PayoutRunSchema,
    PayoutSchema,
    VerifySchema,
)
from deltacrown.tournaments.errors import TournamentNotFoundError
from deltacrown.tournaments.queries import get_visible_tournament

blp = Blueprint(
    "payouts",
    __name__,
    url_prefix="/api",
    description="Prize payouts: who won what, paying it out, reconciliation, payout methods.",
    token_scopes=TokenScopes(read="payouts:read"),
)


def present(payouts: list[Payout]) -> list[Payout]:
    """Attach the participant's display name and the recipient's username for the schema."""
    names = registration_names(p.registration_id for p in payouts)
    for payout in payouts:
        payout.participant = names.get(payout.registration_id)  # type: ignore[attr-defined]
        payout.recipient = payout.user.username  # type: ignore[attr-defined]
    return payouts


@blp.route("/tournaments/<int:tournament_id>/payouts/")
class TournamentPayouts(MethodView):
    @login_required(optional=True)
    @blp.response(200, PayoutSchema(many=True))
    @blp.paginate(page_size=100)
    @blp.errors(TournamentNotFoundError)
    def get(self, tournament_id: int, pagination_parameters: Any) -> Any:
        """The tournament's prizes: placement, participant, amount and whether it was paid."""
        get_visible_tournament(tournament_id, get_current_user())
        query = queries.list_for_tournament(tournament_id)
        return present(paginate_select(query, pagination_parameters))

    @login_required
    @blp.arguments(PayoutRunArgs)
    @blp.response(200, PayoutRunSchema)
    @blp.errors(
        TournamentNotFoundError,
        PermissionDeniedError,
        TournamentNotCompletedError,
        NoPlacementsError,
        NoPrizeDistributionError,
    )
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Pay a completed tournament's prizes (organizers and staff). Runs by itself when the
        tournament completes; calling it again creates only what is missing and never pays
        twice. DeltaCoin prizes are credited to wallets at once; cash prizes wait on the
        staff payout desk. `dry_run: true` returns the plan and writes nothing."""
        outcome = services.create_payouts(
            tournament_id, actor=require_user(), dry_run=args["dry_run"], notes=args.get("notes")
        )
        lines = outcome.computed.lines
        names = registration_names(line.registration_id for line in lines)
        return {
            "tournament_id": tournament_id,
            "dry_run": outcome.dry_run,
            "plan": [
                {**line.__dict__, "participant": names.get(line.registration_id)} for line in lines
            ],
            "unclaimed": outcome.computed.unclaimed,
            "created": len(outcome.created),
            "payouts": present(outcome.payouts),
        }


@blp.route("/tournaments/<int:tournament_id>/payouts/verify/")
class TournamentPayoutsVerify(MethodView):
    @login_required
    @blp.response(200, VerifySchema)
    @blp.errors(TournamentNotFoundError, PermissionDeniedError)
    def get(self, tournament_id: int) -> Any:
        """Reconcile (organizers and staff): what the prize distribution asks for against the
        payouts made and the wallet credits behind them. `ok` is true when nothing is missing,
        no amount differs, nothing was paid twice, nothing failed and every DeltaCoin prize was
        credited."""
        return services.verify(tournament_id, actor=require_user())


@blp.route("/me/payouts/")
class MyPayouts(MethodView):
    @login_required
    @blp.response(200, MyPayoutSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """My prizes, newest first, with their status."""
        query = queries.list_for_user(require_user().id)
        return present(paginate_select(query, pagination_parameters))


@blp.route("/me/payout-methods/")
class MyPayoutMethods(MethodView):
    @login_required
    @blp.response(200, PayoutMethodSchema(many=True))
    def get(self) -> Any:
        """How I accept cash prizes (shown to staff who pay them)."""
        return queries.methods_of(require_user().id)

    @login_required
    @blp.arguments(PayoutMethodArgs)
    @blp.response(200, PayoutMethodSchema)
    @blp.errors(InvalidPayoutMethodError)
    def post(self, args: dict[str, Any]) -> Any:
        """Add or replace my account for a method: bkash, nagad or rocket take a Bangladeshi
        mobile number, bank an account number, paypal an e-mail address."""
        return methods.save_method(require_user().id, args["method"], args["account"])


@blp.route("/me/payout-methods/<int:method_id>/")
class MyPayoutMethod(MethodView):
    @login_required
    @blp.response(204)
    @blp.errors(PayoutMethodNotFoundError)
    def delete(self, method_id: int) -> None:
        """Remove one of my payout methods."""
        methods.delete_method(require_user().id, method_id)

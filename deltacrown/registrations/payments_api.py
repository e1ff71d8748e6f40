"""Registration payments API: submitting a manual payment (or paying a coin offer), the
organizers' verification queue, verify/reject, and the staff list of manual refunds due."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_staff, require_user
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.http import accepts_multipart
from deltacrown.core.pagination import paginate_select
from deltacrown.core.scopes import TokenScopes
from deltacrown.core.storage import FileTooLargeError, UnsupportedFileTypeError
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.registrations import policies, queries, services
from deltacrown.registrations.api import present, visible_tournament
from deltacrown.registrations.errors import (
    AmountMismatchError,
    DuplicateTransactionIdError,
    InvalidPaymentMethodError,
    PaymentNotExpectedError,
    PaymentNotSubmittedError,
    RefundNotDueError,
    RegistrationNotFoundError,
    TournamentNotFoundError,
)
from deltacrown.registrations.schemas import (
    MarkRefundedArgs,
    PaymentQueryArgs,
    PaymentSubmitArgs,
    QueuedPaymentSchema,
    ReasonArgs,
    RefundDueSchema,
    RefundQueryArgs,
    RegistrationSchema,
)

blp = Blueprint(
    "registration_payments",
    __name__,
    url_prefix="/api",
    description="Entry-fee payments: submission, verification, and manual refunds due.",
    token_scopes=TokenScopes("registrations:read", "registrations:write"),
)

ITEM_ERRORS = (RegistrationNotFoundError, PermissionDeniedError)


@blp.route("/registrations/<int:registration_id>/payment/")
@accepts_multipart
class RegistrationPayment(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(PaymentSubmitArgs, location="form", content_type="multipart/form-data")
    @blp.response(200, RegistrationSchema)
    @blp.errors(
        *ITEM_ERRORS,
        PaymentNotExpectedError,
        InvalidPaymentMethodError,
        AmountMismatchError,
        DuplicateTransactionIdError,
        InsufficientFundsError,
        ValidationError,
        UnsupportedFileTypeError,
        FileTooLargeError,
        415,
    )
    def post(self, args: dict[str, Any], registration_id: int) -> Any:
        """Pay a pending registration (multipart/form-data): a manual method with
        `sender_number`, `transaction_id`, `amount` (exactly the fee) and an optional `proof`
        file; or `method=deltacoin` to take up a waitlist offer from your wallet."""
        actor = require_user()
        proof = request.files.get("proof")
        registration = services.submit_payment(
            registration_id,
            actor=actor,
            method=args["method"].value,
            sender_number=args.get("sender_number"),
            transaction_id=args.get("transaction_id"),
            amount=args.get("amount"),
            proof=proof.stream if proof is not None and proof.filename else None,
            proof_filename=proof.filename if proof is not None else None,
        )
        return present(registration, actor)


@blp.route("/registrations/<int:registration_id>/payment/verify/")
class PaymentVerify(MethodView):
    @login_required
    @blp.response(200, RegistrationSchema)
    @blp.errors(*ITEM_ERRORS, PaymentNotSubmittedError)
    def post(self, registration_id: int) -> Any:
        """Organizers: the payment arrived; the registration is confirmed."""
        actor = require_user()
        return present(services.verify_payment(registration_id, actor=actor), actor)


@blp.route("/registrations/<int:registration_id>/payment/reject/")
class PaymentReject(MethodView):
    @login_required
    @blp.arguments(ReasonArgs)
    @blp.response(200, RegistrationSchema)
    @blp.errors(*ITEM_ERRORS, PaymentNotSubmittedError, ValidationError)
    def post(self, args: dict[str, Any], registration_id: int) -> Any:
        """Organizers: reject the submitted payment with a reason (the player may resubmit)."""
        actor = require_user()
        registration = services.reject_payment(registration_id, actor=actor, reason=args["reason"])
        return present(registration, actor)


@blp.route("/tournaments/<int:tournament_id>/payments/")
class TournamentPayments(MethodView):
    @login_required
    @blp.arguments(PaymentQueryArgs, location="query")
    @blp.response(200, QueuedPaymentSchema(many=True))
    @blp.paginate()
    @blp.errors(TournamentNotFoundError, PermissionDeniedError)
    def get(self, args: dict[str, Any], tournament_id: int, pagination_parameters: Any) -> Any:
        """Organizers: payment submissions, oldest first; `?status=submitted` is the
        verification queue."""
        actor = require_user()
        tournament = visible_tournament(tournament_id, actor)
        if not policies.can_manage(actor, tournament):
            raise PermissionDeniedError("Only the tournament's organizers and staff see payments.")
        query = queries.list_payments(tournament.id, status=args.get("status"))
        return paginate_select(query, pagination_parameters)


@blp.route("/admin/refunds-due/")
class RefundsDue(MethodView):
    @login_required
    @blp.arguments(RefundQueryArgs, location="query")
    @blp.response(200, RefundDueSchema(many=True))
    @blp.paginate()
    @blp.errors(PermissionDeniedError)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Staff: manual payments to pay back by hand (cancelled tournaments, withdrawals)."""
        require_staff()
        query = queries.list_refunds_due(include_refunded=args["include_refunded"])
        return paginate_select(query, pagination_parameters)


@blp.route("/admin/refunds-due/<int:registration_id>/mark-refunded/")
class RefundMarkRefunded(MethodView):
    @blp.idempotent
    @login_required
    @blp.arguments(MarkRefundedArgs)
    @blp.response(200, RefundDueSchema)
    @blp.errors(PermissionDeniedError, RegistrationNotFoundError, RefundNotDueError)
    def post(self, args: dict[str, Any], registration_id: int) -> Any:
        """Staff: record that a refund due was paid back (payment status `refunded`)."""
        return services.mark_refunded(
            registration_id, actor=require_user(), reference=args.get("reference")
        )

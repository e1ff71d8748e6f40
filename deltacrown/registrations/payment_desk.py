"""Flask-Admin "Payment desk": the queue of submitted manual payments, oldest first, and one
payment at a time with its registration, player, amount, method, transaction id and proof
image (a short-lived signed link) to verify or reject with a reason.

Staff see every tournament's queue; organizers only their own tournaments' (owner and
co-organizers, `core.admin_scoped`), and another organizer's payment answers 404. Verify and
reject run `services.verify_payment` / `services.reject_payment` (the API's rules, audit
entries and signals) in `admin_action`; after either, the next payment in the queue opens.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from deltacrown.accounts.models import User
from deltacrown.core import admin_format, storage
from deltacrown.core.admin import admin_action, current_admin_user
from deltacrown.core.admin_forms import StaffForm
from deltacrown.core.admin_scoped import ScopedAccessMixin, require_in_scope, viewer_scope
from deltacrown.extensions import db
from deltacrown.registrations import services
from deltacrown.registrations.models import Payment, Registration, SubmissionStatus
from deltacrown.teams.models import Team
from deltacrown.tournaments.models import Tournament

PAGE_SIZE = 100


class VerifyForm(StaffForm):
    pass


class RejectForm(StaffForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


def entrant(registration: Registration) -> str:
    """Who registered: the solo player's name, or the team's."""
    if registration.team is not None:
        return registration.team.name
    return admin_format.name(registration.user)


def queue() -> sa.Select[tuple[Payment]]:
    """The viewer's submitted payments, oldest first."""
    query = sa.select(Payment).where(Payment.status == SubmissionStatus.SUBMITTED)
    return (
        viewer_scope()
        .filter(query, Payment.tournament_id)
        .order_by(Payment.submitted_at, Payment.id)
    )


def proof_link(payment: Payment) -> dict[str, Any] | None:
    """The proof's signed link and whether it is an image (a PDF is linked, not shown)."""
    if not payment.proof_key:
        return None
    return {
        "url": storage.url(payment.proof_key),
        "image": storage.content_type(payment.proof_key).startswith("image/"),
    }


def next_after(payment: Payment) -> int | None:
    """The payment to open after `payment` was handled: the next in the queue (or the first)."""
    later = db.session.scalar(
        queue()
        .where(
            sa.or_(
                Payment.submitted_at > payment.submitted_at,
                sa.and_(Payment.submitted_at == payment.submitted_at, Payment.id > payment.id),
            )
        )
        .with_only_columns(Payment.id)
        .limit(1)
    )
    if later is not None:
        return int(later)
    first = db.session.scalar(queue().with_only_columns(Payment.id).limit(1))
    return None if first is None else int(first)


class PaymentDeskView(ScopedAccessMixin, BaseView):
    """The payment queue and one payment to verify or reject."""

    @expose("/")
    def index(self) -> Any:
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(queue().order_by(None).subquery())
        )
        # Plain columns, not entities: a registration row would also load its roster.
        payments = db.session.execute(
            queue()
            .with_only_columns(
                Payment.id,
                Payment.submitted_at,
                Payment.amount,
                Payment.currency,
                Payment.method,
                Payment.transaction_id,
                Payment.proof_key,
                Registration.id.label("registration_id"),
                Registration.status.label("registration_status"),
                sa.func.coalesce(Team.name, User.username).label("entrant"),
                Tournament.name.label("tournament"),
            )
            .join(Registration, Registration.id == Payment.registration_id)
            .join(Tournament, Tournament.id == Payment.tournament_id)
            .outerjoin(User, User.id == Registration.user_id)
            .outerjoin(Team, Team.id == Registration.team_id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        return self.render(
            "admin/desk_payments.html",
            payments=payments,
            total=total or 0,
            page=page,
            pages=max(1, -(-(total or 0) // PAGE_SIZE)),
            fmt=admin_format,
        )

    def _payment(self, payment_id: int) -> Payment:
        payment = db.session.get(Payment, payment_id)
        if payment is None:
            abort(404)
        require_in_scope(payment.registration.tournament)
        return payment

    @expose("/<int:payment_id>/")
    def item(self, payment_id: int) -> Any:
        payment = self._payment(payment_id)
        return self.render(
            "admin/desk_payment.html",
            payment=payment,
            registration=payment.registration,
            tournament=payment.registration.tournament,
            proof=proof_link(payment),
            waiting=payment.status is SubmissionStatus.SUBMITTED,
            following=next_after(payment),
            verify_form=VerifyForm(),
            reject_form=RejectForm(),
            entrant=entrant,
            fmt=admin_format,
        )

    @expose("/<int:payment_id>/verify/", methods=("POST",))
    def verify(self, payment_id: int) -> Any:
        payment = self._payment(payment_id)
        if not VerifyForm(request.form).validate():
            flash("The form expired; try again.", "error")
            return redirect(url_for(".item", payment_id=payment_id))
        registration_id = payment.registration_id
        with admin_action(f"Payment {payment_id}: ") as outcome:
            services.verify_payment(registration_id, actor=current_admin_user())
        if outcome.ok:
            flash(f"Payment {payment_id} verified.", "success")
        return self._next(payment_id, outcome.ok)

    @expose("/<int:payment_id>/reject/", methods=("POST",))
    def reject(self, payment_id: int) -> Any:
        payment = self._payment(payment_id)
        form = RejectForm(request.form)
        if not form.validate():
            flash("Write the reason for rejecting the payment.", "error")
            return redirect(url_for(".item", payment_id=payment_id))
        registration_id = payment.registration_id
        with admin_action(f"Payment {payment_id}: ") as outcome:
            services.reject_payment(
                registration_id, actor=current_admin_user(), reason=form.reason.data or ""
            )
        if outcome.ok:
            flash(f"Payment {payment_id} rejected.", "success")
        return self._next(payment_id, outcome.ok)

    def _next(self, payment_id: int, done: bool) -> Any:
        if not done:
            return redirect(url_for(".item", payment_id=payment_id))
        payment = db.session.get(Payment, payment_id)
        following = next_after(payment) if payment is not None else None
        if following is None:
            flash("The queue is empty.", "info")
            return redirect(url_for(".index"))
        return redirect(url_for(".item", payment_id=following))


def register_admin(admin: Any) -> None:
    admin.add_view(PaymentDeskView(name="Payment desk", category="Desks", endpoint="paymentdesk"))

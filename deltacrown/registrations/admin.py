"""Flask-Admin views for registrations: read-only lists with filters (registrations, the
payment verification queue, the waitlist); every action calls a service, so the rules, the
audit log and the signals are the API's."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_admin.actions import action

from deltacrown.core import admin_format, admin_pages
from deltacrown.core.admin import ReadOnlyModelView, run_for_each
from deltacrown.extensions import db
from deltacrown.registrations import services
from deltacrown.registrations.errors import PaymentNotSubmittedError
from deltacrown.registrations.models import (
    Payment,
    Registration,
    RegistrationStatus,
    SubmissionStatus,
)

STAFF_REJECT_REASON = "Rejected by staff: the payment could not be matched; please resubmit."


class RegistrationAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "tournament.name",
        "user.username",
        "team.name",
        "status",
        "payment_status",
        "created_at",
    )
    column_searchable_list = ("user.username", "tournament.name", "team.name")
    column_labels = {
        "tournament.name": "Tournament",
        "user.username": "Player",
        "team.name": "Team",
    }
    column_filters = ("tournament_id", "status", "payment_status", "user_id", "team_id")
    column_details_exclude_list = ("answers",)
    column_default_sort = ("id", True)

    @action("cancel", "Cancel", "Cancel the selected registrations? Fees go back.")
    def action_cancel(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda rid, actor: services.cancel_registration(rid, actor=actor),
            "Cancelled {count} registration(s).",
        )

    @action("approve", "Approve", "Approve the selected registrations?")
    def action_approve(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda rid, actor: services.approve_registration(rid, actor=actor),
            "Approved {count} registration(s).",
        )

    @action("force_check_in", "Force check-in", "Check the selected registrations in?")
    def action_force_check_in(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda rid, actor: services.force_check_in(rid, actor=actor),
            "Checked in {count} registration(s).",
        )


class PaymentQueueAdmin(ReadOnlyModelView):
    """The verification queue: manual payment submissions (filter status = submitted)."""

    column_list = (
        "id",
        "registration_id",
        "tournament_id",
        "method",
        "transaction_id",
        "amount",
        "status",
        "submitted_at",
    )
    column_searchable_list = ("transaction_id", "sender_number")
    column_formatters = {"amount": admin_format.money_column("amount", "currency")}
    column_filters = ("tournament_id", "status", "method", "transaction_id")
    column_default_sort = ("submitted_at", False)

    @staticmethod
    def _for_payments(ids: list[str], call: Any, done: str) -> None:
        """Run `call(registration_id, actor)` for each selected payment that is the one
        waiting for review (its registration's services act on that one only)."""

        def run(payment_id: int, actor: Any) -> None:
            payment = db.session.get(Payment, payment_id)
            if payment is None or payment.status is not SubmissionStatus.SUBMITTED:
                raise PaymentNotSubmittedError(
                    f"Payment {payment_id}: no submitted payment waiting for review (already "
                    "reviewed, or replaced by a newer one)."
                )
            call(payment.registration_id, actor)

        run_for_each(ids, run, done)

    @action("verify", "Verify", "Verify the selected payments? Their registrations confirm.")
    def action_verify(self, ids: list[str]) -> None:
        self._for_payments(
            ids,
            lambda rid, actor: services.verify_payment(rid, actor=actor),
            "Verified {count} payment(s).",
        )

    @action("reject", "Reject", "Reject the selected payments? The players may resubmit.")
    def action_reject(self, ids: list[str]) -> None:
        self._for_payments(
            ids,
            lambda rid, actor: services.reject_payment(
                rid, actor=actor, reason=STAFF_REJECT_REASON
            ),
            "Rejected {count} payment(s).",
        )


class WaitlistAdmin(ReadOnlyModelView):
    """Waitlisted registrations, per tournament in line order."""

    column_list = ("id", "tournament.name", "waitlist_position", "user.username", "team.name")
    column_searchable_list = ("user.username", "team.name")
    column_labels = {
        "tournament.name": "Tournament",
        "user.username": "Player",
        "team.name": "Team",
    }
    column_filters = ("tournament_id",)
    column_default_sort = [("tournament_id", False), ("waitlist_position", False)]

    def get_query(self) -> Any:
        return super().get_query().filter(Registration.status == RegistrationStatus.WAITLISTED)

    def get_count_query(self) -> Any:
        return (
            super().get_count_query().filter(Registration.status == RegistrationStatus.WAITLISTED)
        )

    @action("promote", "Promote", "Give the selected registrations a free place?")
    def action_promote(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda rid, actor: services.promote_by_hand(rid, actor=actor),
            "Promoted {count} registration(s).",
        )

    @action("remove", "Remove", "Remove the selected registrations from the waitlist?")
    def action_remove(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda rid, actor: services.cancel_registration(rid, actor=actor),
            "Removed {count} registration(s).",
        )


def _registrations_section(admin: Any, user: Any) -> admin_pages.Section:
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.user_id == user.id)
        .order_by(Registration.id.desc())
        .limit(20)
    )
    rows = [
        (
            f"#{r.id}",
            r.tournament,
            admin_format.label(r.status),
            admin_format.label(r.payment_status),
            admin_format.when(r.created_at),
        )
        for r in registrations
    ]
    return admin_pages.Section(
        "Registrations",
        ("Id", "Tournament", "Status", "Payment", "Registered"),
        rows,
        link=admin_pages.filtered_list_url(admin, "admin_registrations", "user_id", user.id),
    )


def _payments_waiting() -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Payment.id)).where(Payment.status == SubmissionStatus.SUBMITTED)
        )
        or 0
    )


def register_admin(admin: Any) -> None:
    admin.add_view(
        RegistrationAdmin(
            Registration, db, category="Registrations", endpoint="admin_registrations"
        )
    )
    admin.add_view(
        PaymentQueueAdmin(
            Payment,
            db,
            category="Registrations",
            name="Payments",
            endpoint="admin_registration_payments",
        )
    )
    admin.add_view(
        WaitlistAdmin(
            Registration,
            db,
            category="Registrations",
            name="Waitlist",
            endpoint="admin_waitlist",
        )
    )
    admin_pages.add_user_section(admin, _registrations_section)
    admin_pages.add_home_tile(
        admin,
        "Payments waiting",
        _payments_waiting,
        "paymentdesk.index",
        (
            "admin_registration_payments.index_view",
            admin_pages.filter_args(
                admin, "admin_registration_payments", "status", SubmissionStatus.SUBMITTED.value
            ),
        ),
        hint="Submitted manual payments to verify or reject.",
    )

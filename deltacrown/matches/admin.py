"""Flask-Admin views for the match lifecycle: the dispute queue (review, resolve as upheld,
dismiss, through the services), "override result" and "reset match" forms for staff on a
match, and the read-only submissions and match history."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from wtforms import StringField
from wtforms.validators import DataRequired, Optional

from deltacrown.core import admin_pages
from deltacrown.core.admin import (
    ReadOnlyModelView,
    StaffAccessMixin,
    admin_action,
    current_admin_user,
    run_for_each,
)
from deltacrown.core.admin_forms import StaffForm, id_field
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import queries as match_queries
from deltacrown.matches import services
from deltacrown.matches.models import Dispute, MatchEvent, ResultSubmission


class DisputeAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "tournament_id",
        "match_id",
        "registration_id",
        "status",
        "outcome",
        "reason",
        "resolved_by_id",
        "created_at",
    )
    column_searchable_list = ("reason",)
    column_filters = ("status", "outcome", "tournament_id", "match_id")
    column_default_sort = ("id", True)

    @action("review", "Review", "Take the selected disputes under review?")
    def action_review(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: services.review_dispute(i, actor=actor),
            "{count} dispute(s) under review.",
        )

    @action("uphold", "Resolve: upheld", "Uphold the disputed results (the result stands)?")
    def action_uphold(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: services.resolve_dispute(
                i, outcome="upheld", resolution="Upheld by staff after review.", actor=actor
            ),
            "{count} dispute(s) upheld.",
        )

    @action("dismiss", "Dismiss", "Dismiss the selected disputes (the result stands)?")
    def action_dismiss(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda i, actor: services.dismiss_dispute(
                i, resolution="Dismissed by staff.", actor=actor
            ),
            "{count} dispute(s) dismissed.",
        )


class SubmissionAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "match_id",
        "registration_id",
        "games",
        "winner_registration_id",
        "status",
        "created_at",
    )
    column_filters = ("match_id", "status")
    column_default_sort = ("id", True)


class MatchEventAdmin(ReadOnlyModelView):
    column_list = ("id", "match_id", "type", "actor_id", "registration_id", "data", "created_at")
    column_searchable_list = ("type",)
    column_filters = ("match_id", "tournament_id", "type")
    column_default_sort = ("id", True)


class OverrideForm(StaffForm):
    match_id = id_field("Match id")
    games = StringField("Games (slot 1 first): 13-9, 7-13, 13-4", validators=[DataRequired()])
    reason = StringField("Reason", validators=[Optional()])


def parse_games(text: str) -> list[list[int]]:
    """`13-9, 7-13` -> [[13, 9], [7, 13]]; ValueError when malformed."""
    games = []
    for part in text.split(","):
        first, second = part.strip().split("-")
        games.append([int(first), int(second)])
    return games


class OverrideResultView(StaffAccessMixin, BaseView):
    """Staff enter or correct a match's result through `services.override_result`."""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        form = OverrideForm(request.form)
        if request.method == "POST" and form.validate():
            match_id = form.match_id.data
            try:
                games = parse_games(form.games.data)
            except ValueError:
                flash("Write the games like 13-9, 7-13.", "error")
                return redirect(url_for(".index"))
            with admin_action(f"Match {match_id}: ") as outcome:
                services.override_result(
                    match_id,
                    games=games,
                    actor=current_admin_user(),
                    reason=form.reason.data or None,
                )
            if outcome.ok:
                flash(f"Match {match_id}: result entered.", "success")
            return redirect(url_for(".index"))
        return self.render("admin/match_override.html", form=form)


class ResetForm(StaffForm):
    match_id = id_field("Match id")
    reason = StringField("Reason", validators=[DataRequired()])


class ResetMatchView(StaffAccessMixin, BaseView):
    """Staff put a match back to ready through `services.reset_match` (as the API's
    `reset-match/`: refused while a match it fed has started; audited)."""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        form = ResetForm(request.form)
        if request.method == "POST" and form.validate():
            match_id = form.match_id.data
            with admin_action(f"Match {match_id}: ") as outcome:
                services.reset_match(match_id, actor=current_admin_user(), reason=form.reason.data)
            if outcome.ok:
                flash(f"Match {match_id}: reset, ready to be played again.", "success")
            return redirect(url_for(".index"))
        return self.render("admin/match_reset.html", form=form)


def register_admin(admin: Any) -> None:
    admin.add_view(
        DisputeAdmin(
            Dispute, db, category="Matches", endpoint="admin_disputes", name="Dispute queue"
        )
    )
    admin.add_view(
        SubmissionAdmin(
            ResultSubmission,
            db,
            category="Matches",
            endpoint="admin_result_submissions",
            name="Submissions",
        )
    )
    admin.add_view(
        MatchEventAdmin(
            MatchEvent, db, category="Matches", endpoint="admin_match_events", name="Match history"
        )
    )
    admin.add_view(
        OverrideResultView(
            name="Override result", category="Matches", endpoint="admin_match_override"
        )
    )
    admin.add_view(
        ResetMatchView(name="Reset match", category="Matches", endpoint="admin_match_reset")
    )
    admin_pages.add_home_tile(
        admin,
        "Open disputes",
        match_queries.open_dispute_count,
        "disputedesk.index",
        "admin_disputes.index_view",
        hint="Disputed results waiting for a decision.",
    )
    admin_pages.add_home_tile(
        admin,
        "Overdue matches",
        lambda: match_queries.overdue_match_count(utcnow()),
        "controlroom.index",
        "admin_matches.index_view",
        hint="Ready, live or awaiting confirmation more than an hour after their time.",
    )

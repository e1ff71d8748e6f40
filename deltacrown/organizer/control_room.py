"""Flask-Admin "Tournament control room": one tournament on one page. Its state and the next
lifecycle steps as buttons (only those its state machine allows now: publish, open, close or
reopen registration, close check-in now, generate or regenerate the bracket, start, cancel),
its registrations with their states and payment status, the check-in count, the matches
needing attention (disputed, awaiting confirmation, past their scheduled time) and the
bracket drawn as a picture (`brackets.images`, as the API's `bracket.svg`).

Every step runs the service the API uses, in `admin_action`. It lives in the organizer
domain because it reads tournaments, registrations, brackets and matches, all below it.
Staff see every tournament; organizers their own (`core.admin_scoped`), any other → 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from sqlalchemy.orm import selectinload
from wtforms import StringField
from wtforms.validators import Optional

from deltacrown.brackets import queries as bracket_queries
from deltacrown.brackets import services as bracket_services
from deltacrown.brackets.errors import BracketMissingError
from deltacrown.brackets.images import bracket_picture
from deltacrown.core import admin_format
from deltacrown.core.admin import admin_action, current_admin_user
from deltacrown.core.admin_forms import StaffForm
from deltacrown.core.admin_scoped import ScopedAccessMixin, require_in_scope, viewer_scope
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.registrations import services as registration_services
from deltacrown.registrations.models import Registration, RegistrationStatus
from deltacrown.tournaments import services as tournament_services
from deltacrown.tournaments.models import Tournament, TournamentStatus

S = TournamentStatus
M = MatchStatus
PAGE_SIZE = 100
CANCEL_REASON = "Cancelled from the control room"
NEEDS_ATTENTION = (M.DISPUTED, M.AWAITING_CONFIRMATION)
NOT_STARTED = (M.SCHEDULED, M.READY)

# step → (button label, what it did, the service call)
STEPS: dict[str, tuple[str, str, Callable[[int, Any, str], Any]]] = {
    "publish": (
        "Publish",
        "published",
        lambda tid, actor, _: tournament_services.publish_tournament(tid, actor=actor),
    ),
    "open": (
        "Open registration",
        "registration is open",
        lambda tid, actor, _: tournament_services.open_registration(tid, actor=actor),
    ),
    "close": (
        "Close registration",
        "registration is closed",
        lambda tid, actor, _: tournament_services.close_registration(tid, actor=actor),
    ),
    "close_checkin": (
        "Close check-in now",
        "check-in is closed",
        lambda tid, actor, _: registration_services.close_checkin(tid, actor=actor),
    ),
    "generate": (
        "Generate the bracket",
        "the bracket is drawn",
        lambda tid, actor, _: bracket_services.generate_bracket(tid, actor=actor),
    ),
    "regenerate": (
        "Regenerate the bracket",
        "the bracket is drawn again",
        lambda tid, actor, _: bracket_services.regenerate_bracket(tid, actor=actor),
    ),
    "start": (
        "Start the tournament",
        "started",
        lambda tid, actor, _: bracket_services.start_tournament(tid, actor=actor),
    ),
    "cancel": (
        "Cancel the tournament",
        "cancelled",
        lambda tid, actor, reason: tournament_services.cancel_tournament(
            tid, actor=actor, reason=reason or CANCEL_REASON
        ),
    ),
}


class StepForm(StaffForm):
    reason = StringField("Reason", validators=[Optional()])


def next_steps(tournament: Tournament, *, has_bracket: bool) -> list[str]:
    """The lifecycle steps the tournament's state allows now, in the order they come."""
    status = tournament.status
    steps: list[str] = []
    if tournament.can_transition(S.PUBLISHED):
        steps.append("publish")
    if tournament.can_transition(S.REGISTRATION_OPEN) and not (
        status is S.REGISTRATION_CLOSED and has_bracket
    ):
        steps.append("open")
    if tournament.can_transition(S.REGISTRATION_CLOSED):
        steps.append("close")
    if (
        status in (S.REGISTRATION_OPEN, S.REGISTRATION_CLOSED)
        and tournament.checkin_closes_at is not None
        and tournament.checkin_closes_at > utcnow()
    ):
        steps.append("close_checkin")
    if status is S.REGISTRATION_CLOSED:
        steps += ["regenerate", "start"] if has_bracket else ["generate"]
    if tournament.can_transition(S.CANCELLED):
        steps.append("cancel")
    return steps


def attention(tournament_id: int, *, limit: int = PAGE_SIZE) -> tuple[list[Match], int]:
    """The tournament's matches needing someone, in order of play (the first `limit`), and how
    many there are: disputed, awaiting confirmation, or past their scheduled time without
    having started."""
    overdue = sa.and_(
        Match.status.in_(NOT_STARTED),
        Match.scheduled_at.is_not(None),
        Match.scheduled_at < utcnow(),
    )
    needing = sa.and_(
        Match.tournament_id == tournament_id, sa.or_(Match.status.in_(NEEDS_ATTENTION), overdue)
    )
    total = db.session.scalar(sa.select(sa.func.count(Match.id)).where(needing)) or 0
    rows = db.session.scalars(
        sa.select(Match).where(needing).order_by(Match.position, Match.id).limit(limit)
    )
    return list(rows), total


def registration_counts(tournament_id: int) -> dict[str, int]:
    """How many registrations the tournament has, confirmed, and checked in (confirmed)."""
    confirmed = Registration.status == RegistrationStatus.CONFIRMED
    total, confirmed_count, checked_in = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.count(Registration.id).filter(confirmed),
            sa.func.count(Registration.id).filter(
                confirmed, Registration.checked_in_at.is_not(None)
            ),
        ).where(Registration.tournament_id == tournament_id)
    ).one()
    return {"total": total, "confirmed": confirmed_count, "checked_in": checked_in}


class ControlRoomView(ScopedAccessMixin, BaseView):
    """The viewer's tournaments, and one tournament's control room."""

    @expose("/")
    def index(self) -> Any:
        query = sa.select(Tournament).where(Tournament.deleted_at.is_(None))
        query = viewer_scope().filter(query, Tournament.id)
        status = request.args.get("status")
        if status in {s.value for s in S}:
            query = query.where(Tournament.status == S(status))
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        tournaments = db.session.scalars(
            query.order_by(Tournament.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ).all()
        return self.render(
            "admin/desk_control_rooms.html",
            tournaments=tournaments,
            statuses=list(S),
            status=status,
            page=page,
            fmt=admin_format,
        )

    def _tournament(self, tournament_id: int) -> Tournament:
        tournament = db.session.get(Tournament, tournament_id)
        if tournament is None or tournament.is_deleted:
            abort(404)
        require_in_scope(tournament)
        return tournament

    @expose("/<int:tournament_id>/")
    def room(self, tournament_id: int) -> Any:
        tournament = self._tournament(tournament_id)
        has_bracket = bracket_queries.has_bracket(tournament.id)
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        registrations = db.session.scalars(
            sa.select(Registration)
            .where(Registration.tournament_id == tournament.id)
            .options(selectinload(Registration.user), selectinload(Registration.team))
            .order_by(Registration.created_at, Registration.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        counts = registration_counts(tournament.id)
        matches, attention_total = attention(tournament.id)
        names = bracket_queries.registration_names(
            rid for m in matches for rid in m.participant_ids if rid is not None
        )
        steps = next_steps(tournament, has_bracket=has_bracket)
        return self.render(
            "admin/desk_control_room.html",
            tournament=tournament,
            steps=[(step, STEPS[step][0]) for step in steps],
            form=StepForm(),
            registrations=registrations,
            counts=counts,
            page=page,
            pages=max(1, -(-counts["total"] // PAGE_SIZE)),
            matches=matches,
            attention_total=attention_total,
            names=names,
            has_bracket=has_bracket,
            overdue=lambda m: m.status in NOT_STARTED,
            fmt=admin_format,
        )

    @expose("/<int:tournament_id>/step/<string:step>/", methods=("POST",))
    def step(self, tournament_id: int, step: str) -> Any:
        tournament = self._tournament(tournament_id)
        if step not in STEPS:
            abort(404)
        form = StepForm(request.form)
        if not form.validate():
            flash("The form expired; try again.", "error")
            return redirect(url_for(".room", tournament_id=tournament_id))
        label, done, call = STEPS[step]
        name = tournament.name
        with admin_action(f"{label}: ") as outcome:
            call(tournament_id, current_admin_user(), (form.reason.data or "").strip())
        if outcome.ok:
            flash(f"{name}: {done}.", "success")
        return redirect(url_for(".room", tournament_id=tournament_id))

    @expose("/<int:tournament_id>/bracket.svg")
    def bracket_svg(self, tournament_id: int) -> Any:
        tournament = self._tournament(tournament_id)
        try:
            data, version = bracket_picture(tournament.id, tournament.name)
        except BracketMissingError:
            abort(404)
        response = Response(data, mimetype="image/svg+xml")
        response.set_etag(version)
        response.headers["Cache-Control"] = "private, max-age=15"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
        return response.make_conditional(request)


def register_admin(admin: Any) -> None:
    admin.add_view(ControlRoomView(name="Control room", category="Desks", endpoint="controlroom"))

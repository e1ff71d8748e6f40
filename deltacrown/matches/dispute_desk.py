"""Flask-Admin "Dispute desk": open disputes, oldest first, and one dispute on one page: the
match (both sides, best-of, status), each side's submitted scores game by game, the match's
event history, the evidence shown inline (signed links), and the reporter's reason.

Actions run the services the API uses (`matches.services`), each in `admin_action`: Review,
Uphold, Rematch and Dismiss with a written resolution, and Overturn from a form pre-filled
with the disputed games. Overturning is two steps: the engine's preview of every downstream
change (`services.override_result(dry_run=True)`, the API's `?dry_run=true`) is shown first,
then staff confirm. Staff see every dispute; organizers those of their own tournaments
(`core.admin_scoped`); any other dispute answers 404.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from deltacrown.brackets.queries import registration_names
from deltacrown.core import admin_format, storage
from deltacrown.core.admin import admin_action, current_admin_user, error_message
from deltacrown.core.admin_forms import StaffForm
from deltacrown.core.admin_scoped import ScopedAccessMixin, require_in_scope, viewer_scope
from deltacrown.extensions import db
from deltacrown.matches import services
from deltacrown.matches.models import (
    OPEN_DISPUTE_STATUSES,
    Dispute,
    DisputeStatus,
    Match,
    MatchEvent,
    ResultSubmission,
)
from deltacrown.tournaments.models import Tournament

PAGE_SIZE = 100
RULINGS = {
    "uphold": ("upheld", "Upheld: the submitted result stands."),
    "rematch": ("rematch", "Rematch: the match is played again."),
}


class RulingForm(StaffForm):
    resolution = TextAreaField("Resolution", validators=[DataRequired(), Length(max=2000)])


class ReviewForm(StaffForm):
    pass


class OverturnForm(StaffForm):
    games = StringField("Games (side 1 first): 13-9, 7-13", validators=[DataRequired()])
    resolution = TextAreaField("Resolution", validators=[DataRequired(), Length(max=2000)])


def parse_games(text: str) -> list[list[int]]:
    """`13-9, 7-13` → [[13, 9], [7, 13]]; ValueError when malformed."""
    games = []
    for part in text.split(","):
        first, second = part.strip().split("-")
        games.append([int(first), int(second)])
    return games


def games_text(games: list[Any] | None) -> str:
    return ", ".join(f"{g[0]}-{g[1]}" for g in games or [] if isinstance(g, list | tuple))


def queue() -> sa.Select[tuple[Dispute]]:
    """The viewer's open disputes (open or under review), oldest first."""
    query = sa.select(Dispute).where(Dispute.status.in_(OPEN_DISPUTE_STATUSES))
    return (
        viewer_scope().filter(query, Dispute.tournament_id).order_by(Dispute.created_at, Dispute.id)
    )


def media(keys: list[Any]) -> list[dict[str, Any]]:
    """Evidence keys as signed links, with how to show each (image, video or a link)."""
    shown = []
    for key in keys:
        try:
            _, content_type = storage.parse_key(str(key))
        except storage.InvalidKeyError:
            continue
        kind = content_type.split("/")[0]
        shown.append({"url": storage.url(str(key)), "kind": kind, "type": content_type})
    return shown


def describe_changes(changes: dict[str, Any] | None, names: dict[int, str]) -> list[str]:
    """The engine's preview (`brackets.services.changes_json`) as sentences for staff."""
    if not changes:
        return []

    def name(rid: Any) -> str:
        return names.get(rid, f"registration #{rid}")

    lines = [
        f"{name(move['registration_id'])} ({move['outcome']}) goes from match "
        f"#{move['from_match_id']} to match #{move['to_match_id']}, side {move['slot']}."
        for move in changes.get("moves") or []
        if move.get("to_match_id") is not None
    ]
    for key, words in (("reset", "reset"), ("ready", "ready to play"), ("skipped", "skipped")):
        ids = [i for i in changes.get(key) or [] if i is not None]
        if ids:
            lines.append(f"Matches {words}: " + ", ".join(f"#{i}" for i in ids) + ".")
    if changes.get("eliminated"):
        lines.append("Eliminated: " + ", ".join(map(name, changes["eliminated"])) + ".")
    if changes.get("reinstated"):
        lines.append("Back in: " + ", ".join(map(name, changes["reinstated"])) + ".")
    if changes.get("placements"):
        lines.append("Final placements change.")
    return lines or ["Nothing else in the bracket changes."]


class DisputeDeskView(ScopedAccessMixin, BaseView):
    """Open disputes and one dispute with everything needed to settle it."""

    @expose("/")
    def index(self) -> Any:
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        total = db.session.scalar(
            sa.select(sa.func.count()).select_from(queue().order_by(None).subquery())
        )
        rows = db.session.execute(
            queue()
            .add_columns(Match.engine_id, Tournament.name)
            .join(Match, Match.id == Dispute.match_id)
            .join(Tournament, Tournament.id == Dispute.tournament_id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).all()
        names = registration_names(r[0].registration_id for r in rows if r[0].registration_id)
        return self.render(
            "admin/desk_disputes.html",
            rows=rows,
            names=names,
            total=total or 0,
            page=page,
            pages=max(1, -(-(total or 0) // PAGE_SIZE)),
            fmt=admin_format,
        )

    def _load(self, dispute_id: int) -> tuple[Dispute, Match, Tournament]:
        dispute = db.session.get(Dispute, dispute_id)
        if dispute is None:
            abort(404)
        tournament = db.session.get(Tournament, dispute.tournament_id)
        require_in_scope(tournament)
        match = db.session.get(Match, dispute.match_id)
        if tournament is None or match is None:  # pragma: no cover  (foreign keys hold them)
            abort(404)
        return dispute, match, tournament

    def _page(self, dispute_id: int, **extra: Any) -> Any:
        dispute, match, tournament = self._load(dispute_id)
        submissions = db.session.scalars(
            sa.select(ResultSubmission)
            .where(ResultSubmission.match_id == match.id)
            .order_by(ResultSubmission.created_at, ResultSubmission.id)
        ).all()
        events = db.session.scalars(
            sa.select(MatchEvent)
            .where(MatchEvent.match_id == match.id)
            .order_by(MatchEvent.created_at, MatchEvent.id)
        ).all()
        sides = [rid for rid in match.participant_ids if rid is not None]
        names = registration_names([*sides, *(s.registration_id for s in submissions)])
        disputed = next((s for s in submissions if s.id == dispute.submission_id), None)
        overturn = extra.pop("overturn_form", None) or OverturnForm(
            data={"games": games_text((disputed.games if disputed else None) or match.scores)}
        )
        evidence = media(list(dispute.evidence))
        for submission in submissions:
            evidence += media(list(submission.evidence))
        return self.render(
            "admin/desk_dispute.html",
            dispute=dispute,
            match=match,
            tournament=tournament,
            submissions=submissions,
            events=events,
            names=names,
            evidence=evidence,
            is_open=dispute.status in OPEN_DISPUTE_STATUSES,
            can_review=dispute.status is DisputeStatus.OPEN,
            review_form=ReviewForm(),
            ruling_form=RulingForm(),
            overturn_form=overturn,
            games_text=games_text,
            fmt=admin_format,
            **extra,
        )

    @expose("/<int:dispute_id>/")
    def item(self, dispute_id: int) -> Any:
        return self._page(dispute_id)

    @expose("/<int:dispute_id>/review/", methods=("POST",))
    def review(self, dispute_id: int) -> Any:
        self._load(dispute_id)
        if ReviewForm(request.form).validate():
            with admin_action(f"Dispute {dispute_id}: ") as outcome:
                services.review_dispute(dispute_id, actor=current_admin_user())
            if outcome.ok:
                flash(f"Dispute {dispute_id} is under review.", "success")
        return redirect(url_for(".item", dispute_id=dispute_id))

    @expose("/<int:dispute_id>/<any(uphold, rematch, dismiss):ruling>/", methods=("POST",))
    def rule(self, dispute_id: int, ruling: str) -> Any:
        self._load(dispute_id)
        form = RulingForm(request.form)
        if not form.validate():
            flash("Write the resolution the players will read.", "error")
            return redirect(url_for(".item", dispute_id=dispute_id))
        actor, text = current_admin_user(), form.resolution.data or ""
        with admin_action(f"Dispute {dispute_id}: ") as outcome:
            if ruling == "dismiss":
                services.dismiss_dispute(dispute_id, resolution=text, actor=actor)
            else:
                services.resolve_dispute(
                    dispute_id, outcome=RULINGS[ruling][0], resolution=text, actor=actor
                )
        if outcome.ok:
            done = "Dismissed: the result stands." if ruling == "dismiss" else RULINGS[ruling][1]
            flash(f"Dispute {dispute_id}: {done}", "success")
        return redirect(url_for(".item", dispute_id=dispute_id))

    @expose("/<int:dispute_id>/overturn/", methods=("POST",))
    def overturn(self, dispute_id: int) -> Any:
        """Without `confirm`: the engine's preview of the corrected games, nothing changed.
        With `confirm`: the dispute is resolved as overturned with those games."""
        dispute, match, _ = self._load(dispute_id)
        form = OverturnForm(request.form)
        if not form.validate():
            flash("Write the corrected games and the resolution.", "error")
            return self._page(dispute_id, overturn_form=form)
        try:
            games = parse_games(form.games.data or "")
        except ValueError:
            flash("Write the games like 13-9, 7-13.", "error")
            return self._page(dispute_id, overturn_form=form)
        actor = current_admin_user()
        if request.form.get("confirm") != "yes":
            with admin_action(flash_error=False) as outcome:
                entry = services.override_result(
                    match.id, games=games, actor=actor, reason=form.resolution.data, dry_run=True
                )
            if outcome.error is not None:
                return self._page(
                    dispute_id, overturn_form=form, preview_error=error_message(outcome.error)
                )
            names = registration_names(r for r in match.participant_ids if r is not None)
            return self._page(
                dispute_id,
                overturn_form=form,
                preview=describe_changes(entry.changes, names),
                preview_blocking=entry.blocking,
                preview_allowed=entry.allowed,
            )
        with admin_action(f"Dispute {dispute_id}: ") as outcome:
            services.resolve_dispute(
                dispute.id,
                outcome="overturned",
                resolution=form.resolution.data or "",
                corrected_games=games,
                actor=actor,
            )
        if outcome.ok:
            flash(f"Dispute {dispute_id}: overturned, the corrected result is in.", "success")
            return redirect(url_for(".item", dispute_id=dispute_id))
        return self._page(dispute_id, overturn_form=form)


def register_admin(admin: Any) -> None:
    admin.add_view(DisputeDeskView(name="Dispute desk", category="Desks", endpoint="disputedesk"))

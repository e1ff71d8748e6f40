"""Sharing API: a tournament's link-preview metadata and share card."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required
from deltacrown.core.scopes import TokenScopes
from deltacrown.sharing import services
from deltacrown.sharing.schemas import ShareArgs, ShareSchema
from deltacrown.tournaments.errors import TournamentNotFoundError

blp = Blueprint(
    "sharing",
    __name__,
    url_prefix="/api",
    description="Sharing: link previews (OpenGraph and X/Twitter) and share cards.",
    token_scopes=TokenScopes(read="tournaments:read"),
)


@blp.route("/tournaments/<int:tournament_id>/share/")
class ShareView(MethodView):
    @login_required(optional=True)
    @blp.arguments(ShareArgs, location="query")
    @blp.response(200, ShareSchema)
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """What a link to the tournament unfolds into in Discord, X, WhatsApp and the like.

        Title, description (game, start, prize), the share card's URL and the canonical URL,
        with the OpenGraph and X/Twitter meta tags ready to put in a page's head.
        """
        return services.share_metadata(tournament_id, get_current_user(), args.get("invite_code"))


@blp.route("/tournaments/<int:tournament_id>/og.png")
class ShareCardView(MethodView):
    @login_required(optional=True)
    @blp.arguments(ShareArgs, location="query")
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="image/png",
        description="The 1200x630 share card.",
    )
    @blp.errors(TournamentNotFoundError)
    def get(self, args: dict[str, Any], tournament_id: int) -> Any:
        """The tournament's share card: name, game, start, prize, players and the bracket.

        1200x630 PNG for link previews; it changes (with its `ETag`) as results come in.
        """
        png, version = services.share_card(
            tournament_id, get_current_user(), args.get("invite_code")
        )
        response = Response(png, mimetype="image/png")
        response.set_etag(version)
        response.headers["Cache-Control"] = "public, max-age=60"
        response.make_conditional(request)
        return response

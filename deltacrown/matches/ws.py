"""Live match channel: `/ws/matches/{id}` follows `match:{id}`; sides and organizers of a live
match send `score.update` over it. The match's room (`chat.send`, `chat.message`,
`chat.hidden`) rides on the same socket for the room's members (see `matches.chat`)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import sqlalchemy as sa
from flask import Blueprint
from sqlalchemy import orm

from deltacrown.core import ws
from deltacrown.extensions import db, sock
from deltacrown.matches import chat, live, queries
from deltacrown.matches.errors import ValidationError
from deltacrown.matches.models import Match
from deltacrown.matches.schemas import ScoreUpdateArgs
from deltacrown.tournaments import live as tournament_live
from deltacrown.tournaments.models import Tournament

bp = Blueprint("matches_ws", __name__)


def _score_update(match_id: int) -> ws.Handler:
    def handle(user: Any, message: dict[str, Any]) -> dict[str, Any] | None:
        fields = {k: v for k, v in message.items() if k != "type"}
        try:
            args = ScoreUpdateArgs().load(fields)
        except ma.ValidationError as exc:
            raise ValidationError(
                "The score update is not valid.", errors=exc.normalized_messages()
            ) from None
        live.update_score(match_id, actor=user, **args)
        return None  # the sender receives the broadcast like every follower

    return handle


def _chat_send(match_id: int) -> ws.Handler:
    def handle(user: Any, message: dict[str, Any]) -> dict[str, Any] | None:
        chat.send(match_id, actor=user, text=message.get("text"))
        return None  # the sender receives `chat.message` like every member of the room

    return handle


def _admits(match_id: int) -> Any:
    def admits(user: Any) -> bool:
        fresh = db.session.get(Match, match_id)
        if fresh is None:
            return False
        tournament = tournament_live.find(fresh.tournament_id)
        return tournament is not None and chat.is_member(fresh, tournament, user)

    return admits


# The match and its tournament in one round trip, without the rows they load eagerly elsewhere
# (the match's round; the tournament's game, organizer and staff): only a signed-in user's
# checks read those, and load them then.
_MATCH_AND_TOURNAMENT = (
    sa.select(Match, Tournament)
    .join(Tournament, Tournament.id == Match.tournament_id)
    .where(Match.id == sa.bindparam("match_id"))
    .options(orm.lazyload("*"))
)


def channel(match_id: int) -> ws.Channel | None:
    """The match's channel, or None when there is no such match. Its checks load what they
    need afresh: a socket lives longer than any database session."""
    found = db.session.execute(_MATCH_AND_TOURNAMENT, {"match_id": match_id}).first()
    if found is None:
        return None
    match, tournament = found
    ws.keep_while_starting(match, tournament)
    if tournament_live.find(tournament.id) is None:  # the row just loaded: no second query
        return None
    tournament_id = match.tournament_id

    def describe(user: Any) -> dict[str, Any]:
        fresh = db.session.get(Match, match_id)
        side = queries.side_of(fresh, user) if fresh is not None and user is not None else None
        return {
            "match_id": match_id,
            "tournament_id": tournament_id,
            "is_participant": side is not None,
            "registration_id": side,
            "is_organizer": tournament_live.is_organizer(tournament_id, user),
        }

    return ws.Channel(
        name=f"match:{match_id}",
        route="match",
        check=lambda user: tournament_live.check_id(tournament_id, user),
        describe=describe,
        handlers={"score.update": _score_update(match_id), "chat.send": _chat_send(match_id)},
        room=ws.Room(name=chat.room(match_id), admits=_admits(match_id)),
    )


@sock.route("/ws/matches/<int:match_id>", bp=bp)
def follow_match(sock_ws: Any, match_id: int) -> None:
    """Follow a match: `match.state_changed`, `match.score_updated`, `match.result_submitted`,
    `match.completed`, `match.disputed`, `veto.updated` ... and, for the room's members, `chat.message` and
    `chat.hidden` (docs/realtime.md)."""
    ws.follow(sock_ws, lambda: channel(match_id))

"""The match room: the match's sides, its organizers, referees and staff talk in it; its
casters read it.

A message (1-500 characters once control characters are stripped; at most 5 per author per
10 seconds in one room) is stored and published as `chat.message {id, author, text, ts}` on
the room channel `match:{id}:chat`, which only the room's members receive beside the match
channel (`core.ws.Channel.room`); spectators never see it. Staff hide a message
(`chat.hidden {id}`): it stays on record but is no longer listed. A mute or a ban (global, or
of this match's tournament) silences the author (403 `muted`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.core import realtime
from deltacrown.core.inputs import CONTROL_CHARACTERS
from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from deltacrown.matches import policies, queries
from deltacrown.matches.errors import (
    ChatMessageNotFoundError,
    ChatRateLimitedError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.models import ChatMessage, Match
from deltacrown.moderation import enforcement as moderation
from deltacrown.tournaments.models import Tournament

MAX_LENGTH = 500
RATE_MESSAGES, RATE_SECONDS = 5, 10


def room(match_id: int) -> str:
    """The realtime channel of a match's room."""
    return f"match:{match_id}:chat"


def is_member(match: Match, tournament: Tournament, user: Any) -> bool:
    """A side of the match, an organizer, referee or caster of its tournament, or staff."""
    if user is None:
        return False
    return queries.side_of(match, user) is not None or policies.can_see_room(user, tournament)


def room_match(match_id: int, actor: Any) -> Match:
    """The match whose room `actor` is a member of. Raises MatchNotFoundError (not visible)
    and PermissionDeniedError (not a member)."""
    match, tournament = queries.visible_match(match_id, actor)
    if not is_member(match, tournament, actor):
        raise PermissionDeniedError("Only the match's sides, organizers and staff use its room.")
    return match


def clean(text: Any) -> str:
    """Control characters stripped, surrounding space trimmed; 1-500 characters."""
    if not isinstance(text, str):
        raise ValidationError("Send the message as text.", errors={"text": ["Must be text."]})
    cleaned = CONTROL_CHARACTERS.sub("", text).strip()
    if not 1 <= len(cleaned) <= MAX_LENGTH:
        raise ValidationError(
            f"A message is 1-{MAX_LENGTH} characters.",
            errors={"text": [f"Between 1 and {MAX_LENGTH} characters."]},
        )
    return cleaned


def _check_rate(match_id: int, author_id: int) -> None:
    since = utcnow() - timedelta(seconds=RATE_SECONDS)
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ChatMessage)
        .where(
            ChatMessage.match_id == match_id,
            ChatMessage.author_id == author_id,
            ChatMessage.created_at >= since,
        )
    )
    if (recent or 0) >= RATE_MESSAGES:
        raise ChatRateLimitedError(
            f"At most {RATE_MESSAGES} messages every {RATE_SECONDS} seconds.",
            retry_after_ms=RATE_SECONDS * 1000,
        )


def present(message: ChatMessage, username: str | None) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": {"id": message.author_id, "username": username},
        "text": message.text,
        "ts": isoformat(message.created_at),
    }


def send(match_id: int, *, actor: Any, text: Any) -> dict[str, Any]:
    """Post in the match's room. Raises MatchNotFoundError, PermissionDeniedError,
    MutedError, ValidationError, ChatRateLimitedError."""
    match, tournament = queries.visible_match(match_id, actor)
    if not policies.can_talk_in_room(actor, tournament, side=queries.side_of(match, actor)):
        raise PermissionDeniedError(
            "Only the match's sides, organizers, referees and staff post in its room."
        )
    moderation.enforce(actor.id, moderation.Action.LIVE_MESSAGE, match.tournament_id)
    cleaned = clean(text)
    _check_rate(match.id, actor.id)
    message = ChatMessage(match_id=match.id, author_id=actor.id, text=cleaned)
    db.session.add(message)
    db.session.flush()
    shown = present(message, getattr(actor, "username", None))
    realtime.publish(room(match.id), "chat.message", shown)
    return shown


def hide(match_id: int, message_id: int, *, actor: Any) -> dict[str, Any]:
    """Staff hide a message (idempotent). Raises ChatMessageNotFoundError,
    PermissionDeniedError."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDeniedError("Staff hide messages.")
    message = db.session.get(ChatMessage, message_id)
    if message is None or message.match_id != match_id:
        raise ChatMessageNotFoundError(f"No message {message_id} in match {match_id}.")
    if message.hidden_at is None:
        message.hidden_at = utcnow()
        message.hidden_by_id = actor.id
        db.session.flush()
        realtime.publish(room(match_id), "chat.hidden", {"id": message.id})
    author = db.session.get(User, message.author_id)
    return present(message, author.username if author is not None else None)


def list_messages(match_id: int) -> sa.Select[Any]:
    """The room's shown messages with their authors' names (rows of message, username)."""
    return (
        sa.select(ChatMessage, User.username)
        .join(User, User.id == ChatMessage.author_id)
        .where(ChatMessage.match_id == match_id, ChatMessage.hidden_at.is_(None))
    )

"""Where a match is watched: its live `stream_url` and its recording `vod_url`.

Organizers, referees, casters and staff set them. Only links to the known streaming sites
are taken (https, or http which is stored as https): Twitch (`twitch.tv`), YouTube
(`youtube.com`, `youtu.be`) and Facebook Gaming (`facebook.com/gaming`, `fb.gg`); anything
else is 422 `invalid_stream_url`. They are public: shown on the match and, while the match
is being played, in its tournament's `GET .../streams/` list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from deltacrown.brackets import presenters
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, policies
from deltacrown.matches.errors import PermissionDeniedError
from deltacrown.matches.matchday_errors import InvalidStreamUrlError
from deltacrown.matches.models import IN_PLAY_STATUSES, Match
from deltacrown.tournaments import queries as tournament_queries

# host → the path it must start with ("" for any)
HOSTS = {
    "twitch.tv": "",
    "youtube.com": "",
    "youtu.be": "",
    "facebook.com": "/gaming",
    "fb.gg": "",
}
FIELDS = ("stream_url", "vod_url")


def check_url(url: str, field: str) -> str:
    """The link as stored (https), or InvalidStreamUrlError naming the field."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "go."):
        if host.startswith(prefix) and host.removeprefix(prefix) in HOSTS:
            host = host.removeprefix(prefix)
            break
    path_prefix = HOSTS.get(host)
    if (
        parts.scheme not in ("http", "https")
        or path_prefix is None
        or parts.username is not None
        or parts.port is not None
        or not (parts.path == path_prefix or parts.path.startswith(path_prefix + "/"))
        or (not path_prefix and parts.path in ("", "/") and host != "fb.gg")
    ):
        raise InvalidStreamUrlError(
            "Streams are linked from Twitch, YouTube or Facebook Gaming.",
            errors={field: ["Must be a twitch.tv, youtube.com, youtu.be, facebook.com/gaming "
                            "or fb.gg link."]},
        )  # fmt: skip
    return urlunsplit(("https", parts.netloc.lower(), parts.path, parts.query, ""))


def set_streams(
    match_id: int, *, actor: Any, changes: dict[str, str | None], now: datetime | None = None
) -> Match:
    """Set or clear (null) `stream_url` and/or `vod_url`. Raises MatchNotFoundError,
    PermissionDeniedError, InvalidStreamUrlError."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    if not policies.can_attach_streams(actor, tournament):
        raise PermissionDeniedError(
            "Only the tournament's organizers, referees, casters and staff attach streams."
        )
    links: dict[str, Any] = {
        field: None if changes[field] is None else check_url(str(changes[field]), field)
        for field in FIELDS
        if field in changes
    }
    for field, value in links.items():
        setattr(match, field, value)
    db.session.flush()
    if links:
        lifecycle.record_event(match, "streams_updated", actor, now=now, **links)
        lifecycle.publish_event(
            match, "match.streams_updated", stream_url=match.stream_url, vod_url=match.vod_url
        )
    return match


def live_streams(tournament_id: int, actor: Any) -> list[dict[str, Any]]:
    """The tournament's matches being played that have a stream, in order of play."""
    tournament = tournament_queries.get_visible_tournament(tournament_id, actor)
    rows = list(
        db.session.scalars(
            sa.select(Match)
            .where(
                Match.tournament_id == tournament.id,
                Match.status.in_(IN_PLAY_STATUSES),
                Match.stream_url.is_not(None),
            )
            .order_by(Match.position, Match.id)
        )
    )
    return [
        {**shown, "stream_url": row.stream_url, "vod_url": row.vod_url}
        for row, shown in zip(rows, presenters.matches(rows), strict=True)
    ]

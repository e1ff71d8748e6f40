"""Shared steps of the team use cases (teams.services and teams.invites): input rules, row
locks, guards, and the savepoint that turns a unique-index violation into a specific 409."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import urlparse

import sqlalchemy as sa

from deltacrown.accounts.models import GameProfile
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.teams import policies, queries
from deltacrown.teams.errors import (
    AlreadyInTeamError,
    GameProfileRequiredError,
    RosterLockedError,
    TeamDisbandedError,
    TeamNameTakenError,
    TeamNotFoundError,
    TeamTagTakenError,
)
from deltacrown.teams.models import Team, TeamInvite

SENDER = "teams"  # the sender of every team signal
TAG_RE = re.compile(r"^[A-Z0-9]{2,5}$")
NAME_MIN, NAME_MAX = 3, 50
EDITABLE = ("name", "tag", "description", "logo_url", "logo_alt_text", "region")
ALT_TEXT_MAX = 300
ALT_TEXT_REQUIRED = "Alt text is required with an uploaded image."


class Actor(Protocol):
    id: int
    is_staff: bool


# ----- input rules ---------------------------------------------------------------------------
def check_name(name: str) -> tuple[str, str]:
    """The display name (whitespace collapsed) and its case-insensitive key."""
    name = " ".join(str(name).split())
    if not NAME_MIN <= len(name) <= NAME_MAX or not name.isprintable():
        raise ValidationError(
            f"Team names are {NAME_MIN}-{NAME_MAX} printable characters.",
            errors={"name": [f"{NAME_MIN}-{NAME_MAX} printable characters."]},
        )
    return name, name.casefold()


def check_tag(tag: str) -> str:
    """The tag upper-cased; 2-5 letters A-Z or digits."""
    tag = str(tag).strip().upper()
    if not TAG_RE.match(tag):
        raise ValidationError(
            "Tags are 2-5 letters A-Z or digits.", errors={"tag": ["2-5 characters A-Z, 0-9."]}
        )
    return tag


def _optional_text(value: str | None, field: str, limit: int) -> str | None:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationError(
            f"{field} is at most {limit} characters.", errors={field: ["Too long."]}
        )
    return text or None


def _check_logo_url(value: str | None) -> str | None:
    url = _optional_text(value, "logo_url", 500)
    if url is not None:
        parts = urlparse(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError(
                "logo_url must be an http(s) URL.", errors={"logo_url": ["An http(s) URL."]}
            )
    return url


def clean_details(changes: Mapping[str, Any]) -> dict[str, str | None]:
    """Description, logo URL and region as given in `changes`, trimmed (empty: None), checked."""
    cleaned: dict[str, str | None] = {}
    if "description" in changes:
        cleaned["description"] = _optional_text(changes["description"], "description", 2000)
    if "logo_url" in changes:
        cleaned["logo_url"] = _check_logo_url(changes["logo_url"])
    if "logo_alt_text" in changes:
        cleaned["logo_alt_text"] = _optional_text(
            changes["logo_alt_text"], "logo_alt_text", ALT_TEXT_MAX
        )
    if "region" in changes:
        cleaned["region"] = _optional_text(changes["region"], "region", 40)
    return cleaned


def require_logo_alt_text(logo_url: str | None, alt_text: str | None) -> None:
    """A logo needs its alt text (what it shows, for screen readers): 422 without it."""
    if logo_url and not alt_text:
        raise ValidationError(
            ALT_TEXT_REQUIRED, errors={"logo_alt_text": ["Required with logo_url."]}
        )


def _slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:50].strip("-")
    return slug or "team"


def free_slug(name: str) -> str:
    """`base`, else `base-2`, `base-3`, ... (slugs are never reused, disbanded teams' included)."""
    base = _slugify(name)
    pattern = base.replace("_", r"\_") + "-%"
    taken = set(
        db.session.scalars(
            sa.select(Team.slug).where(
                sa.or_(Team.slug == base, Team.slug.like(pattern, escape="\\"))
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ----- shared steps --------------------------------------------------------------------------
@contextmanager
def savepoint() -> Iterator[None]:
    """Run a flush that may hit a unique index in a savepoint (the caller maps the
    IntegrityError to its 409); the outer unit of work and its effects carry on."""
    with db.session().begin_nested():
        yield


def lock_team(team_id: int) -> Team:
    """The team, row-locked for the rest of the transaction (no-op on SQLite)."""
    team = db.session.scalars(
        sa.select(Team)
        .where(Team.id == team_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if team is None:
        raise TeamNotFoundError(f"No team {team_id}.")
    return team


def lock_invite(invite_id: int) -> TeamInvite:
    invite = db.session.scalars(
        sa.select(TeamInvite)
        .where(TeamInvite.id == invite_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return invite


def touch(team: Team) -> None:
    """The roster is part of the team aggregate: bump its version (and ETag)."""
    team.updated_at = utcnow()


def require_manager(actor: Actor, team: Team, doing: str) -> None:
    if not policies.can_manage_team(actor, team):
        raise PermissionDeniedError(f"Only the team's captain (or staff) may {doing}.")


def require_active(team: Team) -> None:
    if not team.is_active:
        raise TeamDisbandedError(f"Team {team.id} was disbanded.")


def require_game_profile(user_id: int, game: Game) -> None:
    profile_id = db.session.scalar(
        sa.select(GameProfile.id).where(
            GameProfile.user_id == user_id, GameProfile.game_id == game.id
        )
    )
    if profile_id is None:
        raise GameProfileRequiredError(
            f"Add your in-game id for {game.name} first (POST /api/me/game-profiles/).",
            errors={"game": [f"No game profile for {game.slug}."]},
        )


def require_no_team_in_game(user_id: int, game: Game) -> None:
    membership = queries.find_active_membership_in_game(user_id, game.id)
    if membership is not None:
        raise AlreadyInTeamError(
            f"User {user_id} is already on team {membership.team_id} in {game.name}.",
            team_id=membership.team_id,
        )


def require_unlocked(team: Team) -> None:
    reason = queries.roster_lock_reason(team.id)
    if reason:
        raise RosterLockedError(f"Team {team.id}'s roster is locked: {reason}")


def ensure_name_and_tag_free(
    game_id: int, name_key: str | None, tag: str | None, *, exclude_id: int | None = None
) -> None:
    base = sa.select(Team.id).where(Team.game_id == game_id, Team.is_active.is_(True))
    if exclude_id is not None:
        base = base.where(Team.id != exclude_id)
    if name_key is not None and db.session.scalar(base.where(Team.name_key == name_key)):
        raise TeamNameTakenError(
            "An active team of this game already has that name.", errors={"name": ["Taken."]}
        )
    if tag is not None and db.session.scalar(base.where(Team.tag == tag)):
        raise TeamTagTakenError(
            "An active team of this game already has that tag.", errors={"tag": ["Taken."]}
        )


def snapshot(team: Team) -> dict[str, Any]:
    return {field: getattr(team, field) for field in EDITABLE}

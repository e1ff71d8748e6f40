"""Tournament use cases: create, update, delete (drafts) and co-organizers.

`data`/`changes` hold typed values by API name, as the `*Args` schemas load them (enums,
`rules.Money`, aware datetimes, prize shares with Decimals). Services flush, never commit.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.queries import get_user
from deltacrown.accounts.verification import ensure_email_verified
from deltacrown.core import audit
from deltacrown.core.actors import Actor, UserActor
from deltacrown.core.errors import AuthenticationError, ConflictError, PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.models import Game
from deltacrown.games.queries import get_game
from deltacrown.tournaments import policies, queries, rules
from deltacrown.tournaments.errors import (
    AlreadyOrganizerError,
    CannotRemoveOwnerError,
    FieldFrozenError,
    NotDraftError,
    OrganizerNotFoundError,
)
from deltacrown.tournaments.models import (
    PrizeFunding,
    Tournament,
    TournamentOrganizer,
    TournamentSlug,
    TournamentStatus,
    TournamentTier,
    Visibility,
)
from deltacrown.tournaments.services.common import (
    FROZEN_AFTER_PUBLISH,
    check_configuration,
    check_schedule,
    check_settings,
    default_participants,
    ensure_not_finished,
    is_battle_royale,
    managed_tournament,
    snapshot,
)

DEFAULTS: dict[str, Any] = {
    "description": None,
    "rules": None,
    "max_substitutes": 0,
    "min_participants": 2,
    "registration_opens_at": None,
    "registration_closes_at": None,
    "checkin_opens_at": None,
    "checkin_closes_at": None,
    "timezone": "UTC",
    "region": None,
    "is_online": True,
    "venue": None,
    "visibility": Visibility.PUBLIC,
    "entry_fee": None,
    "prize_pool": None,
    "prize_distribution": [],
    "waitlist_enabled": True,
    "requires_approval": False,
    "payment_deadline_hours": 48,
    "result_confirmation_minutes": 30,
    "no_show_grace_minutes": 10,
    "auto_start_matches": True,
    "tier": TournamentTier.COMMUNITY,
    "prize_to_captain": False,
    "prize_funding": PrizeFunding.ORGANIZER,
    "settings": {},
    "banner_url": None,
    "stream_url": None,
}
# Everything a tournament's configuration holds, by API name.
STATE_FIELDS = (
    "name",
    "game",
    "format",
    "participant_type",
    "team_size",
    "payment_methods",
    "points_table",
    *DEFAULTS,
    "max_participants",
    "start_at",
)
MAX_SLUG_ATTEMPTS = 10


def _slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:200].strip("-")
    return slug or "tournament"


def unique_slug(name: str, *, skip: set[str] | frozenset[str] = frozenset()) -> str:
    """The name's slug, with -2, -3, ... appended while taken (now or before a rename, or in
    `skip`)."""
    base = _slugify(name)
    current = sa.select(Tournament.slug).where(
        sa.or_(Tournament.slug == base, Tournament.slug.like(f"{base}-%"))
    )
    retired = sa.select(TournamentSlug.slug).where(
        sa.or_(TournamentSlug.slug == base, TournamentSlug.slug.like(f"{base}-%"))
    )
    taken = set(db.session.scalars(sa.union(current, retired))) | set(skip)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _slug_fits(slug: str, name: str) -> bool:
    """Whether `slug` still reads as `name` (its slug, or that with a -N suffix)."""
    return re.fullmatch(re.escape(_slugify(name)) + r"(-\d+)?", slug) is not None


def _invite_code() -> str:
    return secrets.token_urlsafe(9)


def _resolve_game(ref: Any, current: Game | None = None) -> Game:
    if isinstance(ref, Game):
        return ref
    if current is not None and str(ref).lower() in (str(current.id), current.slug):
        return current
    return get_game(ref)


def _normalized(name: str, value: Any) -> Any:
    """Typed API values → what the columns hold."""
    if name == "payment_methods":
        return [getattr(m, "value", m) for m in value]
    if name == "prize_distribution":
        return rules.normalize_prize_distribution(value or [])
    if name in ("settings", "points_table") and value is not None:
        return dict(value)
    return value


def _apply(tournament: Tournament, state: Mapping[str, Any]) -> None:
    for name, value in state.items():
        if name == "game":
            tournament.game = value
            tournament.game_id = value.id
        else:
            setattr(tournament, name, _normalized(name, value))
    if tournament.visibility == Visibility.PRIVATE:
        tournament.invite_code = tournament.invite_code or _invite_code()
    else:
        tournament.invite_code = None


def _fee_kind(fee: rules.Money | None) -> str | None:
    return fee.kind if fee is not None else None


def _require_user(actor: Actor | None) -> None:
    if actor is None:
        raise AuthenticationError("Sign in to do this.")


def _check_tier(actor: Any, tier: Any, current: Any) -> None:
    """Leaderboard weight is staff's call: others keep `community` (or what staff set)."""
    if tier not in (TournamentTier.COMMUNITY, current) and not policies.is_staff(actor):
        raise PermissionDeniedError("Only staff rate a tournament premier or standard.")


def create_tournament(
    *,
    actor: Any,
    data: Mapping[str, Any],
    now: datetime | None = None,
) -> Tournament:
    """Create a draft owned by `actor`, with every rule checked on the whole configuration.

    Raises GameNotFoundError, ValidationError, InvalidPaymentMethodsError,
    InvalidScheduleError, InvalidPrizeDistributionError, InvalidSettingsError,
    EmailNotVerifiedError (403, when REQUIRE_EMAIL_VERIFICATION is on).
    """
    _require_user(actor)
    ensure_email_verified(actor)
    now = now or utcnow()
    game = _resolve_game(data["game"])
    state: dict[str, Any] = {**DEFAULTS, **default_participants(game, data.get("participant_type"))}
    state.update(data)
    state["game"] = game
    if "payment_methods" not in data:
        state["payment_methods"] = rules.default_payment_methods(state["entry_fee"])
    if "points_table" not in data:
        state["points_table"] = (
            dict(rules.DEFAULT_POINTS_TABLE) if is_battle_royale(state["format"]) else None
        )
    if "min_participants" not in data:
        state["min_participants"] = rules.format_minimum(str(state["format"]))
    check_configuration(state, game=game)
    _check_tier(actor, state["tier"], None)
    check_schedule(state, now=now, must_be_future=("start_at",))
    settings_version = check_settings(game, state["settings"])

    tournament = Tournament(organizer_id=actor.id, settings_schema_version=settings_version)
    _apply(tournament, {k: v for k, v in state.items() if k in STATE_FIELDS})
    _insert_with_unique_slug(tournament)
    return tournament


def _insert_with_unique_slug(tournament: Tournament) -> None:
    """Insert under a savepoint. A concurrent twin may take the same slug first (on PostgreSQL
    the INSERT waits for it, then fails): skip that slug and try the next; after a few losses,
    add a random suffix, which nobody else will be trying."""
    tried: set[str] = set()
    for attempt in range(MAX_SLUG_ATTEMPTS):
        if attempt < MAX_SLUG_ATTEMPTS - 1:
            tournament.slug = unique_slug(tournament.name, skip=tried)
        else:
            tournament.slug = f"{_slugify(tournament.name)[:200]}-{secrets.token_hex(4)}"
        tried.add(tournament.slug)
        try:
            with db.session.begin_nested():
                db.session.add(tournament)
                db.session.flush()
            return
        except IntegrityError:
            if tournament.invite_code:
                tournament.invite_code = _invite_code()
    raise ConflictError("Could not find a free slug for this name; try another name.")


def _frozen_fields(
    tournament: Tournament, changes: Mapping[str, Any], game: Game | None, now: datetime
) -> dict[str, list[str]]:
    frozen: dict[str, list[str]] = {}
    if not tournament.is_draft:
        current = {name: getattr(tournament, name) for name in FROZEN_AFTER_PUBLISH}
        proposed = dict(changes)
        if "game" in proposed:
            proposed["game"] = game
        for name in FROZEN_AFTER_PUBLISH:
            if name not in proposed:
                continue
            old, new = current[name], proposed[name]
            if name == "payment_methods":
                old, new = sorted(old), sorted(_normalized(name, new))
            if old != new:
                frozen[name] = ["Frozen once the tournament is published."]
    for name in rules.SCHEDULE_FIELDS:
        old = getattr(tournament, name)
        if name in changes and changes[name] != old and old is not None and old <= now:
            if name == "registration_closes_at" and _may_reopen(tournament):
                continue  # a new closing time lets registration reopen
            frozen[name] = ["This time has passed; it can no longer change."]
    held = tournament.status not in (TournamentStatus.DRAFT, TournamentStatus.PUBLISHED)
    if held and tournament.prize_coins is not None and "prize_pool" in changes:
        if changes["prize_pool"] != tournament.prize_pool:
            frozen["prize_pool"] = ["A DeltaCoin prize pool is held once registration opens."]
    return frozen


def _may_reopen(tournament: Tournament) -> bool:
    return tournament.status == TournamentStatus.REGISTRATION_CLOSED and not queries.has_bracket(
        tournament.id
    )


def _proposed_state(
    tournament: Tournament, changes: Mapping[str, Any], game: Game | None
) -> dict[str, Any]:
    """The configuration after `changes`, with the values that follow from them: participant
    defaults for a new game or participant type, payment methods for a new kind of fee, the
    points table for a change of format."""
    state = {name: getattr(tournament, name) for name in STATE_FIELDS}
    state.update(changes)
    state["game"] = game or tournament.game
    game_changed = state["game"].id != tournament.game_id
    type_changed = state["participant_type"] != tournament.participant_type
    if game_changed or type_changed:
        kind = state["participant_type"] if "participant_type" in changes else None
        for key, value in default_participants(state["game"], kind).items():
            if key not in changes:
                state[key] = value
    if "payment_methods" not in changes and _fee_kind(state["entry_fee"]) != _fee_kind(
        tournament.entry_fee
    ):
        state["payment_methods"] = rules.default_payment_methods(state["entry_fee"])
    if state["format"] != tournament.format and "min_participants" not in changes:
        minimum = rules.format_minimum(str(state["format"]))
        state["min_participants"] = max(state["min_participants"], minimum)
    if state["format"] != tournament.format and "points_table" not in changes:
        br = is_battle_royale(state["format"])
        if br and state["points_table"] is None:
            state["points_table"] = dict(rules.DEFAULT_POINTS_TABLE)
        elif not br:
            state["points_table"] = None
    return state


def update_tournament(
    tournament_id: int,
    *,
    actor: Actor | None,
    changes: Mapping[str, Any],
    now: datetime | None = None,
) -> Tournament:
    """Change a tournament; the whole resulting configuration must satisfy every rule.

    After publishing, game, format, entry fee, payment methods, participant type and team size
    are frozen, and so is any date that has passed (FieldFrozenError names them). Changed dates
    must lie in the future (drafts: only start_at). Cancelled and completed tournaments do not
    change (TournamentLockedError). Also raises what `create_tournament` raises.
    """
    now = now or utcnow()
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    ensure_not_finished(tournament)
    game = _resolve_game(changes["game"], tournament.game) if "game" in changes else None
    frozen = _frozen_fields(tournament, changes, game, now)
    if frozen:
        raise FieldFrozenError(
            "These fields can no longer change: " + ", ".join(sorted(frozen)) + ".", errors=frozen
        )
    state = _proposed_state(tournament, changes, game)
    check_configuration(state, game=state["game"])
    _check_tier(actor, state["tier"], tournament.tier)
    changed_dates = [
        name
        for name in rules.SCHEDULE_FIELDS
        if name in changes and changes[name] != getattr(tournament, name)
    ]
    if changed_dates:
        future = ("start_at",) if tournament.is_draft else changed_dates
        check_schedule(state, now=now, must_be_future=[n for n in future if n in changed_dates])
    # Settings sent back unchanged are not re-checked: a newer schema version never
    # invalidates what was stored.
    if state["settings"] != tournament.settings or state["game"].id != tournament.game_id:
        tournament.settings_schema_version = check_settings(state["game"], state["settings"])

    changed = [
        name for name in STATE_FIELDS if _normalized(name, state[name]) != getattr(tournament, name)
    ]
    before = snapshot(tournament, changed)
    if "name" in changed and not _slug_fits(tournament.slug, state["name"]):
        # A rename gives a new slug; the old one is kept so its links redirect.
        before["slug"], changed = tournament.slug, [*changed, "slug"]
        new_slug = unique_slug(state["name"])
        db.session.add(TournamentSlug(slug=tournament.slug, tournament_id=tournament.id))
        tournament.slug = new_slug
    _apply(tournament, {name: state[name] for name in changed if name != "slug"})
    db.session.flush()
    if changed:
        audit.record(
            actor=actor,
            action="tournament.updated",
            target=tournament,
            before=before,
            after=snapshot(tournament, changed),
        )
    return tournament


def delete_tournament(tournament_id: int, *, actor: Actor | None) -> None:
    """Soft-delete a draft (NotDraftError otherwise); the slug stays reserved."""
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    if not tournament.is_draft:
        raise NotDraftError(
            f"Only drafts can be deleted; tournament {tournament.id} is {tournament.status.value}. "
            "Cancel it instead."
        )
    tournament.soft_delete()
    db.session.flush()
    audit.record(actor=actor, action="tournament.deleted", target=tournament)


# ----- co-organizers -------------------------------------------------------------------------
def add_organizer(tournament_id: int, *, actor: UserActor, user_id: int) -> Tournament:
    """The owner (or staff) names a co-organizer, who then has organizer rights.

    Raises TournamentNotFoundError, PermissionDeniedError, TournamentLockedError,
    UserNotFoundError, AlreadyOrganizerError.
    """
    tournament = queries.get_visible_tournament(tournament_id, actor, for_update=True)
    if not policies.can_manage_organizers(actor, tournament):
        raise PermissionDeniedError("Only the tournament's owner and staff may name organizers.")
    ensure_not_finished(tournament)
    user = get_user(user_id)
    if user.id in tournament.organizer_ids:
        raise AlreadyOrganizerError(f"{user.username} already organizes this tournament.")
    tournament.organizer_links.append(
        TournamentOrganizer(user_id=user.id, user=user, added_by_id=actor.id, created_at=utcnow())
    )
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.organizer_added",
        target=tournament,
        after={"user_id": user.id},
    )
    return tournament


def remove_organizer(tournament_id: int, *, actor: Actor | None, user_id: int) -> None:
    """The owner (or staff) removes a co-organizer, or a co-organizer steps down.

    Raises TournamentNotFoundError, PermissionDeniedError, CannotRemoveOwnerError,
    OrganizerNotFoundError.
    """
    tournament = queries.get_visible_tournament(tournament_id, actor, for_update=True)
    if not (
        policies.can_manage_organizers(actor, tournament)
        or policies.can_leave_organizers(actor, tournament, user_id)
    ):
        raise PermissionDeniedError("Only the tournament's owner and staff may remove organizers.")
    if user_id == tournament.organizer_id:
        raise CannotRemoveOwnerError("The tournament's owner cannot be removed.")
    link = next((li for li in tournament.organizer_links if li.user_id == user_id), None)
    if link is None:
        raise OrganizerNotFoundError(f"User {user_id} is not a co-organizer of this tournament.")
    tournament.organizer_links.remove(link)
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.organizer_removed",
        target=tournament,
        before={"user_id": user_id},
    )

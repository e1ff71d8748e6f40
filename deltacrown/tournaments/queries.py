"""Read helpers for tournaments, custom fields and templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from deltacrown.extensions import db
from deltacrown.tournaments import access, policies, ports
from deltacrown.tournaments.errors import (
    CustomFieldNotFoundError,
    TemplateNotFoundError,
    TournamentNotFoundError,
)
from deltacrown.tournaments.models import (
    CustomField,
    Tournament,
    TournamentOrganizer,
    TournamentSlug,
    TournamentStatus,
    TournamentTemplate,
)


def has_registrations(tournament_id: int) -> bool:
    """Whether the tournament has registrations (asked of the registrations domain)."""
    return bool(ports.registrations.get().has_registrations(tournament_id))


# ----- asked of the domains built on this one (through their ports) ------------------------
def count_places_taken(tournament_id: int) -> int:
    """Registrations holding a place (pending and confirmed): who may still play."""
    return int(ports.registrations.get().places_taken(tournament_id))


def podium(tournament_id: int) -> dict[str, list[dict[str, Any]]]:
    """A finished tournament's first three places from its recorded results: `champion`,
    `runner_up` and `third`, each a list of `{registration_id, name}` (shared places list
    every participant; a place nobody holds is an empty list)."""
    return ports.brackets.get().podium(tournament_id)


def has_bracket(tournament_id: int) -> bool:
    """Whether a bracket (its first stage) has been drawn for the tournament."""
    return bool(ports.brackets.get().has_bracket(tournament_id))


# ----- tournaments ---------------------------------------------------------------------------
def run_by(user_id: int) -> sa.Select[tuple[int]]:
    """The ids of the tournaments (not deleted) the user owns or co-organizes."""
    return sa.select(Tournament.id).where(
        Tournament.deleted_at.is_(None), Tournament.id.in_(owned_or_co_organized(user_id))
    )


def owned_or_co_organized(user_id: int) -> sa.CompoundSelect:
    """The ids of the tournaments the user owns or co-organizes, deleted ones included: a union
    of two index lookups (`organizer_id = :u OR id IN (co-organized)` reads every tournament)."""
    return sa.union(
        sa.select(Tournament.id).where(Tournament.organizer_id == user_id),
        sa.select(TournamentOrganizer.tournament_id).where(TournamentOrganizer.user_id == user_id),
    )


def runs_any(user_id: int) -> bool:
    """Whether the user owns or co-organizes at least one tournament (not deleted)."""
    return db.session.scalar(sa.select(run_by(user_id).exists())) or False


def find_tournament(tournament_id: int) -> Tournament | None:
    tournament = db.session.get(Tournament, tournament_id)
    return None if tournament is None or tournament.is_deleted else tournament


def get_tournament(tournament_id: int, *, for_update: bool = False) -> Tournament:
    """A tournament that is not deleted; with `for_update`, row-locked and freshly loaded."""
    if for_update:
        tournament = _locked(tournament_id)
    else:
        tournament = _loaded_or_read(tournament_id)
    if tournament is None or tournament.is_deleted:
        raise TournamentNotFoundError(f"No tournament {tournament_id}.")
    return tournament


# Tournaments this session has row-locked, with the (sub)transaction that took each lock: a
# result locks its tournament in the match service and again in the bracket service; the
# second asks here and gets the locked row without a second SELECT ... FOR UPDATE (nobody else
# can have changed it). An entry lapses with the (sub)transaction that took the lock: a later
# transaction, or a rolled-back savepoint (which released its locks), locks again.
_LOCKS_KEY = "deltacrown_locked_tournaments"


def _locked(tournament_id: int) -> Tournament | None:
    """The tournament row-locked (FOR UPDATE) and freshly loaded, once per transaction."""
    session = db.session()
    held = session.info.get(_LOCKS_KEY, {}).get(tournament_id)
    if held is not None and held[0].is_active and held[1] in session:
        return held[1]
    return _lock(_BY_ID, {"tournament_id": tournament_id})


def lock_tournament_where(condition: Any, **params: Any) -> Tournament | None:
    """The tournament matching `condition` (for instance its id taken from a row of another
    domain, in a scalar subquery: one round trip instead of two; `params` are its bound
    values), row-locked and freshly loaded with its co-organizers, remembered as
    `get_tournament(for_update=True)` does; None when nothing matches. Deleted tournaments are
    returned: the caller decides. Its game and owner's user row are read when first asked for
    (a match's use cases never do)."""
    held = _BUILT.get(id(condition))
    if held is None or held[0] is not condition:
        held = _BUILT[id(condition)] = (condition, _locking_statement(condition))
    return _lock(held[1], params)


# Statements of `lock_tournament_where`, by condition (module-level expressions, built once).
_BUILT: dict[int, tuple[Any, sa.Select[tuple[Tournament]]]] = {}


def _locking_statement(condition: Any = None) -> sa.Select[tuple[Tournament]]:
    """The co-organizers come in the same round trip (the access rules ask for them at once);
    FOR UPDATE OF locks the tournament row only."""
    query = sa.select(Tournament).options(orm.joinedload(Tournament.organizer_links))
    if condition is None:
        query = query.where(Tournament.id == sa.bindparam("tournament_id"))
    else:
        query = query.where(condition).options(
            orm.lazyload(Tournament.game), orm.lazyload(Tournament.organizer)
        )
    return query.with_for_update(of=Tournament).execution_options(populate_existing=True)


_BY_ID = _locking_statement()


def _lock(query: sa.Select[tuple[Tournament]], params: dict[str, Any]) -> Tournament | None:
    session = db.session()
    tournament = db.session.scalars(query, params).unique().first()
    if tournament is not None:
        session.info.setdefault(_LOCKS_KEY, {})[tournament.id] = (
            session.get_nested_transaction() or session.get_transaction(),
            tournament,
        )
    return tournament


def _loaded_or_read(tournament_id: int) -> Tournament | None:
    """The tournament from the session if it is there; else read with its co-organizers in the
    same query (one round trip instead of two: the access rule needs them)."""
    key = db.session.identity_key(Tournament, tournament_id)
    if key in db.session.identity_map:
        return db.session.get(Tournament, tournament_id)
    return (
        db.session.scalars(
            sa.select(Tournament)
            .where(Tournament.id == tournament_id)
            .options(orm.joinedload(Tournament.organizer_links))
        )
        .unique()
        .first()
    )


def get_visible_tournament(
    tournament_id: int, actor: Any, *, invite_code: str | None = None, for_update: bool = False
) -> Tournament:
    """The tournament if `actor` may see it (`access`), else TournamentNotFoundError (never a
    403)."""
    tournament = get_tournament(tournament_id, for_update=for_update)
    if not access.can_see(actor, tournament, invite_code=invite_code):
        raise TournamentNotFoundError(f"No tournament {tournament_id}.")
    return tournament


def tournament_id_by_slug(slug: str) -> tuple[int, str] | None:
    """(tournament id, its current slug) for a current or retired slug; None when unknown."""
    row = db.session.execute(
        sa.select(Tournament.id, Tournament.slug).where(Tournament.slug == slug)
    ).first()
    if row is None:
        row = db.session.execute(
            sa.select(Tournament.id, Tournament.slug)
            .join(TournamentSlug, TournamentSlug.tournament_id == Tournament.id)
            .where(TournamentSlug.slug == slug)
        ).first()
    return (row.id, row.slug) if row is not None else None


def due_to_open(now: datetime) -> sa.Select[tuple[Tournament]]:
    """Published tournaments whose registration should be open by now."""
    return (
        sa.select(Tournament)
        .where(
            Tournament.status == TournamentStatus.PUBLISHED,
            Tournament.registration_opens_at <= now,
            Tournament.deleted_at.is_(None),
        )
        .order_by(Tournament.id)
    )


def due_to_close(now: datetime) -> sa.Select[tuple[Tournament]]:
    """Open registrations whose closing time has come."""
    return (
        sa.select(Tournament)
        .where(
            Tournament.status == TournamentStatus.REGISTRATION_OPEN,
            Tournament.registration_closes_at <= now,
            Tournament.deleted_at.is_(None),
        )
        .order_by(Tournament.id)
    )


# ----- custom fields -------------------------------------------------------------------------
def list_custom_fields(tournament_id: int) -> sa.Select[tuple[CustomField]]:
    """Live (not deleted) fields in display order."""
    return (
        sa.select(CustomField)
        .where(CustomField.tournament_id == tournament_id, CustomField.deleted_at.is_(None))
        .order_by(CustomField.order, CustomField.id)
    )


def live_custom_fields(tournament_id: int) -> list[CustomField]:
    return list(db.session.scalars(list_custom_fields(tournament_id)))


def get_custom_field(tournament_id: int, field_id: int) -> CustomField:
    field = db.session.get(CustomField, field_id)
    if field is None or field.is_deleted or field.tournament_id != tournament_id:
        raise CustomFieldNotFoundError(f"No custom field {field_id} in tournament {tournament_id}.")
    return field


def custom_field_key_taken(tournament_id: int, key: str, *, exclude_id: int | None = None) -> bool:
    query = sa.select(CustomField.id).where(
        CustomField.tournament_id == tournament_id,
        CustomField.key == key,
        CustomField.deleted_at.is_(None),
    )
    if exclude_id is not None:
        query = query.where(CustomField.id != exclude_id)
    return db.session.scalar(query) is not None


# ----- templates -----------------------------------------------------------------------------
def list_templates(
    actor: Any, *, game: str | None = None, mine: bool = False
) -> sa.Select[tuple[TournamentTemplate]]:
    """The actor's own templates and every public one (anonymous: public only)."""
    query = sa.select(TournamentTemplate).where(TournamentTemplate.deleted_at.is_(None))
    actor_id = getattr(actor, "id", None)
    if mine:
        query = query.where(TournamentTemplate.owner_id == actor_id)
    elif actor_id is None:
        query = query.where(TournamentTemplate.is_public.is_(True))
    else:
        query = query.where(
            sa.or_(TournamentTemplate.is_public.is_(True), TournamentTemplate.owner_id == actor_id)
        )
    if game:
        query = query.where(TournamentTemplate.config["game"].as_string() == game)
    return query.order_by(TournamentTemplate.name, TournamentTemplate.id)


def get_template(template_id: int, actor: Any) -> TournamentTemplate:
    """A template the actor may see (public, own, or any for staff); else 404."""
    template = db.session.get(TournamentTemplate, template_id)
    if template is None or not policies.can_use_template(actor, template):
        raise TemplateNotFoundError(f"No template {template_id}.")
    return template

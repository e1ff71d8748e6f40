"""Seeding, generating and regenerating a tournament's bracket, and starting the tournament."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from deltacrown.brackets import engine, ports, queries, store
from deltacrown.brackets.errors import (
    BracketLockedError,
    BracketMissingError,
    BracketOutdatedError,
    InvalidSeedsError,
    NotEnoughParticipantsError,
    RegistrationNotClosedError,
    translate,
)
from deltacrown.brackets.models import SeedingMethod, Stage
from deltacrown.brackets.services.common import _channel, _delete_stages, _managed
from deltacrown.core import audit, realtime, signals
from deltacrown.core.errors import ValidationError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.tournaments.errors import TournamentLockedError
from deltacrown.tournaments.models import Tournament, TournamentStatus

T = TournamentStatus
MAX_BEST_OF = 15
RNG_SEED_LIMIT = 2**53  # exact in JSON for every client
# API option names that the engine spells differently.
ENGINE_OPTION_NAMES = {"third_place_match": "third_place"}


# ----- seeding ---------------------------------------------------------------------------------
def seed_participants(
    participants: Sequence[int],
    method: SeedingMethod,
    *,
    seeds: Sequence[int] | None = None,
    rng_seed: int | None = None,
) -> list[int]:
    """The seed list (best first) for `participants` (in registration order).

    `random` shuffles with `random.Random(rng_seed)`, so the stored seed reproduces it;
    `manual` takes `seeds`, which must list every participant exactly once (InvalidSeedsError
    naming the missing, unknown and repeated ids).
    """
    if method is SeedingMethod.REGISTRATION_ORDER:
        return list(participants)
    if method is SeedingMethod.RANDOM:
        shuffled = list(participants)
        random.Random(rng_seed).shuffle(shuffled)  # noqa: S311  (reproducible, not secret)
        return shuffled
    given = list(seeds or [])
    expected = set(participants)
    missing = sorted(expected - set(given))
    unknown = sorted(set(given) - expected)
    repeated = sorted({s for s in given if given.count(s) > 1})
    if missing or unknown or repeated:
        raise InvalidSeedsError(
            "Manual seeds must list every participant exactly once.",
            errors={"seeds": ["Give each participant's registration id once, best first."]},
            missing=missing,
            unknown=unknown,
            repeated=repeated,
        )
    return given


def engine_options(
    options: dict[str, Any], format_name: str | None = None
) -> tuple[dict[str, Any], int | None]:
    """API options -> (engine options, best_of). A battle royale's `advance_per_group` is the
    engine's `advance_per_lobby` (a lobby is its group)."""
    options = dict(options)
    best_of = options.pop("best_of", None)
    names = dict(ENGINE_OPTION_NAMES)
    if format_name == "battle_royale":
        names["advance_per_group"] = "advance_per_lobby"
    return {names.get(k, k): v for k, v in options.items()}, best_of


def _best_of(tournament: Tournament, best_of: int | None) -> int:
    """The requested best-of, else the game settings' `best_of`, else 1; odd for brackets
    that need a winner of every match."""
    if best_of is None:
        setting = (tournament.settings or {}).get("best_of")
        best_of = setting if type(setting) is int and 1 <= setting <= MAX_BEST_OF else 1
    if best_of % 2 == 0 and tournament.format.value not in ("round_robin", "swiss"):
        raise ValidationError(
            "A best-of must be odd where every match needs a winner.",
            errors={"options": {"best_of": ["Must be odd."]}},
        )
    return best_of


# ----- generation ----------------------------------------------------------------------------
def _ensure_not_started(tournament_id: int) -> None:
    started = queries.started_matches(tournament_id)
    if started:
        raise BracketLockedError(
            "Matches have started: the bracket can no longer be regenerated.", started=started
        )


def _delete_bracket(tournament_id: int) -> None:
    _delete_stages([s.id for s in queries.stages_of(tournament_id)])


def generate_bracket(
    tournament_id: int,
    *,
    actor: Any,
    seeding: SeedingMethod | str = SeedingMethod.REGISTRATION_ORDER,
    seeds: Sequence[int] | None = None,
    options: dict[str, Any] | None = None,
    rng_seed: int | None = None,
) -> list[Stage]:
    """Seed the participants and generate the tournament's bracket (replacing any bracket whose
    matches have not started), in the tournament's format.

    `options` uses the API names (`best_of`, `third_place_match`, `grand_final`, ...).
    Raises TournamentNotFoundError, PermissionDeniedError, RegistrationNotClosedError (before
    registration closes), TournamentLockedError (completed or cancelled), BracketLockedError
    (a match has started), NotEnoughParticipantsError, InvalidSeedsError,
    InvalidBracketOptionsError, ValidationError.
    """
    method = SeedingMethod(seeding)
    if seeds is not None and method is not SeedingMethod.MANUAL:
        raise ValidationError(
            "Seeds are given only with manual seeding.",
            errors={"seeds": ["Not with this seeding."]},
        )
    if rng_seed is not None and method is not SeedingMethod.RANDOM:
        raise ValidationError(
            "An RNG seed is given only with random seeding.",
            errors={"rng_seed": ["Not with this seeding."]},
        )
    if method is SeedingMethod.MANUAL and seeds is None:
        raise ValidationError(
            "Manual seeding needs the seed list.", errors={"seeds": ["Required for manual."]}
        )
    tournament = _managed(tournament_id, actor)
    requested, best_of = engine_options(options or {}, tournament.format.value)
    if tournament.format.value == "battle_royale" and tournament.points_table:
        requested.setdefault("points_table", dict(tournament.points_table))
    return _generate(tournament, actor, method, seeds, requested, best_of, rng_seed)


def regenerate_bracket(tournament_id: int, *, actor: Any) -> list[Stage]:
    """Generate the bracket again as it was asked for (seeding method, options), for the
    current participants: registration order again, a fresh RNG seed, or the same manual list
    (which must still be exactly the participants). Raises what `generate_bracket` raises and
    BracketMissingError."""
    tournament = _managed(tournament_id, actor)
    stages = queries.stages_of(tournament.id)
    if not stages:
        raise BracketMissingError(f"Tournament {tournament.id} has no bracket to regenerate.")
    first = stages[0]
    seeds = list(first.seeds) if first.seeding is SeedingMethod.MANUAL else None
    return _generate(
        tournament, actor, first.seeding, seeds, dict(first.requested_options), first.best_of, None
    )


def _generate(
    tournament: Tournament,
    actor: Any,
    method: SeedingMethod,
    seeds: Sequence[int] | None,
    requested: dict[str, Any],
    best_of: int | None,
    rng_seed: int | None,
) -> list[Stage]:
    if tournament.is_finished:
        raise TournamentLockedError(
            f"Tournament {tournament.id} is {tournament.status.value}; its bracket is final."
        )
    if tournament.status not in (T.REGISTRATION_CLOSED, T.ONGOING):
        raise RegistrationNotClosedError(
            "Close registration before generating the bracket.",
            tournament_status=tournament.status.value,
        )
    _ensure_not_started(tournament.id)
    best_of = _best_of(tournament, best_of)
    participants = queries.participants(tournament)
    if len(participants) < max(2, tournament.min_participants):
        raise NotEnoughParticipantsError(
            f"{len(participants)} participant(s); the tournament needs at least "
            f"{max(2, tournament.min_participants)}.",
            participants=len(participants),
        )
    if method is SeedingMethod.RANDOM and rng_seed is None:
        rng_seed = secrets.randbelow(RNG_SEED_LIMIT)
    if method is SeedingMethod.RATING:
        seed_list = ports.ratings.get().seed_order(tournament, list(participants))
    else:
        seed_list = seed_participants(participants, method, seeds=seeds, rng_seed=rng_seed)
    try:
        stage = engine.generate(tournament.format.value, seed_list, requested)
    except engine.BracketError as exc:
        raise translate(exc) from exc
    replaced = queries.has_bracket(tournament.id)
    _delete_bracket(tournament.id)
    row = store.create_stage(
        tournament.id,
        1,
        stage,
        requested_options=requested,
        best_of=best_of,
        seeding=method,
        rng_seed=rng_seed,
        created_by_id=getattr(actor, "id", None),
    )
    audit.record(
        actor=actor,
        action="bracket.regenerated" if replaced else "bracket.generated",
        target=tournament,
        after={
            "stage_id": row.id,
            "format": row.format,
            "seeding": method.value,
            "rng_seed": rng_seed,
            "seeds": seed_list,
            "options": requested,
            "best_of": best_of,
        },
    )
    signals.send_after_commit(
        signals.bracket_generated,
        "brackets",
        tournament_id=tournament.id,
        stage_ids=[row.id],
        actor_id=getattr(actor, "id", None),
    )
    realtime.publish(
        _channel(tournament.id),
        "bracket.generated",
        {"tournament_id": tournament.id, "stage_ids": [row.id], "regenerated": replaced},
    )
    return [row]


# ----- starting ------------------------------------------------------------------------------
def start_tournament(tournament_id: int, *, actor: Any, now: datetime | None = None) -> Tournament:
    """registration_closed -> ongoing, once a bracket exists for the current participants;
    matches that wait for nobody go live (the tournament's `auto_start_matches`).

    Raises TournamentNotFoundError, PermissionDeniedError, InvalidTransitionError,
    BracketMissingError, BracketOutdatedError (a participant withdrew, or one more is
    confirmed or checked in, since the bracket was generated: regenerate it).
    """
    now = now or utcnow()
    tournament = _managed(tournament_id, actor)
    tournament.check_transition(T.ONGOING)
    stages = queries.stages_of(tournament.id)
    if not stages:
        raise BracketMissingError(f"Generate tournament {tournament.id}'s bracket first.")
    seeded = set(stages[0].seeds)
    current = set(queries.participants(tournament))
    if seeded != current:
        raise BracketOutdatedError(
            "The participants changed since the bracket was generated; regenerate it.",
            withdrawn=sorted(seeded - current),
            added=sorted(current - seeded),
        )
    tournament.transition(T.ONGOING, at=now)
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.ongoing",
        target=tournament,
        before={"status": T.REGISTRATION_CLOSED.value},
        after={"status": T.ONGOING.value},
    )
    ports.matches.get().start_waiting(tournament, now)
    signals.send_after_commit(
        signals.tournament_started,
        "brackets",
        tournament_id=tournament.id,
        actor_id=getattr(actor, "id", None),
    )
    realtime.publish(
        _channel(tournament.id), "tournament.started", {"tournament_id": tournament.id}
    )
    return tournament

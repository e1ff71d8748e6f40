"""Tournament templates: save a configuration (given, or copied from a tournament), list,
change, delete, and apply one to create a draft.

A template's `config` is stored in the API's JSON shape (game by slug) and read back through
`schemas.TemplateConfigArgs`, the same shape check the API uses; applying a template then goes
through `create_tournament`, so every tournament rule is checked again at that point.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma

from deltacrown.core import audit
from deltacrown.core.actors import Actor, UserActor
from deltacrown.core.errors import AuthenticationError, PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.queries import get_game
from deltacrown.tournaments import customfields, policies, queries, rules
from deltacrown.tournaments.errors import (
    InvalidCustomFieldError,
    InvalidRegexError,
    InvalidTemplateError,
)
from deltacrown.tournaments.models import Tournament, TournamentTemplate
from deltacrown.tournaments.schemas import TemplateConfigArgs
from deltacrown.tournaments.services.common import (
    check_configuration,
    check_settings,
    default_participants,
    is_battle_royale,
)
from deltacrown.tournaments.services.custom_fields import create_custom_field
from deltacrown.tournaments.services.tournaments import create_tournament

# The configuration keys copied from a tournament (besides game and custom fields).
TOURNAMENT_KEYS = (
    "description",
    "rules",
    "format",
    "participant_type",
    "team_size",
    "max_substitutes",
    "min_participants",
    "max_participants",
    "timezone",
    "region",
    "is_online",
    "venue",
    "visibility",
    "entry_fee",
    "payment_methods",
    "prize_pool",
    "prize_distribution",
    "waitlist_enabled",
    "requires_approval",
    "payment_deadline_hours",
    "result_confirmation_minutes",
    "no_show_grace_minutes",
    "auto_start_matches",
    "tier",
    "prize_to_captain",
    "prize_funding",
    "points_table",
    "settings",
    "banner_url",
    "stream_url",
)


def _json_value(value: Any) -> Any:
    if isinstance(value, rules.Money):
        return value.to_json()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    return getattr(value, "value", value)


def _config_to_json(typed: Mapping[str, Any], game_slug: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for key, value in typed.items():
        if key == "game":
            continue
        if key == "prize_distribution":
            value = rules.normalize_prize_distribution(value)
        config[key] = _json_value(value)
    if game_slug is not None:
        config = {"game": game_slug, **config}
    return config


def _load_config(raw: Mapping[str, Any]) -> dict[str, Any]:

    try:
        return dict(TemplateConfigArgs().load(dict(raw)))
    except ma.ValidationError as exc:
        raise InvalidTemplateError(
            "The template's configuration is not valid.", errors={"config": exc.messages}
        ) from exc


def _check_template_config(typed: Mapping[str, Any]) -> str | None:
    """Check what can be checked without a name and dates; return the game's slug."""
    game = get_game(typed["game"]) if "game" in typed else None
    state = dict(typed)
    if game is not None:
        for key, value in default_participants(game, state.get("participant_type")).items():
            state.setdefault(key, value)
    if "payment_methods" not in state:
        state["payment_methods"] = rules.default_payment_methods(state.get("entry_fee"))
    if "points_table" not in state and is_battle_royale(state.get("format")):
        state["points_table"] = rules.DEFAULT_POINTS_TABLE
    check_configuration(state, game=game)
    if game is not None and "settings" in state:
        check_settings(game, state["settings"])
    _check_custom_fields(state.get("custom_fields") or [])
    return game.slug if game is not None else None


def _check_custom_fields(fields: list[Mapping[str, Any]]) -> None:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    bad_pattern = False
    for index, field in enumerate(fields):
        problems = customfields.definition_errors(
            field_type=field["type"],
            min_value=field.get("min"),
            max_value=field.get("max"),
            regex=field.get("regex"),
            choices=field.get("choices"),
        )
        for name, messages in problems.items():
            errors[f"custom_fields.{index}.{name}"] = messages
        regex = field.get("regex")
        if field["type"] == "text" and regex and customfields.regex_problem(regex):
            bad_pattern = True
        if field["key"] in seen:
            errors[f"custom_fields.{index}.key"] = ["Keys must be different from each other."]
        seen.add(field["key"])
    if errors:
        error_cls = InvalidRegexError if bad_pattern else InvalidCustomFieldError
        raise error_cls("Some custom fields are not valid; see errors.", errors=errors)


def tournament_config(tournament: Tournament) -> dict[str, Any]:
    """A tournament's configuration in the template (API) shape, custom fields included."""
    config: dict[str, Any] = {"game": tournament.game.slug}
    for key in TOURNAMENT_KEYS:
        config[key] = _json_value(getattr(tournament, key))
    config["custom_fields"] = [
        {
            "key": f.key,
            "label": f.label,
            "type": f.type.value,
            "required": f.required,
            "min": customfields.bound_to_json(f.min),
            "max": customfields.bound_to_json(f.max),
            "regex": f.regex,
            "choices": list(f.choices) if f.choices is not None else None,
            "order": f.order,
        }
        for f in queries.live_custom_fields(tournament.id)
    ]
    return config


def _require_user(actor: Actor | None) -> None:
    if actor is None:
        raise AuthenticationError("Sign in to do this.")


def create_template(
    *,
    actor: UserActor,
    name: str,
    is_public: bool = False,
    config: Mapping[str, Any] | None = None,
    from_tournament: int | None = None,
) -> TournamentTemplate:
    """Save a configuration (typed, as `TemplateConfigArgs` loads it) or copy a tournament's
    (its organizers and staff only: TournamentNotFoundError / PermissionDeniedError)."""
    _require_user(actor)
    if from_tournament is not None:
        tournament = queries.get_visible_tournament(from_tournament, actor)
        if not policies.can_manage(actor, tournament):
            raise PermissionDeniedError(
                "Only the tournament's organizers may save it as a template."
            )
        stored = tournament_config(tournament)
    else:
        typed = dict(config or {})
        stored = _config_to_json(typed, _check_template_config(typed))
    template = TournamentTemplate(
        name=name.strip(), owner_id=actor.id, is_public=is_public, config=stored
    )
    db.session.add(template)
    db.session.flush()
    return template


def _editable_template(template_id: int, actor: Actor | None) -> TournamentTemplate:
    template = queries.get_template(template_id, actor)
    if not policies.can_edit_template(actor, template):
        raise PermissionDeniedError("Only the template's owner and staff may change it.")
    return template


def update_template(
    template_id: int,
    *,
    actor: UserActor,
    changes: Mapping[str, Any],
) -> TournamentTemplate:
    """Rename, publish/unpublish or replace the config (owner or staff)."""
    template = _editable_template(template_id, actor)
    # Check first, then assign: a query in between would autoflush a second version bump.
    if "config" in changes:
        typed = dict(changes["config"])
        config = _config_to_json(typed, _check_template_config(typed))
    if "name" in changes:
        template.name = changes["name"].strip()
    if "is_public" in changes:
        template.is_public = changes["is_public"]
    if "config" in changes:
        template.config = config
    db.session.flush()
    if actor.id != template.owner_id:
        audit.record(
            actor=actor,
            action="tournament_template.updated",
            target=template,
            after={"fields": sorted(changes)},
        )
    return template


def delete_template(template_id: int, *, actor: UserActor) -> None:
    """Soft-delete (owner or staff); tournaments made from it keep their configuration."""
    template = _editable_template(template_id, actor)
    template.soft_delete()
    db.session.flush()
    if actor.id != template.owner_id:
        audit.record(actor=actor, action="tournament_template.deleted", target=template)


def apply_template(
    template_id: int, *, actor: UserActor, overrides: Mapping[str, Any]
) -> Tournament:
    """Create a draft from a template the actor may use; `overrides` (typed, with at least a
    name and start_at) replace the template's values. Custom fields are created too."""
    _require_user(actor)
    template = queries.get_template(template_id, actor)
    typed = _load_config(template.config)
    fields = typed.pop("custom_fields", [])
    data = {**typed, **overrides}
    if "game" not in data:
        raise InvalidTemplateError(
            "This template names no game: give one.", errors={"game": ["Required."]}
        )
    tournament = create_tournament(actor=actor, data=data, now=utcnow())
    tournament.template_id = template.id
    for field in fields:
        create_custom_field(tournament.id, actor=actor, data=field)
    db.session.flush()
    return tournament

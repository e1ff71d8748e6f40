"""Custom registration fields: create, change, soft-delete (organizers and staff).

Once a tournament has registrations (`queries.has_registrations`), a field's type is locked
(FieldTypeLockedError) and no field may become required (RegistrationsExistError): earlier
answers would no longer fit. Changing a field's type drops the constraints the change does not
restate (a length bound means nothing for a date).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.core.actors import Actor
from deltacrown.extensions import db
from deltacrown.tournaments import customfields, queries
from deltacrown.tournaments.errors import (
    FieldKeyTakenError,
    FieldTypeLockedError,
    InvalidCustomFieldError,
    InvalidRegexError,
    RegistrationsExistError,
)
from deltacrown.tournaments.models import CustomField, FieldType
from deltacrown.tournaments.services.common import ensure_not_finished, managed_tournament

CONSTRAINTS = ("min", "max", "regex", "choices")


def _check_definition(field_type: str, values: Mapping[str, Any]) -> None:
    errors = customfields.definition_errors(
        field_type=field_type,
        min_value=values.get("min"),
        max_value=values.get("max"),
        regex=values.get("regex"),
        choices=values.get("choices"),
    )
    if errors:
        regex = values.get("regex")
        if field_type == "text" and regex and customfields.regex_problem(regex):
            raise InvalidRegexError("The pattern cannot be used; see errors.", errors=errors)
        raise InvalidCustomFieldError(
            "The field definition is not valid; see errors.", errors=errors
        )


def _store_constraints(field: CustomField, values: Mapping[str, Any]) -> None:
    kind = field.type.value
    field.min_value = customfields.bound_to_text(customfields.parse_bound(kind, values.get("min")))
    field.max_value = customfields.bound_to_text(customfields.parse_bound(kind, values.get("max")))
    field.regex = values.get("regex")
    choices = values.get("choices")
    field.choices = list(choices) if choices is not None else None


def _flush_or_key_taken(field: CustomField) -> None:
    """The partial unique index settles concurrent twins: the loser gets field_key_taken."""
    try:
        with db.session.begin_nested():
            db.session.add(field)
            db.session.flush()
    except IntegrityError as exc:
        raise FieldKeyTakenError(
            f"Another field of this tournament already uses the key {field.key!r}."
        ) from exc


def create_custom_field(
    tournament_id: int, *, actor: Actor | None, data: Mapping[str, Any]
) -> CustomField:
    """Add a field. Raises TournamentNotFoundError, PermissionDeniedError,
    TournamentLockedError, InvalidCustomFieldError, InvalidRegexError, FieldKeyTakenError, RegistrationsExistError."""
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    ensure_not_finished(tournament)
    field_type = data["type"]
    _check_definition(field_type, data)
    if queries.custom_field_key_taken(tournament.id, data["key"]):
        raise FieldKeyTakenError(f"Another field of this tournament already uses {data['key']!r}.")
    required = bool(data.get("required", False))
    if required and queries.has_registrations(tournament.id):
        raise RegistrationsExistError("Players have registered: a new field cannot be required.")
    order = data.get("order")
    if order is None:
        last = db.session.scalar(
            sa.select(sa.func.max(CustomField.order)).where(
                CustomField.tournament_id == tournament.id, CustomField.deleted_at.is_(None)
            )
        )
        order = 0 if last is None else last + 1
    field = CustomField(
        tournament_id=tournament.id,
        key=data["key"],
        label=data["label"].strip(),
        type=FieldType(field_type),
        required=required,
        order=order,
    )
    _store_constraints(field, data)
    _flush_or_key_taken(field)
    return field


def update_custom_field(
    tournament_id: int, field_id: int, *, actor: Actor | None, changes: Mapping[str, Any]
) -> CustomField:
    """Change a field's label, type, constraints or order (the key is permanent).

    Raises CustomFieldNotFoundError, InvalidCustomFieldError, InvalidRegexError, FieldTypeLockedError,
    RegistrationsExistError, and what `create_custom_field` raises for the tournament.
    """
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    ensure_not_finished(tournament)
    field = queries.get_custom_field(tournament.id, field_id)
    new_type = changes.get("type", field.type.value)
    type_changed = new_type != field.type.value
    registered = queries.has_registrations(tournament.id)
    if type_changed and registered:
        raise FieldTypeLockedError(
            "Players have registered: the field's type can no longer change."
        )
    if changes.get("required") and not field.required and registered:
        raise RegistrationsExistError("Players have registered: the field cannot become required.")
    current = {
        "min": customfields.bound_to_json(field.min),
        "max": customfields.bound_to_json(field.max),
        "regex": field.regex,
        "choices": field.choices,
    }
    if type_changed:
        current = dict.fromkeys(CONSTRAINTS)
    values = {**current, **{k: v for k, v in changes.items() if k in CONSTRAINTS}}
    _check_definition(new_type, values)
    if "label" in changes:
        field.label = changes["label"].strip()
    if "required" in changes:
        field.required = changes["required"]
    if "order" in changes:
        field.order = changes["order"]
    field.type = FieldType(new_type)
    _store_constraints(field, values)
    db.session.flush()
    return field


def delete_custom_field(tournament_id: int, field_id: int, *, actor: Actor | None) -> None:
    """Soft-delete a field; its key becomes free again."""
    tournament = managed_tournament(tournament_id, actor, for_update=True)
    ensure_not_finished(tournament)
    field = queries.get_custom_field(tournament.id, field_id)
    field.soft_delete()
    db.session.flush()

"""Smaller answers: `?fields=` sparse fieldsets on any response and `?view=compact` on the
lists that name their compact fields (ids, names, state, dates and counts), for phones on
slow networks. `core.api.Blueprint` calls these when it dumps a response."""

from __future__ import annotations

from typing import Any

from flask import request

from deltacrown.core.errors import ValidationError

VIEWS = ("full", "compact")
FIELDS_PARAMETER = {
    "in": "query",
    "name": "fields",
    "required": False,
    "schema": {"type": "string"},
    "description": "Comma-separated field names to keep in the response (sparse fieldset).",
}


def view_parameter(compact: tuple[str, ...]) -> dict[str, Any]:
    """The OpenAPI `view` query parameter of a list with these compact fields."""
    return {
        "in": "query",
        "name": "view",
        "required": False,
        "schema": {"type": "string", "enum": list(VIEWS), "default": "full"},
        "description": "`compact`: only "
        + ", ".join(f"`{name}`" for name in compact)
        + " of each item (smaller answers for phones); combines with `fields`.",
    }


def kept_fields(schema: Any, compact: tuple[str, ...] | None) -> set[str] | None:
    """The field names this request keeps (None: all), from `?view=` and `?fields=`;
    422 `validation_error` for an unknown view or field name."""
    keep: set[str] | None = None
    view = request.args.get("view")
    if view is not None and compact is not None:
        if view not in VIEWS:
            raise ValidationError(
                "Unknown ?view=.", errors={"view": [f"Must be one of: {', '.join(VIEWS)}."]}
            )
        if view == "compact":
            keep = set(compact)
    raw = request.args.get("fields")
    if raw is None or schema is None:
        return keep
    wanted = [name.strip() for name in raw.split(",") if name.strip()]
    allowed = {f.data_key or name for name, f in schema.fields.items() if not f.load_only}
    unknown = sorted(set(wanted) - allowed)
    if not wanted or unknown:
        raise ValidationError(
            "Unknown field names in ?fields=." if unknown else "?fields= names no field.",
            errors={"fields": [f"Unknown field: {name}" for name in unknown] or ["Empty."]},
        )
    return set(wanted) if keep is None else keep & set(wanted)


def trim(data: Any, keep: set[str]) -> Any:
    """Keep only `keep` of each item (a list) or of the object."""

    def one(item: Any) -> Any:
        return {k: v for k, v in item.items() if k in keep} if isinstance(item, dict) else item

    return [one(item) for item in data] if isinstance(data, list) else one(data)

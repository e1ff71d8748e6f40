"""Tournament representations: `*Schema` out, `*Args` in (shape only; rules live in services).

`TournamentConfigArgs` is the configuration a template can hold; create, update and
from-template bodies extend it with a name and dates. Template configs are stored in the same
API shape and loaded back through `TemplateConfigArgs`.
"""

from __future__ import annotations

import functools
from typing import Any
from zoneinfo import available_timezones

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.core.i18n import Label
from deltacrown.core.inputs import IdOrSlug
from deltacrown.tournaments import queries
from deltacrown.tournaments.customfields import FIELD_TYPES, KEY_RE, bound_to_json
from deltacrown.tournaments.models import (
    FORMAT_LABELS,
    STATUS_LABELS,
    FieldType,
    ParticipantType,
    PaymentMethod,
    PrizeFunding,
    TournamentFormat,
    TournamentStatus,
    TournamentTier,
    Visibility,
)
from deltacrown.tournaments.rules import (
    MAX_PARTICIPANTS,
    SHARE_KINDS,
    Money,
    format_decimal,
    parse_decimal,
    parse_money,
)

# ----- custom fields (marshmallow) -----------------------------------------------------------
MONEY_DOC: dict[str, Any] = {
    "description": 'Cash {"amount": "100.00", "currency": "BDT"}, DeltaCoins {"coins": 50}, or null',
    "oneOf": [
        {
            "type": "object",
            "properties": {
                "amount": {"type": "string", "example": "100.00"},
                "currency": {"type": "string", "example": "BDT"},
            },
            "required": ["amount", "currency"],
        },
        {"type": "object", "properties": {"coins": {"type": "integer"}}, "required": ["coins"]},
    ],
}


class MoneyField(ma.fields.Field):
    """`{"amount": "100.00", "currency": "BDT"}`, `{"coins": 50}` or null."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", MONEY_DOC)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Money | None:
        try:
            return parse_money(value)
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return value.to_json() if value is not None else None


class DecimalString(ma.fields.Field):
    """A decimal with at most 2 places, as a string ("50.00"); integers are accepted."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "pattern": r"^\d{1,10}(\.\d{1,2})?$", "example": "50.00"}
        kwargs["metadata"] = {**metadata, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_decimal(value, field=attr or "value")
        except ValueError as exc:
            raise ma.ValidationError(str(exc)) from exc

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        return format_decimal(value)


class HttpUrl(ma.fields.Url):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("validate", ma.validate.Length(max=2000))
        super().__init__(schemes={"http", "https"}, **kwargs)


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _known_timezone(value: str) -> None:
    """One of the IANA names this system knows, looked up in their list (never used as a path:
    an over-long or `..` name is refused like any unknown one)."""
    if value not in _zone_names():
        raise ma.ValidationError("Not an IANA time zone name such as Asia/Dhaka.")


# ----- prize shares --------------------------------------------------------------------------
class PrizeShareArgs(BaseSchema):
    placement = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=4096))
    percent = DecimalString(metadata={"description": 'Percent of the pool, e.g. "50.00"'})
    amount = DecimalString(metadata={"description": "A fixed cash amount (cash pools)"})
    coins = ma.fields.Integer(
        validate=ma.validate.Range(min=1), metadata={"description": "DeltaCoins (coin pools)"}
    )

    @ma.validates_schema
    def _one_kind(self, data: dict[str, Any], **kwargs: Any) -> None:
        if sum(k in data for k in SHARE_KINDS) != 1:
            raise ma.ValidationError("Give exactly one of percent, amount or coins.")


# ----- custom fields (API) -------------------------------------------------------------------
class CustomFieldSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    key = ma.fields.String()
    label = ma.fields.String()
    type = ma.fields.Enum(FieldType, by_value=True)
    required = ma.fields.Boolean()
    min = ma.fields.Function(
        lambda f: bound_to_json(f.min), metadata={"description": "Length, number or date"}
    )
    max = ma.fields.Function(
        lambda f: bound_to_json(f.max), metadata={"description": "Length, number or date"}
    )
    regex = ma.fields.String(allow_none=True)
    choices = ma.fields.List(ma.fields.String(), allow_none=True)
    order = ma.fields.Integer()
    created_at = ma.fields.AwareDateTime(format="iso")
    updated_at = ma.fields.AwareDateTime(format="iso")


BOUND_DOC = {
    "description": "text: a length; number: a value; date: YYYY-MM-DD",
    "oneOf": [{"type": "number"}, {"type": "string", "format": "date"}],
    "nullable": True,
}


class _FieldDefinitionArgs(BaseSchema):
    label = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    type = ma.fields.String(validate=ma.validate.OneOf(FIELD_TYPES))
    required = ma.fields.Boolean()
    min = ma.fields.Raw(allow_none=True, metadata=BOUND_DOC)
    max = ma.fields.Raw(allow_none=True, metadata=BOUND_DOC)
    regex = ma.fields.String(allow_none=True, metadata={"description": "text only; full match"})
    choices = ma.fields.List(
        ma.fields.String(), allow_none=True, metadata={"description": "dropdown only"}
    )
    order = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10_000))


class CustomFieldCreateArgs(_FieldDefinitionArgs):
    key = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            KEY_RE, error="Lower-case letters, digits and _, from a letter."
        ),
        metadata={"description": "The answer's key, e.g. discord_handle; unique per tournament"},
    )
    label = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(FIELD_TYPES))


class CustomFieldUpdateArgs(_FieldDefinitionArgs):
    pass


# ----- tournament configuration (in) ---------------------------------------------------------
class TournamentConfigArgs(BaseSchema):
    """Every configurable field but the name and the dates (a template holds these)."""

    description = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=20_000))
    rules = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=50_000))
    game = IdOrSlug(metadata={"description": "Game id or slug (active games only)"})
    format = ma.fields.Enum(TournamentFormat, by_value=True)
    participant_type = ma.fields.Enum(ParticipantType, by_value=True)
    team_size = ma.fields.Integer(validate=ma.validate.Range(min=1, max=100))
    max_substitutes = ma.fields.Integer(validate=ma.validate.Range(min=0, max=20))
    min_participants = ma.fields.Integer(validate=ma.validate.Range(min=2, max=MAX_PARTICIPANTS))
    max_participants = ma.fields.Integer(validate=ma.validate.Range(min=2, max=MAX_PARTICIPANTS))
    timezone = ma.fields.String(validate=[ma.validate.Length(max=64), _known_timezone])
    region = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=64))
    is_online = ma.fields.Boolean()
    venue = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=300))
    visibility = ma.fields.Enum(Visibility, by_value=True)
    entry_fee = MoneyField(allow_none=True)
    payment_methods = ma.fields.List(ma.fields.Enum(PaymentMethod, by_value=True))
    prize_pool = MoneyField(allow_none=True)
    prize_distribution = ma.fields.List(
        ma.fields.Nested(PrizeShareArgs), validate=ma.validate.Length(max=4096)
    )
    waitlist_enabled = ma.fields.Boolean()
    requires_approval = ma.fields.Boolean()
    payment_deadline_hours = ma.fields.Integer(validate=ma.validate.Range(min=1, max=720))
    result_confirmation_minutes = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1440))
    no_show_grace_minutes = ma.fields.Integer(validate=ma.validate.Range(min=0, max=120))
    auto_start_matches = ma.fields.Boolean(
        metadata={
            "description": "A ready match without a scheduled time goes live as soon as both "
            "sides are known (default true); when false its sides check in (open at once) "
            "and it goes live when both have, or when an organizer starts it. A match with "
            "a scheduled time always waits for its check-in."
        }
    )
    tier = ma.fields.Enum(
        TournamentTier,
        by_value=True,
        metadata={
            "description": "How much a placement counts on the game's leaderboards: premier "
            "(full points), standard (half), community (a quarter, the default)."
        },
    )
    prize_funding = ma.fields.Enum(
        PrizeFunding,
        by_value=True,
        metadata={
            "description": "Who funds a DeltaCoin prize pool: `organizer` (default: the pool "
            "is held from the organizer's wallet when registration opens, 409 "
            "`insufficient_funds` otherwise, and given back if the tournament is cancelled) "
            "or `entry_fees` (the pool is the coin entry fees collected less the platform "
            "fee, so the advertised pool is an upper bound)."
        },
    )
    prize_to_captain = ma.fields.Boolean(
        metadata={
            "description": "Team prizes go to the captain alone (default false: split evenly "
            "across the roster, the remainder to the captain)."
        }
    )
    points_table = ma.fields.Dict(
        allow_none=True,
        metadata={"description": 'Battle royale: {"placement": {"1": 15, ...}, "kill": 1}'},
    )
    settings = ma.fields.Dict(metadata={"description": "Validated by the game's config schema"})
    banner_url = HttpUrl(allow_none=True)
    stream_url = HttpUrl(allow_none=True)


def _aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)


class TournamentUpdateArgs(TournamentConfigArgs):
    name = ma.fields.String(validate=ma.validate.Length(min=3, max=200))
    registration_opens_at = _aware(allow_none=True)
    registration_closes_at = _aware(allow_none=True)
    checkin_opens_at = _aware(allow_none=True)
    checkin_closes_at = _aware(allow_none=True)
    start_at = _aware()


class TournamentCreateArgs(TournamentUpdateArgs):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=200))
    game = IdOrSlug(required=True, metadata={"description": "Game id or slug (active games only)"})
    format = ma.fields.Enum(TournamentFormat, by_value=True, required=True)
    max_participants = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=2, max=MAX_PARTICIPANTS)
    )
    start_at = _aware(required=True)


class TemplateConfigArgs(TournamentConfigArgs):
    """A template's `config`: the tournament configuration plus its custom fields."""

    custom_fields = ma.fields.List(
        ma.fields.Nested(CustomFieldCreateArgs), validate=ma.validate.Length(max=50)
    )


class FromTemplateArgs(TournamentUpdateArgs):
    """`{template, name, start_at, ...overrides}`: overrides replace the template's values."""

    template = ma.fields.Integer(required=True, metadata={"description": "Template id"})
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=200))
    start_at = _aware(required=True)


# ----- other inputs --------------------------------------------------------------------------
class TournamentViewArgs(BaseSchema):
    invite_code = ma.fields.String(
        validate=ma.validate.Length(max=32),
        metadata={"description": "Lets a non-organizer see a private tournament"},
    )


class CancelArgs(BaseSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class OrganizerAddArgs(BaseSchema):
    user = ma.fields.Integer(required=True, metadata={"description": "User id"})


class TemplateCreateArgs(BaseSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    is_public = ma.fields.Boolean(load_default=False)
    config = ma.fields.Nested(TemplateConfigArgs)
    from_tournament = ma.fields.Integer(metadata={"description": "Copy this tournament's config"})

    @ma.validates_schema
    def _one_source(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("config" in data) == ("from_tournament" in data):
            raise ma.ValidationError("Give exactly one of config or from_tournament.")


class TemplateUpdateArgs(BaseSchema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    is_public = ma.fields.Boolean()
    config = ma.fields.Nested(TemplateConfigArgs)


class TemplateQueryArgs(BaseSchema):
    game = ma.fields.String(metadata={"description": "Game slug"})
    mine = ma.fields.Boolean(load_default=False, metadata={"description": "Only my templates"})


# ----- outputs -------------------------------------------------------------------------------
class UserRefSchema(BaseSchema):
    id = ma.fields.Integer()
    username = ma.fields.String()


class GameRefSchema(BaseSchema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    name = ma.fields.String()


class PlacedSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    name = ma.fields.String(
        allow_none=True, metadata={"description": "The player's display name or the team's name"}
    )


class ResultsSchema(BaseSchema):
    """The podium of a completed tournament. Each place is a list: tied participants share a
    place (two third places when the bracket plays no third-place match)."""

    champion = ma.fields.List(ma.fields.Nested(PlacedSchema))
    runner_up = ma.fields.List(ma.fields.Nested(PlacedSchema))
    third = ma.fields.List(ma.fields.Nested(PlacedSchema))


class TournamentSchema(BaseSchema):
    compiled_dump = True  # a hot read (core.dumpers)

    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String()
    name = ma.fields.String()
    status = ma.fields.Enum(TournamentStatus, by_value=True)
    status_label = Label(STATUS_LABELS, attribute="status")
    description = ma.fields.String(allow_none=True)
    rules = ma.fields.String(allow_none=True)
    game = ma.fields.Nested(GameRefSchema)
    format = ma.fields.Enum(TournamentFormat, by_value=True)
    format_label = Label(FORMAT_LABELS, attribute="format")
    participant_type = ma.fields.Enum(ParticipantType, by_value=True)
    team_size = ma.fields.Integer()
    max_substitutes = ma.fields.Integer()
    min_participants = ma.fields.Integer()
    max_participants = ma.fields.Integer()
    registration_opens_at = _aware(allow_none=True)
    registration_closes_at = _aware(allow_none=True)
    checkin_opens_at = _aware(allow_none=True)
    checkin_closes_at = _aware(allow_none=True)
    start_at = _aware()
    timezone = ma.fields.String()
    region = ma.fields.String(allow_none=True)
    is_online = ma.fields.Boolean()
    venue = ma.fields.String(allow_none=True)
    visibility = ma.fields.Enum(Visibility, by_value=True)
    invite_code = ma.fields.Method(
        "dump_invite_code",
        allow_none=True,
        metadata={"description": "Private tournaments; shown to organizers and staff only"},
    )
    entry_fee = MoneyField(allow_none=True)
    payment_methods = ma.fields.List(ma.fields.String())
    prize_pool = MoneyField(allow_none=True)
    prize_distribution = ma.fields.List(ma.fields.Dict())
    waitlist_enabled = ma.fields.Boolean()
    requires_approval = ma.fields.Boolean()
    payment_deadline_hours = ma.fields.Integer()
    result_confirmation_minutes = ma.fields.Integer()
    no_show_grace_minutes = ma.fields.Integer()
    auto_start_matches = ma.fields.Boolean()
    tier = ma.fields.Enum(TournamentTier, by_value=True)
    frozen_at = ma.fields.DateTime(
        allow_none=True,
        metadata={"description": "Set while staff have the tournament frozen: participants "
                  "cannot register, withdraw, check in or act in matches."},
    )  # fmt: skip
    prize_to_captain = ma.fields.Boolean()
    prize_funding = ma.fields.Enum(PrizeFunding, by_value=True)
    points_table = ma.fields.Dict(allow_none=True)
    settings = ma.fields.Dict()
    settings_schema_version = ma.fields.Integer()
    banner_url = ma.fields.String(allow_none=True)
    stream_url = ma.fields.String(allow_none=True)
    organizer = ma.fields.Nested(UserRefSchema)
    co_organizers = ma.fields.List(ma.fields.Nested(UserRefSchema))
    template_id = ma.fields.Integer(allow_none=True)
    published_at = _aware(allow_none=True)
    cancelled_at = _aware(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)
    created_at = _aware()
    updated_at = _aware()
    version = ma.fields.Integer()

    def dump_invite_code(self, tournament: Any) -> str | None:
        return tournament.invite_code if tournament.viewer_can_manage else None


class TournamentDetailSchema(TournamentSchema):
    """One tournament, with its podium once completed."""

    results = ma.fields.Method(
        "dump_results",
        allow_none=True,
        metadata={"description": "The podium once the tournament is completed; null before"},
    )

    def dump_results(self, tournament: Any) -> dict[str, Any] | None:
        if tournament.status != TournamentStatus.COMPLETED:
            return None
        return ResultsSchema().dump(queries.podium(tournament.id))


class TemplateSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    is_public = ma.fields.Boolean()
    owner = ma.fields.Nested(UserRefSchema)
    config = ma.fields.Dict()
    created_at = _aware()
    updated_at = _aware()
    version = ma.fields.Integer()


# What `?view=compact` keeps of each item of a list.
TOURNAMENT_COMPACT = (
    "id",
    "slug",
    "name",
    "status",
    "status_label",
    "game",
    "format",
    "format_label",
    "participant_type",
    "max_participants",
    "registration_opens_at",
    "registration_closes_at",
    "start_at",
    "published_at",
    "updated_at",
)

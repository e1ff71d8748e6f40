"""Participants without accounts over REST: add, list, import from CSV, invite to claim."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView
from flask_smorest.fields import Upload

from deltacrown.core.api import BaseSchema, Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.http import accepts_multipart
from deltacrown.registrations import offline
from deltacrown.registrations.errors import (
    AlreadyRegisteredError,
    NotTeamCaptainError,
    RegistrationNotFoundError,
    TournamentFullError,
    TournamentNotFoundError,
    TournamentStartedError,
)

blp = Blueprint(
    "offline_participants",
    __name__,
    url_prefix="/api",
    description="Participants without accounts: organizers add them (one by one or from CSV); "
    "they play in brackets like any registration, and an invite link lets a person take "
    "over the place with their own account.",
)


class GuestParticipantArgs(BaseSchema):
    name = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "Display name (in team events: the contact person)"},
    )
    team = ma.fields.String(
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "Team name; required in team events, shown in the bracket"},
    )
    seed = ma.fields.Integer(validate=ma.validate.Range(min=1, max=1024))
    email = ma.fields.Email(validate=ma.validate.Length(max=254))
    key = ma.fields.String(
        validate=ma.validate.Length(min=1, max=64),
        metadata={"description": "Your own id for this participant; adding it twice is refused"},
    )


class GuestParticipantSchema(BaseSchema):
    id = ma.fields.Integer(metadata={"description": "Registration id (used in the bracket)"})
    name = ma.fields.String(attribute="guest_name")
    team = ma.fields.String(attribute="guest_team", allow_none=True)
    seed = ma.fields.Integer(attribute="guest_seed", allow_none=True)
    email = ma.fields.String(attribute="guest_email", allow_none=True)
    key = ma.fields.String(attribute="guest_key", allow_none=True)
    status = ma.fields.Function(lambda r: r.status.value)
    claimed = ma.fields.Function(lambda r: r.user_id is not None or r.team_id is not None)
    user_id = ma.fields.Integer(allow_none=True)
    team_id = ma.fields.Integer(allow_none=True)


class GuestImportArgs(BaseSchema):
    commit = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "false (default): preview only; true: add the new rows"},
    )


class GuestImportFileArgs(BaseSchema):
    file = Upload(
        required=True,
        metadata={"description": "CSV (UTF-8) with the header name,team,seed,email and "
                  "optionally key; at most 1,024 rows"},
    )  # fmt: skip


class GuestImportRowSchema(BaseSchema):
    line = ma.fields.Integer(metadata={"description": "Line in the file (the header is 1)"})
    key = ma.fields.String(metadata={"description": "The row's `key`, or a hash of the row"})
    status = ma.fields.String(metadata={"description": "`new`, `exists` (skipped) or `error`"})
    errors = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()))
    registration_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String(allow_none=True)
    team = ma.fields.String(allow_none=True)
    seed = ma.fields.Raw(allow_none=True)
    email = ma.fields.String(allow_none=True)


class GuestImportSchema(BaseSchema):
    committed = ma.fields.Boolean()
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    rows = ma.fields.List(ma.fields.Nested(GuestImportRowSchema))


class GuestInviteSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    token = ma.fields.String(metadata={"description": "Give it to `POST /api/participants/claim/`"})
    claim_url = ma.fields.String()
    expires_at = ma.fields.AwareDateTime(format="iso")


class GuestClaimArgs(BaseSchema):
    token = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))
    team_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Team events: the team you captain that takes the place"},
    )


ORGANIZER_ERRORS = (TournamentNotFoundError, PermissionDeniedError)


@blp.route("/tournaments/<int:tournament_id>/participants/")
class GuestParticipants(MethodView):
    @login_required
    @blp.response(200, GuestParticipantSchema(many=True))
    @blp.errors(*ORGANIZER_ERRORS)
    def get(self, tournament_id: int) -> Any:
        """The tournament's participants without accounts (organizers), by seed."""
        return offline.list_participants(tournament_id, actor=require_user())

    @login_required
    @blp.arguments(GuestParticipantArgs)
    @blp.response(201, GuestParticipantSchema)
    @blp.errors(
        *ORGANIZER_ERRORS,
        TournamentStartedError,
        TournamentFullError,
        AlreadyRegisteredError,
        ValidationError,
    )
    def post(self, args: dict[str, Any], tournament_id: int) -> Any:
        """Add a participant without an account (organizers): confirmed and checked in, it
        takes a place and plays in the bracket; organizers report its results. The team name
        is required in team events."""
        return offline.add_participant(tournament_id, actor=require_user(), data=args)


@blp.route("/tournaments/<int:tournament_id>/participants/import/")
@accepts_multipart
class GuestParticipantsImport(MethodView):
    @login_required
    @blp.arguments(GuestImportArgs, location="query")
    @blp.arguments(GuestImportFileArgs, location="files")
    @blp.response(200, GuestImportSchema)
    @blp.errors(
        *ORGANIZER_ERRORS,
        TournamentStartedError,
        TournamentFullError,
        offline.InvalidImportError,
        413,
    )
    def post(self, args: dict[str, Any], files: dict[str, Any], tournament_id: int) -> Any:
        """Import participants without accounts from a CSV file (organizers): `name,team,
        seed,email` columns, optionally `key` (your row id; without it a hash of the row
        identifies it), at most 1,024 rows. By default a preview: each row is `new`, `exists`
        (imported before, skipped) or `error` with its errors. With `?commit=true` the new rows
        are added, provided no row has errors (else 422 `invalid_import`) and they fit;
        importing the same file again adds nobody twice."""
        data = files["file"].read()
        return offline.import_csv(
            tournament_id, actor=require_user(), data=data, commit=args["commit"]
        )


@blp.route("/tournaments/<int:tournament_id>/participants/<int:registration_id>/invite/")
class GuestParticipantInvite(MethodView):
    @login_required
    @blp.response(201, GuestInviteSchema)
    @blp.errors(*ORGANIZER_ERRORS, RegistrationNotFoundError, offline.AlreadyClaimedError)
    def post(self, tournament_id: int, registration_id: int) -> Any:
        """A claim link for a participant without an account (organizers), valid 30 days:
        whoever signs in and sends its token to `POST /api/participants/claim/` takes the
        place."""
        return offline.invite(tournament_id, registration_id, actor=require_user())


@blp.route("/participants/claim/")
class GuestParticipantClaim(MethodView):
    @login_required
    @blp.arguments(GuestClaimArgs)
    @blp.response(200, GuestParticipantSchema)
    @blp.errors(
        offline.InvalidClaimTokenError,
        offline.AlreadyClaimedError,
        AlreadyRegisteredError,
        NotTeamCaptainError,
        ValidationError,
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Claim a place held for you without an account (the token from an organizer's
        invite): in solo events you become its player; in team events the team you captain
        (`team_id`) takes it. Its matches and results stay as they are."""
        return offline.claim(args["token"], actor=require_user(), team_id=args.get("team_id"))

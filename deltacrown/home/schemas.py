"""My summary's schemas (component names start with `Summary`: unique across the app)."""

from __future__ import annotations

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.economy.schemas import WalletSchema
from deltacrown.matches.models import MatchStatus
from deltacrown.registrations.models import RegistrationStatus
from deltacrown.tournaments.models import TournamentStatus


class SummaryMatchSchema(BaseSchema):
    id = ma.fields.Integer()
    status = ma.fields.Enum(MatchStatus, by_value=True)
    scheduled_at = ma.fields.DateTime(allow_none=True)
    tournament_id = ma.fields.Integer()
    tournament_name = ma.fields.String()


class SummaryInviteSchema(BaseSchema):
    id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    team_name = ma.fields.String()
    expires_at = ma.fields.DateTime()


class SummaryRegistrationSchema(BaseSchema):
    id = ma.fields.Integer()
    status = ma.fields.Enum(RegistrationStatus, by_value=True)
    tournament_id = ma.fields.Integer()
    tournament_name = ma.fields.String()
    tournament_status = ma.fields.Enum(TournamentStatus, by_value=True)
    tournament_start_at = ma.fields.DateTime()


class SummarySchema(BaseSchema):
    next_match = ma.fields.Nested(
        SummaryMatchSchema,
        allow_none=True,
        metadata={"description": "My next match: live first, then ready, then scheduled"},
    )
    unread_notifications = ma.fields.Integer()
    open_invites = ma.fields.List(
        ma.fields.Nested(SummaryInviteSchema),
        metadata={"description": "Pending, unexpired team invites to me (newest 20)"},
    )
    active_registrations = ma.fields.List(
        ma.fields.Nested(SummaryRegistrationSchema),
        metadata={
            "description": "Pending, confirmed and waitlisted registrations in tournaments "
            "not over yet (soonest 20)"
        },
    )
    wallet = ma.fields.Nested(WalletSchema)

"""The tournaments domain's models (one module per aggregate)."""

from deltacrown.tournaments.models.custom_field import CustomField, FieldType
from deltacrown.tournaments.models.slug import TournamentSlug
from deltacrown.tournaments.models.staff import MatchdaySettings, StaffRole, TournamentStaff
from deltacrown.tournaments.models.template import TournamentTemplate
from deltacrown.tournaments.models.tournament import (
    FINISHED,
    FORMAT_LABELS,
    PRIZE_SORT_KEY,
    STATUS_LABELS,
    TRANSITIONS,
    ParticipantType,
    PaymentMethod,
    PrizeFunding,
    Tournament,
    TournamentFormat,
    TournamentOrganizer,
    TournamentStatus,
    TournamentTier,
    Visibility,
)

__all__ = [
    "FINISHED",
    "FORMAT_LABELS",
    "PRIZE_SORT_KEY",
    "STATUS_LABELS",
    "TRANSITIONS",
    "CustomField",
    "FieldType",
    "MatchdaySettings",
    "ParticipantType",
    "PaymentMethod",
    "PrizeFunding",
    "Tournament",
    "TournamentFormat",
    "TournamentOrganizer",
    "StaffRole",
    "TournamentSlug",
    "TournamentStaff",
    "TournamentStatus",
    "TournamentTemplate",
    "TournamentTier",
    "Visibility",
]

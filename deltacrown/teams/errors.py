"""Teams' domain errors (each a stable problem `code`)."""

from deltacrown.core.errors import ConflictError, NotFoundError, ValidationError


class TeamNotFoundError(NotFoundError):
    code, title = "team_not_found", "Team not found"


class MemberNotFoundError(NotFoundError):
    code, title = "member_not_found", "Member not found"


class InviteNotFoundError(NotFoundError):
    code, title = "invite_not_found", "Invite not found"


class TeamNameTakenError(ConflictError):
    code, title = "team_name_taken", "Team name already taken"


class TeamTagTakenError(ConflictError):
    code, title = "team_tag_taken", "Team tag already taken"


class TeamDisbandedError(ConflictError):
    code, title = "team_disbanded", "Team disbanded"


class AlreadyInTeamError(ConflictError):
    code, title = "already_in_team", "Already in a team for this game"


class AlreadyMemberError(ConflictError):
    code, title = "already_member", "Already a member"


class AlreadyInvitedError(ConflictError):
    code, title = "already_invited", "Already invited"


class RosterFullError(ConflictError):
    code, title = "roster_full", "Roster full"


class RosterLockedError(ConflictError):
    code, title = "roster_locked", "Roster locked"


class TeamRegisteredError(ConflictError):
    code, title = "team_registered", "Team holds an active registration"


class CaptainMustTransferError(ConflictError):
    code, title = "captain_must_transfer", "The captain must transfer captaincy first"


class NotAMemberError(ConflictError):
    code, title = "not_a_member", "Not an active member of the team"


class AlreadyCaptainError(ConflictError):
    code, title = "already_captain", "Already the captain"


class InviteExpiredError(ConflictError):
    code, title = "invite_expired", "Invite expired"


class GameProfileRequiredError(ValidationError):
    code, title = "game_profile_required", "Game profile required"

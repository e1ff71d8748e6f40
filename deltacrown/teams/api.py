"""Teams API: teams and rosters, invitations and the invitee's inbox, captaincy."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts.errors import UserNotFoundError
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.errors import InvalidTransitionError, PermissionDeniedError
from deltacrown.core.pagination import paginate_select
from deltacrown.core.scopes import TokenScopes
from deltacrown.core.time import utcnow
from deltacrown.games.errors import GameNotFoundError
from deltacrown.moderation.errors import SanctionedError
from deltacrown.teams import invites, policies, queries, services
from deltacrown.teams.errors import (
    AlreadyCaptainError,
    AlreadyInTeamError,
    AlreadyInvitedError,
    AlreadyMemberError,
    CaptainMustTransferError,
    GameProfileRequiredError,
    InviteExpiredError,
    InviteNotFoundError,
    MemberNotFoundError,
    NotAMemberError,
    RosterFullError,
    RosterLockedError,
    TeamDisbandedError,
    TeamNameTakenError,
    TeamNotFoundError,
    TeamRegisteredError,
    TeamTagTakenError,
)
from deltacrown.teams.schemas import (
    TEAM_COMPACT,
    InviteCreateArgs,
    InviteSchema,
    TeamCreateArgs,
    TeamDetailSchema,
    TeamQueryArgs,
    TeamSchema,
    TeamUpdateArgs,
    TransferCaptainArgs,
)

blp = Blueprint(
    "teams",
    __name__,
    url_prefix="/api",
    description="Teams, rosters and invitations.",
    token_scopes=TokenScopes("teams:read", "teams:write"),
)


@blp.route("/teams/")
class TeamCollection(MethodView):
    @blp.arguments(TeamQueryArgs, location="query")
    @blp.response(200, TeamSchema(many=True), compact=TEAM_COMPACT)
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Active teams by name; filter by `game` (id or slug) and `search` (name or tag)."""
        query = queries.list_teams(game=args.get("game"), search=args.get("search"))
        return paginate_select(query, pagination_parameters)

    @login_required
    @blp.arguments(TeamCreateArgs)
    @blp.response(201, TeamDetailSchema)
    @blp.errors(
        GameNotFoundError,
        GameProfileRequiredError,
        AlreadyInTeamError,
        TeamNameTakenError,
        TeamTagTakenError,
        SanctionedError,
        422,
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Create a team; the caller becomes its captain (needs a game profile for the game)."""
        game_ref = args.pop("game")
        return services.create_team(actor=require_user(), game_ref=game_ref, **args)


@blp.route("/teams/<int:team_id>/")
class TeamItem(MethodView):
    @blp.etag
    @blp.response(200, TeamDetailSchema)
    @blp.errors(TeamNotFoundError)
    def get(self, team_id: int) -> Any:
        """A team with its active members (disbanded teams stay readable)."""
        team = queries.get_team(team_id)
        blp.set_etag(team)
        return team

    @login_required
    @blp.etag
    @blp.arguments(TeamUpdateArgs)
    @blp.response(200, TeamDetailSchema)
    @blp.errors(
        TeamNotFoundError,
        PermissionDeniedError,
        TeamDisbandedError,
        TeamNameTakenError,
        TeamTagTakenError,
        412,
        422,
    )
    def patch(self, args: dict[str, Any], team_id: int) -> Any:
        """Edit name, tag, description, logo URL (with `logo_alt_text`, what it shows) or
        region (captain or staff)."""
        blp.check_etag(queries.get_team(team_id))
        team = services.update_team(team_id, actor=require_user(), changes=args)
        blp.set_etag(team)
        return team


@blp.route("/teams/<int:team_id>/disband/")
class TeamDisband(MethodView):
    @login_required
    @blp.response(200, TeamDetailSchema)
    @blp.errors(TeamNotFoundError, PermissionDeniedError, TeamDisbandedError, TeamRegisteredError)
    def post(self, team_id: int) -> Any:
        """Disband the team: memberships end, pending invites are cancelled (captain or staff)."""
        return services.disband_team(team_id, actor=require_user())


@blp.route("/teams/<int:team_id>/transfer-captain/")
class TeamTransferCaptain(MethodView):
    @login_required
    @blp.arguments(TransferCaptainArgs)
    @blp.response(200, TeamDetailSchema)
    @blp.errors(
        TeamNotFoundError,
        PermissionDeniedError,
        TeamDisbandedError,
        AlreadyCaptainError,
        NotAMemberError,
        422,
    )
    def post(self, args: dict[str, Any], team_id: int) -> Any:
        """Hand captaincy to an active member; the old captain stays as a player."""
        return services.transfer_captain(team_id, actor=require_user(), user_id=args["user"])


@blp.route("/teams/<int:team_id>/members/<int:user_id>/")
class TeamMember(MethodView):
    @login_required
    @blp.response(204)
    @blp.errors(
        TeamNotFoundError,
        PermissionDeniedError,
        TeamDisbandedError,
        MemberNotFoundError,
        CaptainMustTransferError,
        RosterLockedError,
    )
    def delete(self, team_id: int, user_id: int) -> None:
        """Remove a member (captain or staff), or leave (your own user id)."""
        services.remove_member(team_id, actor=require_user(), user_id=user_id)


@blp.route("/teams/<int:team_id>/invites/")
class TeamInviteCollection(MethodView):
    @login_required
    @blp.response(200, InviteSchema(many=True))
    @blp.paginate()
    @blp.errors(TeamNotFoundError, PermissionDeniedError)
    def get(self, pagination_parameters: Any, team_id: int) -> Any:
        """The team's pending invites, newest first (captain or staff)."""
        team = queries.get_team(team_id)
        if not policies.can_manage_team(require_user(), team):
            raise PermissionDeniedError("Only the team's captain (or staff) sees its invites.")
        return paginate_select(queries.list_team_invites(team.id, utcnow()), pagination_parameters)

    @login_required
    @blp.arguments(InviteCreateArgs)
    @blp.response(201, InviteSchema)
    @blp.errors(
        TeamNotFoundError,
        PermissionDeniedError,
        TeamDisbandedError,
        UserNotFoundError,
        AlreadyMemberError,
        AlreadyInvitedError,
        RosterFullError,
        SanctionedError,
        422,
    )
    def post(self, args: dict[str, Any], team_id: int) -> Any:
        """Invite a user (captain or staff); the invite expires after 72 hours."""
        return invites.send_invite(
            team_id, actor=require_user(), user_id=args["user"], role=args["role"]
        )


@blp.route("/me/team-invites/")
class MyTeamInvites(MethodView):
    @login_required
    @blp.response(200, InviteSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """My pending team invites, newest first."""
        query = queries.list_inbox(require_user().id, utcnow())
        return paginate_select(query, pagination_parameters)


@blp.route("/team-invites/<int:invite_id>/")
class TeamInviteItem(MethodView):
    @login_required
    @blp.response(200, InviteSchema)
    @blp.errors(InviteNotFoundError)
    def get(self, invite_id: int) -> Any:
        """An invite (its invitee, the team's captain and staff see it)."""
        invite = queries.get_invite(invite_id)
        if not policies.can_see_invite(require_user(), invite):
            raise InviteNotFoundError(f"No team invite {invite_id}.")
        return invite

    @login_required
    @blp.response(204)
    @blp.errors(
        InviteNotFoundError, PermissionDeniedError, InviteExpiredError, InvalidTransitionError
    )
    def delete(self, invite_id: int) -> None:
        """Cancel a pending invite (the team's captain or staff)."""
        invites.cancel_invite(invite_id, actor=require_user())


@blp.route("/team-invites/<int:invite_id>/accept/")
class TeamInviteAccept(MethodView):
    @login_required
    @blp.response(200, InviteSchema)
    @blp.errors(
        InviteNotFoundError,
        InviteExpiredError,
        InvalidTransitionError,
        TeamDisbandedError,
        RosterLockedError,
        GameProfileRequiredError,
        AlreadyInTeamError,
        RosterFullError,
        SanctionedError,
    )
    def post(self, invite_id: int) -> Any:
        """Accept my invite and join the team (needs a game profile, no other team in the game)."""
        return invites.accept_invite(invite_id, actor=require_user())


@blp.route("/team-invites/<int:invite_id>/decline/")
class TeamInviteDecline(MethodView):
    @login_required
    @blp.response(200, InviteSchema)
    @blp.errors(InviteNotFoundError, InviteExpiredError, InvalidTransitionError)
    def post(self, invite_id: int) -> Any:
        """Decline my invite."""
        return invites.decline_invite(invite_id, actor=require_user())

"""Flask-Admin views for teams: read-only lists with filters; staff actions call the services."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_admin.actions import action

from deltacrown.core import admin_format, admin_pages
from deltacrown.core.admin import ReadOnlyModelView, run_for_each
from deltacrown.extensions import db
from deltacrown.teams import invites, services
from deltacrown.teams.errors import MemberNotFoundError
from deltacrown.teams.models import (
    MembershipStatus,
    Team,
    TeamInvite,
    TeamMembership,
)


class TeamAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "name",
        "tag",
        "game.name",
        "captain.username",
        "is_active",
        "created_at",
    )
    column_labels = {"game.name": "Game", "game.slug": "Game", "captain.username": "Captain"}
    column_searchable_list = ("name_key", "tag", "slug")
    column_filters = ("is_active", "game.slug", "region", "tag", "captain_id")
    column_details_exclude_list = ("name_key",)
    column_default_sort = ("id", True)

    @action("disband", "Disband", "Disband the selected teams? Their memberships end.")
    def action_disband(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda team_id, actor: services.disband_team(team_id, actor=actor),
            "Disbanded {count} team(s).",
        )


class TeamMembershipAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "team.name",
        "user.username",
        "role",
        "status",
        "joined_at",
        "left_at",
    )
    column_searchable_list = ("user.username", "team.name")
    column_labels = {"team.name": "Team", "user.username": "User"}
    column_filters = (
        "team_id",
        "user_id",
        "game_id",
        "role",
        "status",
    )
    column_default_sort = ("id", True)

    @action("remove", "Remove from team", "Remove the selected members from their teams?")
    def action_remove(self, ids: list[str]) -> None:
        def remove(membership_id: int, actor: Any) -> None:
            membership = db.session.get(TeamMembership, membership_id)
            if membership is None or membership.status is not MembershipStatus.ACTIVE:
                # An old row: removing "this user" would remove their current membership.
                raise MemberNotFoundError(f"Membership {membership_id} is not active.")
            services.remove_member(membership.team_id, actor=actor, user_id=membership.user_id)

        run_for_each(ids, remove, "Removed {count} member(s).")


class TeamInviteAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "team.name",
        "user.username",
        "role",
        "status",
        "created_at",
        "expires_at",
    )
    column_searchable_list = ("user.username", "team.name")
    column_labels = {"team.name": "Team", "user.username": "Invitee"}
    column_filters = (
        "team_id",
        "user_id",
        "role",
        "status",
    )
    column_default_sort = ("id", True)

    @action("cancel", "Cancel", "Cancel the selected invites?")
    def action_cancel(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda invite_id, actor: invites.cancel_invite(invite_id, actor=actor),
            "Cancelled {count} invite(s).",
        )


def _teams_section(admin: Any, user: Any) -> admin_pages.Section:
    memberships = db.session.scalars(
        sa.select(TeamMembership)
        .where(TeamMembership.user_id == user.id)
        .order_by(TeamMembership.joined_at.desc())
        .limit(20)
    )
    rows = [
        (
            m.team,
            admin_format.label(m.role),
            admin_format.label(m.status),
            admin_format.when(m.joined_at),
        )
        for m in memberships
    ]
    return admin_pages.Section(
        "Teams",
        ("Team", "Role", "Status", "Joined"),
        rows,
        link=admin_pages.filtered_list_url(admin, "admin_team_memberships", "user_id", user.id),
    )


def register_admin(admin: Any) -> None:
    admin.add_view(TeamAdmin(Team, db, category="Teams", endpoint="admin_teams"))
    admin.add_view(
        TeamMembershipAdmin(
            TeamMembership,
            db,
            category="Teams",
            name="Memberships",
            endpoint="admin_team_memberships",
        )
    )
    admin.add_view(
        TeamInviteAdmin(
            TeamInvite, db, category="Teams", name="Invites", endpoint="admin_team_invites"
        )
    )
    admin_pages.add_user_section(admin, _teams_section)

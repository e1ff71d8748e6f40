"""Team services below the API: policies, races the pre-checks cannot see, and the indexes
that back them."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.models import User
from deltacrown.core.errors import ValidationError
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import after_commit, unit_of_work
from deltacrown.extensions import db
from deltacrown.teams import invites, policies, services, steps
from deltacrown.teams.errors import (
    AlreadyInTeamError,
    RosterFullError,
    TeamDisbandedError,
    TeamNameTakenError,
)
from deltacrown.teams.models import (
    InviteStatus,
    MembershipStatus,
    Team,
    TeamInvite,
    TeamMembership,
    TeamRole,
)


def user(info):
    return db.session.get(User, info.id)


def first_call_skipped(monkeypatch, name):
    """Make the pre-check `steps.<name>` miss once, as a concurrent request's would."""
    real = getattr(steps, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            return None
        return real(*args, **kwargs)

    monkeypatch.setattr(steps, name, wrapper)
    return calls


# ----- policies (pure) -----------------------------------------------------------------------
def test_policies_give_captains_and_staff_the_team_and_invitees_their_invites():
    captain = SimpleNamespace(id=1, is_staff=False)
    staff = SimpleNamespace(id=2, is_staff=True)
    invitee = SimpleNamespace(id=3, is_staff=False)
    stranger = SimpleNamespace(id=4, is_staff=False)
    team = SimpleNamespace(captain_id=1)
    invite = SimpleNamespace(user_id=3, team=team)
    assert [policies.can_manage_team(a, team) for a in (captain, staff, invitee, stranger)] == [
        True,
        True,
        False,
        False,
    ]
    assert [policies.can_see_invite(a, invite) for a in (captain, staff, invitee, stranger)] == [
        True,
        True,
        True,
        False,
    ]
    assert [policies.can_respond_to_invite(a, invite) for a in (captain, staff, invitee)] == [
        False,
        False,
        True,
    ]
    assert [policies.can_cancel_invite(a, invite) for a in (captain, staff, invitee)] == [
        True,
        True,
        False,
    ]
    assert policies.can_end_membership(stranger, team, stranger.id)
    assert not policies.can_end_membership(stranger, team, invitee.id)
    assert policies.can_end_membership(staff, team, invitee.id)


# ----- races the pre-checks miss -------------------------------------------------------------
def test_a_name_taken_between_check_and_insert_is_team_name_taken(
    app_ctx, make_player, monkeypatch
):
    first, second = make_player(), make_player()
    services.create_team(actor=user(first), game_ref="valorant", name="Race Name", tag="RC1")
    calls = first_call_skipped(monkeypatch, "ensure_name_and_tag_free")
    with pytest.raises(TeamNameTakenError):
        services.create_team(actor=user(second), game_ref="valorant", name="race name", tag="RC2")
    assert len(calls) == 2  # the pre-check, then the diagnosis after the unique index fired
    assert db.session.scalar(sa.select(sa.func.count(Team.id))) == 1


def test_joining_two_teams_of_a_game_at_once_is_already_in_team(app_ctx, make_player, monkeypatch):
    a, b, player = make_player(), make_player(), make_player()
    team_a = services.create_team(actor=user(a), game_ref="valorant", name="Team A", tag="TA")
    team_b = services.create_team(actor=user(b), game_ref="valorant", name="Team B", tag="TB")
    invite_a = invites.send_invite(team_a.id, actor=user(a), user_id=player.id)
    invite_b = invites.send_invite(team_b.id, actor=user(b), user_id=player.id)
    invites.accept_invite(invite_a.id, actor=user(player))
    first_call_skipped(monkeypatch, "require_no_team_in_game")
    with pytest.raises(AlreadyInTeamError):
        invites.accept_invite(invite_b.id, actor=user(player))
    memberships = db.session.scalars(
        sa.select(TeamMembership.team_id).where(
            TeamMembership.user_id == player.id, TeamMembership.status == MembershipStatus.ACTIVE
        )
    ).all()
    assert memberships == [team_a.id]


def test_a_slug_taken_meanwhile_is_retried_and_earlier_effects_survive(
    app_ctx, make_player, monkeypatch, received
):
    first, second = make_player(), make_player("cs2")
    services.create_team(actor=user(first), game_ref="valorant", name="Same Slug", tag="SS")
    real_free_slug = steps.free_slug
    proposals = iter(["same-slug"])  # what a racing request would have seen as free
    monkeypatch.setattr(
        steps, "free_slug", lambda name: next(proposals, None) or real_free_slug(name)
    )
    ran = []
    with unit_of_work():
        # Queued in this unit of work before the savepoint that fails on the slug.
        after_commit(ran.append, "earlier effect")
        team = services.create_team(actor=user(second), game_ref="cs2", name="Same Slug", tag="SS")
        assert team.slug == "same-slug-2"
    assert ran == ["earlier effect"]
    assert [name for name, _ in received] == ["team_created", "team_created"]


# ----- invariants re-checked or held by the database -----------------------------------------
def test_accepting_rechecks_the_number_of_active_members(app_ctx, make_player):
    captain, late, *players = [make_player() for _ in range(9)]
    team = services.create_team(actor=user(captain), game_ref="valorant", name="Full", tag="FULL")
    for player in players:
        invite = invites.send_invite(team.id, actor=user(captain), user_id=player.id)
        invites.accept_invite(invite.id, actor=user(player))
    # An invite that slipped past the limit (written by hand here).
    stray = TeamInvite(
        team_id=team.id,
        user_id=late.id,
        role=TeamRole.PLAYER,
        status=InviteStatus.PENDING,
        expires_at=utcnow().replace(year=utcnow().year + 1),
    )
    db.session.add(stray)
    db.session.flush()
    with pytest.raises(RosterFullError):
        invites.accept_invite(stray.id, actor=user(late))


def test_the_database_allows_one_active_captain_and_one_active_team_per_game(app_ctx, make_player):
    captain, other = make_player(), make_player()
    team = services.create_team(actor=user(captain), game_ref="valorant", name="Indexed", tag="IDX")
    second_captain = TeamMembership(
        team_id=team.id,
        user_id=other.id,
        game_id=team.game_id,
        role=TeamRole.CAPTAIN,
        status=MembershipStatus.ACTIVE,
        joined_at=utcnow(),
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(second_captain)
        db.session.flush()
    twice = TeamMembership(
        team_id=team.id,
        user_id=captain.id,
        game_id=team.game_id,
        role=TeamRole.PLAYER,
        status=MembershipStatus.ACTIVE,
        joined_at=utcnow(),
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(twice)
        db.session.flush()
    # Ended memberships do not count.
    ended = TeamMembership(
        team_id=team.id,
        user_id=captain.id,
        game_id=team.game_id,
        role=TeamRole.PLAYER,
        status=MembershipStatus.LEFT,
        joined_at=utcnow(),
        left_at=utcnow(),
    )
    db.session.add(ended)
    db.session.flush()


def test_the_database_allows_one_active_team_per_name_and_game(app_ctx, make_player):
    captain = make_player()
    team = services.create_team(actor=user(captain), game_ref="valorant", name="Unique", tag="UNQ")
    clone = Team(
        game_id=team.game_id,
        name="UNIQUE",
        name_key="unique",
        tag="UN2",
        slug="unique-clone",
        captain_id=captain.id,
        is_active=True,
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(clone)
        db.session.flush()
    services.disband_team(team.id, actor=user(captain))
    db.session.add(clone)
    db.session.flush()  # a disbanded team no longer holds the name


def test_services_refuse_what_the_schemas_would(app_ctx, make_player):
    captain, target = make_player(), make_player()
    team = services.create_team(actor=user(captain), game_ref="valorant", name="Strict", tag="STR")
    with pytest.raises(ValidationError) as err:
        services.update_team(team.id, actor=user(captain), changes={"slug": "mine"})
    assert err.value.errors == {"slug": ["Not editable."]}
    with pytest.raises(ValidationError):
        invites.send_invite(team.id, actor=user(captain), user_id=target.id, role="captain")
    with pytest.raises(ValidationError):
        services.update_team(team.id, actor=user(captain), changes={"logo_url": "javascript:x"})


def test_an_invite_left_pending_on_an_inactive_team_cannot_be_accepted(app_ctx, make_player):
    captain, invitee = make_player(), make_player()
    team = services.create_team(actor=user(captain), game_ref="valorant", name="Ghost", tag="GHO")
    invite = invites.send_invite(team.id, actor=user(captain), user_id=invitee.id)
    team.is_active = False  # written around disband_team, which would cancel the invite
    db.session.flush()
    with pytest.raises(TeamDisbandedError):
        invites.accept_invite(invite.id, actor=user(invitee))

"""Tournament services: every state transition (legal and illegal), cancellation, deletion,
the permissions matrix and co-organizers."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.core.audit import AuditEntry
from deltacrown.core.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.core.time import utcnow
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.tournaments import queries, services
from deltacrown.tournaments.errors import (
    AlreadyOrganizerError,
    CannotRemoveOwnerError,
    InvalidScheduleError,
    NotDraftError,
    OrganizerNotFoundError,
    RegistrationWindowPassedError,
    TournamentNotFoundError,
)
from deltacrown.tournaments.models import Tournament, TournamentStatus
from tests.factories import build_tournament
from tests.tournaments.helpers import audit_actions, create, iso, update

pytestmark = pytest.mark.usefixtures("app_ctx")
S = TournamentStatus


# ----- transitions ---------------------------------------------------------------------------
def act(action, tournament, actor):
    if action == "publish":
        return services.publish_tournament(tournament.id, actor=actor)
    if action == "open":
        return services.open_registration(tournament.id, actor=actor)
    if action == "close":
        return services.close_registration(tournament.id, actor=actor)
    return services.cancel_tournament(tournament.id, actor=actor, reason="Rain")


LEGAL = {
    ("draft", "publish"): "published",
    ("published", "open"): "registration_open",
    ("registration_open", "close"): "registration_closed",
    ("registration_closed", "open"): "registration_open",  # no bracket yet
    ("draft", "cancel"): "cancelled",
    ("published", "cancel"): "cancelled",
    ("registration_open", "cancel"): "cancelled",
    ("registration_closed", "cancel"): "cancelled",
    ("ongoing", "cancel"): "cancelled",
    ("cancelled", "cancel"): "cancelled",  # idempotent
}
STATES = [
    "draft",
    "published",
    "registration_open",
    "registration_closed",
    "ongoing",
    "completed",
    "cancelled",
]
ACTIONS = ["publish", "open", "close", "cancel"]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.usefixtures("places_taken")
def test_state_machine(owner, load, state, action):
    tournament = build_tournament(owner.id, status=state)
    expected = LEGAL.get((state, action))
    if expected is None:
        with pytest.raises(InvalidTransitionError) as info:
            act(action, tournament, load(owner))
        assert info.value.code == "invalid_transition"
        assert info.value.extra["from_status"] == state
        assert tournament.status.value == state
    else:
        assert act(action, tournament, load(owner)).status.value == expected


@pytest.mark.usefixtures("places_taken")
def test_transitions_stamp_and_audit(owner, load):
    actor = load(owner)
    tournament = create(actor)
    services.publish_tournament(tournament.id, actor=actor)
    services.open_registration(tournament.id, actor=actor)
    services.close_registration(tournament.id, actor=actor)
    assert tournament.published_at is not None
    assert audit_actions(tournament) == [
        "tournament.published",
        "tournament.registration_open",
        "tournament.registration_closed",
    ]


def test_publishing_opens_registration_at_once_when_its_time_has_come(owner, load):
    actor = load(owner)
    tournament = create(actor, registration_opens_at=iso(utcnow() - timedelta(hours=1)))
    services.publish_tournament(tournament.id, actor=actor)
    assert tournament.status == S.REGISTRATION_OPEN


def test_publishing_needs_the_remaining_times_in_the_future(owner, load):
    actor = load(owner)
    tournament = create(actor)
    with time_machine.travel(tournament.registration_closes_at + timedelta(minutes=1), tick=False):
        with pytest.raises(InvalidScheduleError) as info:
            services.publish_tournament(tournament.id, actor=actor)
    assert list(info.value.errors) == ["registration_closes_at"]
    assert tournament.status == S.DRAFT


def test_registration_cannot_open_once_its_closing_time_has_passed(owner, load):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="published")
    with time_machine.travel(tournament.registration_closes_at, tick=False):
        with pytest.raises(RegistrationWindowPassedError):
            services.open_registration(tournament.id, actor=actor)


# ----- cancel --------------------------------------------------------------------------------
def test_cancel_records_reason_actor_and_audit(owner, load, cancellations):
    actor = load(owner)
    tournament = build_tournament(owner.id, status="registration_open")
    services.cancel_tournament(tournament.id, actor=actor, reason="  Venue flooded  ")
    assert tournament.status == S.CANCELLED
    assert (tournament.cancel_reason, tournament.cancelled_by_id) == ("Venue flooded", owner.id)
    assert tournament.cancelled_at is not None
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "tournament.cancelled")
    ).one()
    assert entry.before == {"status": "registration_open"}
    assert entry.after == {"status": "cancelled", "reason": "Venue flooded"}
    assert cancellations == []  # not before the commit


def test_cancel_needs_a_reason(owner, load):
    tournament = create(load(owner))
    with pytest.raises(ValidationError) as info:
        services.cancel_tournament(tournament.id, actor=load(owner), reason="   ")
    assert info.value.errors == {"reason": ["Required."]}


def test_cancel_signals_after_commit(owner, load, cancellations):
    with unit_of_work():
        tournament = create(load(owner))
        services.cancel_tournament(tournament.id, actor=load(owner), reason="No players")
    assert cancellations == [
        {
            "sender": "tournaments",
            "tournament_id": tournament.id,
            "reason": "No players",
            "actor_id": owner.id,
        }
    ]


def test_a_rolled_back_cancel_sends_nothing(owner, load, cancellations):
    with unit_of_work():
        tournament = create(load(owner))
    with pytest.raises(RuntimeError), unit_of_work():
        services.cancel_tournament(tournament.id, actor=load(owner), reason="Oops")
        raise RuntimeError("something later failed")
    assert cancellations == []
    assert db.session.get(Tournament, tournament.id).status == S.DRAFT


def test_cancelling_twice_changes_nothing_the_second_time(owner, load, cancellations):
    with unit_of_work():
        tournament = create(load(owner))
        services.cancel_tournament(tournament.id, actor=load(owner), reason="First")
    version = tournament.version
    with unit_of_work():
        again = services.cancel_tournament(tournament.id, actor=load(owner), reason="Second")
    assert again.cancel_reason == "First" and again.version == version
    assert len(cancellations) == 1
    assert audit_actions(tournament).count("tournament.cancelled") == 1


# ----- delete --------------------------------------------------------------------------------
def test_deleting_a_draft_hides_it(owner, load):
    tournament = create(load(owner))
    services.delete_tournament(tournament.id, actor=load(owner))
    assert tournament.deleted_at is not None
    with pytest.raises(TournamentNotFoundError):
        queries.get_tournament(tournament.id)


def test_only_drafts_can_be_deleted(owner, load):
    tournament = build_tournament(owner.id, status="published")
    with pytest.raises(NotDraftError):
        services.delete_tournament(tournament.id, actor=load(owner))


# ----- permissions ---------------------------------------------------------------------------
@pytest.fixture
def cast(owner, helper, stranger, staff, load):
    """actor name → User (None for anonymous); `helper` co-organizes every tournament built."""
    return {
        "anonymous": None,
        "stranger": load(stranger),
        "owner": load(owner),
        "co_organizer": load(helper),
        "staff": load(staff),
    }


def built(owner, helper, status, load):
    tournament = build_tournament(owner.id, status=status)
    services.add_organizer(tournament.id, actor=load(owner), user_id=helper.id)
    return tournament


@pytest.mark.parametrize(
    ("who", "draft_error", "public_error"),
    [
        ("anonymous", TournamentNotFoundError, PermissionDeniedError),
        ("stranger", TournamentNotFoundError, PermissionDeniedError),
        ("owner", None, None),
        ("co_organizer", None, None),
        ("staff", None, None),
    ],
)
def test_permissions_matrix(owner, helper, cast, load, who, draft_error, public_error):
    """Invisible (a draft) is 404; visible but not yours is 403; organizers and staff act."""
    actor = cast[who]
    draft = built(owner, helper, "draft", load)
    published = built(owner, helper, "published", load)
    for tournament, error, operation in [
        (draft, draft_error, lambda t: update(t, actor, description="x")),
        (draft, draft_error, lambda t: services.publish_tournament(t.id, actor=actor)),
        (published, public_error, lambda t: update(t, actor, description="y")),
        (published, public_error, lambda t: services.open_registration(t.id, actor=actor)),
        (
            published,
            public_error,
            lambda t: services.cancel_tournament(t.id, actor=actor, reason="r"),
        ),
    ]:
        if error is None:
            operation(tournament)
        else:
            with pytest.raises(error):
                operation(tournament)


# ----- co-organizers -------------------------------------------------------------------------
def test_a_co_organizer_gains_organizer_rights(owner, helper, load):
    tournament = create(load(owner))
    services.add_organizer(tournament.id, actor=load(owner), user_id=helper.id)
    assert [u.id for u in tournament.co_organizers] == [helper.id]
    update(tournament, load(helper), description="Edited by the helper")
    assert "tournament.organizer_added" in audit_actions(tournament)


def test_naming_an_organizer_twice_or_the_owner_conflicts(owner, helper, load):
    tournament = create(load(owner))
    services.add_organizer(tournament.id, actor=load(owner), user_id=helper.id)
    for user_id in (helper.id, owner.id):
        with pytest.raises(AlreadyOrganizerError):
            services.add_organizer(tournament.id, actor=load(owner), user_id=user_id)


def test_co_organizers_cannot_name_others_but_may_step_down(owner, helper, stranger, load):
    tournament = create(load(owner))
    services.add_organizer(tournament.id, actor=load(owner), user_id=helper.id)
    with pytest.raises(PermissionDeniedError):
        services.add_organizer(tournament.id, actor=load(helper), user_id=stranger.id)
    with pytest.raises(PermissionDeniedError):
        services.remove_organizer(tournament.id, actor=load(helper), user_id=owner.id)
    services.remove_organizer(tournament.id, actor=load(helper), user_id=helper.id)
    assert tournament.co_organizers == []


def test_the_owner_cannot_be_removed_and_strangers_are_not_found(owner, helper, staff, load):
    tournament = create(load(owner))
    with pytest.raises(CannotRemoveOwnerError):
        services.remove_organizer(tournament.id, actor=load(staff), user_id=owner.id)
    with pytest.raises(OrganizerNotFoundError):
        services.remove_organizer(tournament.id, actor=load(owner), user_id=helper.id)


def test_naming_an_unknown_user_is_not_found(owner, load):
    from deltacrown.accounts.errors import UserNotFoundError

    tournament = create(load(owner))
    with pytest.raises(UserNotFoundError):
        services.add_organizer(tournament.id, actor=load(owner), user_id=999_999)

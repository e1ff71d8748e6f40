"""Who may do what on match day: every role of a tournament against every action, read from
the policies that the services ask (tournaments, registrations, brackets, matches)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from deltacrown.brackets import policies as bracket_policies
from deltacrown.matches import policies as match_policies
from deltacrown.registrations import policies as registration_policies
from deltacrown.tournaments import policies as tournament_policies

STAFF_ROLES = {"referee": {3}, "caster": {4}}
TOURNAMENT = SimpleNamespace(
    id=1, organizer_id=1, organizer_ids={1, 2}, staff_ids=lambda role: STAFF_ROLES[role]
)


def person(user_id: int, *, staff: bool = False) -> SimpleNamespace:
    return SimpleNamespace(id=user_id, is_staff=staff, is_superuser=False)


ROLES = {
    "owner": person(1),
    "co_organizer": person(2),
    "referee": person(3),
    "caster": person(4),
    "player": person(5),
    "site_staff": person(9, staff=True),
    "anonymous": None,
}
ACTIONS = {
    "change_settings": tournament_policies.can_manage,
    "name_staff": tournament_policies.can_manage_staff,
    "money": registration_policies.can_manage,
    "bracket": bracket_policies.can_manage,
    "schedule_match": match_policies.can_manage,
    "start_match": match_policies.can_referee,
    "enter_result": match_policies.can_record_result,
    "enter_result_bracket": bracket_policies.can_record_result,
    "force_check_in": registration_policies.can_force_check_in,
    "set_room": match_policies.can_set_room,
    "read_room": match_policies.can_see_room,
    "attach_streams": match_policies.can_attach_streams,
    "see_private": tournament_policies.is_matchday_staff,
}
ORGANIZING = {"owner", "co_organizer", "site_staff"}
REFEREEING = ORGANIZING | {"referee"}
ALL_STAFF = REFEREEING | {"caster"}
ALLOWED = {
    "change_settings": ORGANIZING,
    "name_staff": ORGANIZING,
    "money": ORGANIZING,
    "bracket": ORGANIZING,
    "schedule_match": ORGANIZING,
    "start_match": REFEREEING,
    "enter_result": REFEREEING,
    "enter_result_bracket": REFEREEING,
    "force_check_in": REFEREEING,
    "set_room": REFEREEING,
    "read_room": ALL_STAFF,
    "attach_streams": ALL_STAFF,
    "see_private": {"referee", "caster"},  # organizers see it through `can_manage`
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_may_do_exactly_its_match_day_actions(role, action):
    allowed = ACTIONS[action](ROLES[role], TOURNAMENT)
    assert allowed is (role in ALLOWED[action]), (role, action)


@pytest.mark.parametrize(
    ("role", "side", "allowed"),
    [("player", 7, True), ("player", None, False), ("caster", None, False),
     ("referee", None, True), ("owner", None, True), ("anonymous", None, False)],
)  # fmt: skip
def test_casters_read_the_match_room_but_only_sides_and_referees_talk_in_it(role, side, allowed):
    assert match_policies.can_talk_in_room(ROLES[role], TOURNAMENT, side=side) is allowed

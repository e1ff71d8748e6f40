"""Actors: a user, the system, or nobody — never confused."""

import copy

from deltacrown.core.actors import SYSTEM, ActorKind, System, is_system, kind_of, user_id_of


class _User:
    id = 7


def test_there_is_one_system_actor_even_after_a_copy():
    assert System() is SYSTEM
    assert copy.deepcopy(SYSTEM) is SYSTEM


def test_none_is_anonymous_not_the_system():
    assert kind_of(None) is ActorKind.ANONYMOUS
    assert not is_system(None)
    assert kind_of(SYSTEM) is ActorKind.SYSTEM
    assert kind_of(_User()) is ActorKind.USER


def test_only_a_user_has_a_user_id():
    assert user_id_of(_User()) == 7
    assert user_id_of(SYSTEM) is None
    assert user_id_of(None) is None

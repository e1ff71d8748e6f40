"""Who may enter a result: organizers and staff, and the system; `None` is anonymous and may
do nothing (it never stands for the system)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from deltacrown.brackets import policies as bracket_policies
from deltacrown.core.actors import SYSTEM
from deltacrown.matches import policies

TOURNAMENT = SimpleNamespace(organizer_id=1, organizer_ids={1, 2}, staff_ids=lambda role: set())
OWNER = SimpleNamespace(id=1, is_staff=False, is_superuser=False)
CO_ORGANIZER = SimpleNamespace(id=2, is_staff=False, is_superuser=False)
STAFF = SimpleNamespace(id=9, is_staff=True, is_superuser=False)
PLAYER = SimpleNamespace(id=5, is_staff=False, is_superuser=False)


@pytest.mark.parametrize("check", [policies.can_record_result, bracket_policies.can_record_result])
@pytest.mark.parametrize(
    ("actor", "allowed"),
    [(None, False), (PLAYER, False), (SYSTEM, True), (OWNER, True), (CO_ORGANIZER, True),
     (STAFF, True)],
)  # fmt: skip
def test_results_are_entered_by_organizers_staff_and_the_system_never_anonymously(
    check, actor, allowed
):
    assert check(actor, TOURNAMENT) is allowed


def test_an_anonymous_caller_manages_no_match():
    assert policies.can_manage(None, TOURNAMENT) is False
    assert policies.can_manage(SYSTEM, TOURNAMENT) is True

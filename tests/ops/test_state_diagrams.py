"""docs/architecture.md's state diagrams agree with the code: each names exactly its enum's
states, and where the code has a transition table, the arrows are exactly that table.
A new state machine is one line in DIAGRAMS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deltacrown.matches.models import TRANSITIONS as MATCH_TRANSITIONS
from deltacrown.matches.models import DisputeStatus, MatchStatus
from deltacrown.registrations.models import RegistrationStatus
from deltacrown.tournaments.models.tournament import TRANSITIONS as TOURNAMENT_TRANSITIONS
from deltacrown.tournaments.models.tournament import TournamentStatus

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
ARROW = re.compile(r"^\s*(\[\*\]|[a-z_]+)\s*-->\s*([a-z_]+)\s*(?::.*)?$")

# (heading under "## State machines", the status enum, its transition table or None)
DIAGRAMS = [
    ("Tournament", TournamentStatus, TOURNAMENT_TRANSITIONS),
    ("Registration", RegistrationStatus, None),
    ("Match", MatchStatus, MATCH_TRANSITIONS),
    ("Dispute", DisputeStatus, None),
]


def diagram(heading: str) -> tuple[set[str], set[tuple[str, str]]]:
    """The states and arrows (without the start arrows) of the diagram under `### heading`."""
    section = ARCHITECTURE.read_text().split("\n## State machines\n", 1)[1]
    part = section.split(f"\n### {heading}\n", 1)[1]
    block = part.split("```mermaid\n", 1)[1].split("```", 1)[0]
    arrows = [m.groups() for m in map(ARROW.match, block.splitlines()) if m]
    states = {s for arrow in arrows for s in arrow if s != "[*]"}
    return states, {(a, b) for a, b in arrows if a != "[*]"}


@pytest.mark.parametrize(("heading", "enum", "transitions"), DIAGRAMS, ids=[d[0] for d in DIAGRAMS])
def test_a_state_diagram_matches_the_code(heading, enum, transitions):
    states, arrows = diagram(heading)
    assert states == {status.value for status in enum}
    if transitions is not None:
        assert arrows == {(a.value, b.value) for a, b in transitions}

"""Generated elimination stages are pinned: the same seeds give the same stage, byte for byte.

The digests were computed from the stages the engine generated before rounds were built in
bulk (formats/_builder.py): any change to a match, id, slot, route, round or their order
changes a digest. Each case also plays the stage through (every ready match, slot 2 winning)
and pins the result, so routing is pinned as well as layout.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from deltacrown.brackets.engine import MatchStatus, Stage, Target, apply_result, generate

PINNED: list[tuple[str, dict[str, Any], int, str, str]] = [
    # format, options, participants, generated digest, digest once played through
    ("double_elimination", {"grand_final": "double"}, 3, "be5c34bdca31b28b", "c2037352c0376701"),
    ("double_elimination", {"grand_final": "double"}, 5, "8cae935c0a380e31", "4c1c01272ab88295"),
    ("double_elimination", {"grand_final": "double"}, 8, "e040226ac1f92976", "c6a696d71cdb85a3"),
    ("double_elimination", {"grand_final": "double"}, 13, "3091010626a08c6d", "03ca13f80d5ecc85"),
    ("double_elimination", {"grand_final": "double"}, 64, "fb9c92e57188f88c", "aa9a4f9d964e3c92"),
    ("double_elimination", {"grand_final": "double"}, 100, "00a5cb8690299b6c", "04e4f18f33df57cb"),
    ("double_elimination", {"grand_final": "double"}, 1000, "9fad071abf895abb", "988ceb048fc7f1a1"),
    ("double_elimination", {"grand_final": "double"}, 3000, "ee6ca4d6d0caa85f", "39cbc60b009ab4dc"),
    ("double_elimination", {"grand_final": "double"}, 4096, "9c2aa5b402ded35f", "0d6b99d01783c3d2"),
    ("double_elimination", {"grand_final": "none"}, 6, "53d1d7f5c06b4117", "3d933f692b5b1703"),
    ("double_elimination", {"grand_final": "none"}, 37, "436bc8e09fd3fa87", "2ae87aff1204f6c1"),
    ("double_elimination", {"grand_final": "single"}, 6, "93a56fbe8ef7b9f9", "5e5aaf7034b3cde8"),
    ("double_elimination", {"grand_final": "single"}, 37, "03b468eda16f3bd5", "2ca25443ee79097b"),
    ("single_elimination", {"third_place": False}, 2, "c8b5b871311c49bb", "bb50413e3b942795"),
    ("single_elimination", {"third_place": False}, 3, "c50dbe5f936fbb0e", "090c52745eacad30"),
    ("single_elimination", {"third_place": False}, 13, "6df5355b3df1fae7", "6bc15206ac3ba981"),
    ("single_elimination", {"third_place": False}, 64, "c3080b128db7f9e4", "135a23caec1d7c09"),
    ("single_elimination", {"third_place": False}, 1000, "4d34b2d7484c6d43", "39c45b8f107cfebf"),
    ("single_elimination", {"third_place": False}, 4096, "03c17ea102781510", "30103ce3233a2964"),
    ("single_elimination", {"third_place": True}, 2, "8a03aeba2f9ac7ea", "7fb9c3f09d794ad1"),
    ("single_elimination", {"third_place": True}, 3, "be3e257a6dc99d54", "e9e75a4fbc176659"),
    ("single_elimination", {"third_place": True}, 13, "5b572134c15e87bf", "9a265ad63003371a"),
    ("single_elimination", {"third_place": True}, 64, "0a23cfcc1ede10e6", "aaf0158adc6d0c13"),
    ("single_elimination", {"third_place": True}, 1000, "2ea9047ec46505bd", "3a91deaf8b7ce6aa"),
    ("single_elimination", {"third_place": True}, 4096, "4c839690bc6898a4", "8a4ab614af6cebda"),
]


def digest(stage: Stage) -> str:
    payload = json.dumps(stage.to_dict(), sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


@pytest.mark.parametrize(("format_name", "options", "n", "generated", "played"), PINNED)
def test_generated_elimination_stages_match_their_pinned_digests(
    format_name: str, options: dict[str, Any], n: int, generated: str, played: str
) -> None:
    stage = generate(format_name, [1000 + i for i in range(1, n + 1)], options)
    assert digest(stage) == generated
    routes = [r for m in stage.matches.values() for r in (m.winner_to, m.loser_to) if r]
    assert all(type(route) is Target for route in routes)
    open_count = stage.open_count
    stage.recount()
    assert stage.open_count == open_count == len(stage.matches)
    for match in list(stage.matches.values()):
        if match.status is MatchStatus.READY:
            apply_result(stage, match.id, match.slots[1].participant, [[0, 1]])  # type: ignore[arg-type]
    assert stage.is_complete
    assert digest(stage) == played

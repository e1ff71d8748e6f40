"""MOBA draft validation by the earlier codebase's rules (Dota 2, Mobile Legends)."""

from __future__ import annotations

import pytest

from deltacrown.matches.drafts import InvalidDraftError, validate


def heroes(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


def draft(mode: str, bans: int, picks: int = 5) -> dict:
    return {
        "mode": mode,
        "p1": {"picks": heroes("a", picks), "bans": heroes("x", bans)},
        "p2": {"picks": heroes("b", picks), "bans": heroes("y", bans)},
    }


def rule_of(game: str, value: dict) -> str:
    with pytest.raises(InvalidDraftError) as caught:
        validate(game, value)
    return caught.value.extra["rule"]


@pytest.mark.parametrize(
    ("game", "mode", "bans"),
    [("dota2", "captains_mode", 7), ("dota2", "all_pick", 0), ("dota2", "captains_draft", 5),
     ("dota2", "captains_draft", 0), ("mlbb", "draft_pick", 3), ("mlbb", "classic", 0)],
)  # fmt: skip
def test_drafts_that_keep_the_rules_pass(game, mode, bans):
    validate(game, draft(mode, bans))


@pytest.mark.parametrize(
    ("game", "value", "rule"),
    [
        ("dota2", draft("captains_mode", 6), "captains_mode_bans"),
        ("dota2", draft("all_pick", 1), "all_pick_bans"),
        ("dota2", draft("captains_draft", 6), "max_bans"),
        ("dota2", draft("captains_mode", 7, picks=4), "picks"),
        ("dota2", draft("turbo", 0), "unknown_mode"),
        ("mlbb", draft("draft_pick", 2), "draft_pick_bans"),
        ("mlbb", draft("classic", 1), "classic_bans"),
        ("mlbb", draft("ranked", 3), "unknown_mode"),
        ("valorant", draft("classic", 0), "unknown_mode"),
    ],
)
def test_each_broken_rule_is_named(game, value, rule):
    assert rule_of(game, value) == rule


def test_a_hero_twice_or_both_banned_and_picked_is_refused():
    twice = draft("all_pick", 0)
    twice["p2"]["picks"][0] = " A0 "  # the same hero as p1's first pick (case, spaces)
    assert rule_of("dota2", twice) == "duplicate"
    banned_twice = draft("draft_pick", 3)
    banned_twice["p2"]["bans"][0] = "x0"
    assert rule_of("mlbb", banned_twice) == "duplicate"
    both = draft("captains_mode", 7)
    both["p2"]["bans"][0] = "a1"
    assert rule_of("dota2", both) == "banned_and_picked"

"""MOBA draft rules (Dota 2, Mobile Legends): what a side may report as a game's picks and
bans. Pure: no database.

A draft is `{"mode": ..., "p1": {"picks": [...], "bans": [...]}, "p2": {...}}` (heroes by
name, compared without regard to case or surrounding spaces).

* Dota 2: Captains Mode, exactly 7 bans per team; All Pick, no bans; any other mode (Captains
  Draft, ...), at most 5 bans per team.
* Mobile Legends: Draft Pick, exactly 3 bans per team; Classic, none; no other mode.
* Both: exactly 5 picks per team; no hero picked or banned twice (by either team); no hero
  both banned and picked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deltacrown.core.errors import ValidationError

PICKS_PER_TEAM = 5
DOTA_MODES = ("captains_mode", "all_pick", "captains_draft", "single_draft", "random_draft")
MLBB_MODES = ("draft_pick", "classic")
MODES: dict[str, tuple[str, ...]] = {"dota2": DOTA_MODES, "mlbb": MLBB_MODES}


class InvalidDraftError(ValidationError):
    code, title = "invalid_draft", "The draft breaks the game's draft rules"


def has_drafts(game_slug: str) -> bool:
    return game_slug in MODES


def _bans_rule(game_slug: str, mode: str, bans: int) -> str | None:
    """The violated ban rule, or None."""
    if game_slug == "dota2":
        if mode == "captains_mode" and bans != 7:
            return "captains_mode_bans"
        if mode == "all_pick" and bans != 0:
            return "all_pick_bans"
        if mode not in ("captains_mode", "all_pick") and bans > 5:
            return "max_bans"
        return None
    if mode == "draft_pick" and bans != 3:
        return "draft_pick_bans"
    if mode == "classic" and bans != 0:
        return "classic_bans"
    return None


RULE_TEXT = {
    "unknown_mode": "Not a draft mode of this game.",
    "captains_mode_bans": "Captains Mode has exactly 7 bans per team.",
    "all_pick_bans": "All Pick has no bans.",
    "max_bans": "At most 5 bans per team in this mode.",
    "draft_pick_bans": "Draft Pick has exactly 3 bans per team.",
    "classic_bans": "Classic has no bans.",
    "picks": f"Each team picks exactly {PICKS_PER_TEAM} heroes.",
    "duplicate": "A hero is picked or banned more than once.",
    "banned_and_picked": "A hero is both banned and picked.",
}


def _fail(rule: str, where: str, **extra: Any) -> InvalidDraftError:
    return InvalidDraftError(RULE_TEXT[rule], errors={where: [RULE_TEXT[rule]]}, rule=rule, **extra)


def _norm(hero: str) -> str:
    return " ".join(str(hero).split()).casefold()


def validate(game_slug: str, draft: Mapping[str, Any], *, where: str = "draft") -> None:
    """InvalidDraftError (with the violated `rule`) unless the draft keeps the game's rules."""
    mode = draft.get("mode")
    if mode not in MODES.get(game_slug, ()):
        raise _fail("unknown_mode", f"{where}.mode", modes=list(MODES.get(game_slug, ())))
    seen_picks: set[str] = set()
    seen_bans: set[str] = set()
    for team in ("p1", "p2"):
        side = draft.get(team) or {}
        picks = [_norm(h) for h in side.get("picks") or []]
        bans = [_norm(h) for h in side.get("bans") or []]
        if len(picks) != PICKS_PER_TEAM:
            raise _fail("picks", f"{where}.{team}.picks")
        rule = _bans_rule(game_slug, str(mode), len(bans))
        if rule:
            raise _fail(rule, f"{where}.{team}.bans")
        for heroes, seen, field in ((picks, seen_picks, "picks"), (bans, seen_bans, "bans")):
            if len(set(heroes)) != len(heroes) or seen & set(heroes):
                raise _fail("duplicate", f"{where}.{team}.{field}")
            seen.update(heroes)
    if seen_picks & seen_bans:
        raise _fail("banned_and_picked", where, heroes=sorted(seen_picks & seen_bans))

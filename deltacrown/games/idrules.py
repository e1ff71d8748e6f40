"""Per-game player-id rules: pure validation and normalisation, no database.

Each rule names the shape it expects, so a rejected id can tell the player what to type
(422 `invalid_game_id`). Rules follow the earlier platform's (original-notes §3.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class IdRule:
    key: str
    label: str
    expected: str  # human-readable shape, shown in errors and in the game's representation
    example: str
    pattern: re.Pattern[str]
    normalize: Callable[[re.Match[str]], str]

    def parse(self, raw: str) -> str | None:
        """The normalised id, or None when `raw` does not have this rule's shape."""
        match = self.pattern.fullmatch(raw.strip())
        return self.normalize(match) if match else None


def _whole(match: re.Match[str]) -> str:
    return match.group(0)


def _riot(match: re.Match[str]) -> str:
    return f"{match.group('name')}#{match.group('tag').upper()}"


def _mlbb(match: re.Match[str]) -> str:
    return f"{match.group('uid')}|{match.group('zone')}"


ID_RULES: dict[str, IdRule] = {
    rule.key: rule
    for rule in (
        IdRule(
            "riot_id",
            "Riot ID",
            "name#TAG: a name of 3-16 characters, '#', a tag of 3-5 letters or digits",
            "Phoenix#EUW1",
            re.compile(r"(?P<name>[^#\s][^#]{1,14}[^#\s])#(?P<tag>[A-Za-z0-9]{3,5})"),
            _riot,
        ),
        IdRule(
            "steam_id64",
            "SteamID64",
            "a 17-digit SteamID64 starting with 7656119",
            "76561198000000000",
            re.compile(r"7656119\d{10}"),
            _whole,
        ),
        IdRule(
            "konami_id",
            "Konami ID",
            "9 to 12 digits",
            "123456789",
            re.compile(r"\d{9,12}"),
            _whole,
        ),
        IdRule(
            "ea_id",
            "EA ID",
            "5 to 20 letters, digits or underscores",
            "striker_99",
            re.compile(r"\w{5,20}", re.ASCII),
            _whole,
        ),
        IdRule(
            "mlbb_uid_zone",
            "User ID and Zone",
            "UID|Zone: a 10-12 digit user id, '|', a 4-digit zone id",
            "1234567890|1234",
            re.compile(r"(?P<uid>\d{10,12})\s*\|\s*(?P<zone>\d{4})"),
            _mlbb,
        ),
        IdRule(
            "ign_uid",
            "IGN or UID",
            "5 to 20 letters, digits or underscores",
            "Sniper_King",
            re.compile(r"\w{5,20}", re.ASCII),
            _whole,
        ),
    )
}


def ownership_key(normalized: str) -> str:
    """Two ids that differ only by letter case belong to the same player."""
    return normalized.casefold()

"""Per-game player-id rules, pure (no database)."""

import pytest

from deltacrown.games.idrules import ID_RULES, ownership_key


@pytest.mark.parametrize(
    ("rule", "raw", "expected"),
    [
        ("riot_id", "Phoenix#euw1", "Phoenix#EUW1"),
        ("riot_id", "  Sova Main#123 ", "Sova Main#123"),
        ("steam_id64", "76561198000000000", "76561198000000000"),
        ("konami_id", "123456789012", "123456789012"),
        ("ea_id", "striker_99", "striker_99"),
        ("mlbb_uid_zone", "1234567890 | 1234", "1234567890|1234"),
        ("ign_uid", "Sniper_King", "Sniper_King"),
    ],
)
def test_valid_ids_are_normalised(rule, raw, expected):
    assert ID_RULES[rule].parse(raw) == expected


@pytest.mark.parametrize(
    ("rule", "raw"),
    [
        ("riot_id", "NoTag"),
        ("riot_id", "ab#EUW"),
        ("riot_id", "Name#TOOLONG"),
        ("riot_id", "a" * 17 + "#EUW"),
        ("steam_id64", "7656119800000000"),
        ("steam_id64", "12345678901234567"),
        ("konami_id", "12345678"),
        ("ea_id", "abc"),
        ("mlbb_uid_zone", "123456789|1234"),
        ("mlbb_uid_zone", "1234567890|123"),
        ("ign_uid", "has space"),
    ],
)
def test_malformed_ids_are_rejected(rule, raw):
    assert ID_RULES[rule].parse(raw) is None


def test_every_rule_accepts_its_own_example():
    for rule in ID_RULES.values():
        assert rule.parse(rule.example) is not None, rule.key


def test_ownership_ignores_letter_case():
    assert ownership_key("Phoenix#EUW1") == ownership_key("phoenix#euw1")

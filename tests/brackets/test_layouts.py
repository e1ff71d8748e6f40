"""Generated layouts, match by match: standard placement, byes, losers' drops, round names."""

from __future__ import annotations

import pytest

from deltacrown.brackets.engine import (
    FORMATS,
    InvalidOptionsError,
    InvalidSeedsError,
    MatchStatus,
    Side,
    Target,
    UnknownFormatError,
    generate,
)
from deltacrown.brackets.engine.seeding import bracket_size, standard_order
from tests.brackets.support import layout, round_names


def seeds(n: int) -> list[int]:
    """Participant ids that differ from seed numbers, so a mix-up cannot pass unnoticed."""
    return [1000 + i for i in range(1, n + 1)]


def test_standard_order_doubles_so_top_seeds_meet_last() -> None:
    assert standard_order(2) == [1, 2]
    assert standard_order(4) == [1, 4, 2, 3]
    assert standard_order(8) == [1, 8, 4, 5, 2, 7, 3, 6]
    for size in (16, 64, 4096):
        order = standard_order(size)
        assert sorted(order) == list(range(1, size + 1))
        assert {a + b for a, b in zip(order[::2], order[1::2], strict=True)} == {size + 1}
        half = size // 2
        assert 1 in order[:half] and 2 in order[half:]  # 1 and 2 only meet in the final


def test_bracket_size_is_the_next_power_of_two() -> None:
    assert [bracket_size(n) for n in (2, 3, 4, 5, 8, 9, 300, 4096)] == [
        2, 4, 4, 8, 8, 16, 512, 4096,
    ]  # fmt: skip


def test_single_elimination_8_layout() -> None:
    stage = generate("single_elimination", seeds(8))
    assert layout(stage) == {
        "W1.1": ("1", "8"),
        "W1.2": ("4", "5"),
        "W1.3": ("2", "7"),
        "W1.4": ("3", "6"),
        "W2.1": ("W(W1.1)", "W(W1.2)"),
        "W2.2": ("W(W1.3)", "W(W1.4)"),
        "W3.1": ("W(W2.1)", "W(W2.2)"),
    }
    assert round_names(stage) == [
        ("winners", 1, "Quarter-finals", 4),
        ("winners", 2, "Semi-finals", 2),
        ("winners", 3, "Final", 1),
    ]
    w11 = stage.matches["W1.1"]
    assert w11.participants == (1001, 1008)
    assert (w11.winner_to, w11.loser_to) == (Target("W2.1", 0), None)
    assert stage.matches["W1.4"].winner_to == Target("W2.2", 1)
    assert stage.matches["W3.1"].winner_to is None
    assert [m.status for m in stage.matches.values()] == [MatchStatus.READY] * 4 + [
        MatchStatus.PENDING
    ] * 3
    assert stage.byes == []


def test_single_elimination_16_layout() -> None:
    stage = generate("single_elimination", seeds(16))
    first_round = [layout(stage)[f"W1.{i}"] for i in range(1, 9)]
    assert first_round == [
        ("1", "16"), ("8", "9"), ("4", "13"), ("5", "12"),
        ("2", "15"), ("7", "10"), ("3", "14"), ("6", "11"),
    ]  # fmt: skip
    assert {mid: layout(stage)[mid] for mid in stage.matches if not mid.startswith("W1.")} == {
        "W2.1": ("W(W1.1)", "W(W1.2)"),
        "W2.2": ("W(W1.3)", "W(W1.4)"),
        "W2.3": ("W(W1.5)", "W(W1.6)"),
        "W2.4": ("W(W1.7)", "W(W1.8)"),
        "W3.1": ("W(W2.1)", "W(W2.2)"),
        "W3.2": ("W(W2.3)", "W(W2.4)"),
        "W4.1": ("W(W3.1)", "W(W3.2)"),
    }
    assert [name for _, _, name, _ in round_names(stage)] == [
        "Round of 16", "Quarter-finals", "Semi-finals", "Final",
    ]  # fmt: skip


def test_round_names_count_participants_from_the_end() -> None:
    stage = generate("single_elimination", seeds(33))
    assert [name for _, _, name, _ in round_names(stage)] == [
        "Round of 64", "Round of 32", "Round of 16", "Quarter-finals", "Semi-finals", "Final",
    ]  # fmt: skip


def test_six_players_give_byes_to_seeds_1_and_2_only() -> None:
    stage = generate("single_elimination", seeds(6))
    assert stage.byes == [1, 2]
    assert layout(stage) == {
        "W1.1": ("4", "5"),
        "W1.2": ("3", "6"),
        "W2.1": ("1", "W(W1.1)"),
        "W2.2": ("2", "W(W1.2)"),
        "W3.1": ("W(W2.1)", "W(W2.2)"),
    }
    assert [r.name for r in stage.rounds] == ["Quarter-finals", "Semi-finals", "Final"]
    # Byes are resolved: the seeds wait in round 2, there is no match against nobody.
    assert stage.matches["W2.1"].participants == (1001, None)
    assert stage.matches["W2.1"].status is MatchStatus.PENDING


def test_third_place_match_pairs_the_semi_final_losers() -> None:
    stage = generate("single_elimination", seeds(8), {"third_place": True})
    assert layout(stage)["TP1.1"] == ("L(W2.1)", "L(W2.2)")
    assert stage.matches["W2.1"].loser_to == Target("TP1.1", 0)
    assert stage.matches["W2.2"].loser_to == Target("TP1.1", 1)
    assert round_names(stage)[-1] == ("third_place", 1, "Third place", 1)


def test_third_place_with_three_players_is_a_bye() -> None:
    stage = generate("single_elimination", seeds(3), {"third_place": True})
    assert layout(stage) == {"W1.1": ("2", "3"), "W2.1": ("1", "W(W1.1)")}
    assert stage.byes == [1]


def test_third_place_with_two_players_has_no_match() -> None:
    stage = generate("single_elimination", seeds(2), {"third_place": True})
    assert layout(stage) == {"W1.1": ("1", "2")}
    assert round_names(stage) == [("winners", 1, "Final", 1)]


def test_double_elimination_8_layout() -> None:
    stage = generate("double_elimination", seeds(8))
    assert layout(stage) == {
        "W1.1": ("1", "8"),
        "W1.2": ("4", "5"),
        "W1.3": ("2", "7"),
        "W1.4": ("3", "6"),
        "W2.1": ("W(W1.1)", "W(W1.2)"),
        "W2.2": ("W(W1.3)", "W(W1.4)"),
        "W3.1": ("W(W2.1)", "W(W2.2)"),
        "L1.1": ("L(W1.1)", "L(W1.2)"),
        "L1.2": ("L(W1.3)", "L(W1.4)"),
        "L2.1": ("L(W2.2)", "W(L1.1)"),
        "L2.2": ("L(W2.1)", "W(L1.2)"),
        "L3.1": ("W(L2.1)", "W(L2.2)"),
        "L4.1": ("L(W3.1)", "W(L3.1)"),
        "GF1.1": ("W(W3.1)", "W(L4.1)"),
        "GF2.1": ("W(GF1.1)", "L(GF1.1)"),
    }
    assert round_names(stage) == [
        ("winners", 1, "Winners quarter-finals", 4),
        ("winners", 2, "Winners semi-finals", 2),
        ("winners", 3, "Winners final", 1),
        ("losers", 1, "Losers round 1", 2),
        ("losers", 2, "Losers round 2", 2),
        ("losers", 3, "Losers round 3", 1),
        ("losers", 4, "Losers round 4", 1),
        ("grand_final", 1, "Grand final", 1),
        ("grand_final", 2, "Grand final reset", 1),
    ]
    routes = {mid: (m.winner_to, m.loser_to) for mid, m in stage.matches.items()}
    assert routes["W2.1"] == (Target("W3.1", 0), Target("L2.2", 0))
    assert routes["W2.2"] == (Target("W3.1", 1), Target("L2.1", 0))
    assert routes["W3.1"] == (Target("GF1.1", 0), Target("L4.1", 0))
    assert routes["L4.1"] == (Target("GF1.1", 1), None)
    assert routes["GF1.1"] == (Target("GF2.1", 0), Target("GF2.1", 1))
    assert routes["GF2.1"] == (None, None)
    assert [m.id for m in stage.matches.values() if m.is_reset] == ["GF2.1"]


def test_double_elimination_grand_final_options() -> None:
    single = generate("double_elimination", seeds(8), {"grand_final": "single"})
    assert [m for m in single.matches if m.startswith("GF")] == ["GF1.1"]
    assert single.matches["GF1.1"].winner_to is None
    assert single.matches["GF1.1"].loser_to is None
    none = generate("double_elimination", seeds(8), {"grand_final": "none"})
    assert not [m for m in none.matches if m.startswith("GF")]
    assert none.matches["W3.1"].winner_to is None
    assert none.matches["L4.1"].winner_to is None


def test_double_elimination_byes_create_no_empty_losers_matches() -> None:
    # 5 players in 8 slots: only W1.2 (4 v 5) is played in winners' round 1, so structural
    # losers' round 1 would be bye-v-L(4v5) and bye-v-bye; it disappears and later losers'
    # rounds are renumbered.
    stage = generate("double_elimination", seeds(5))
    assert stage.byes == [1, 2, 3]
    assert layout(stage) == {
        "W1.1": ("4", "5"),
        "W2.1": ("1", "W(W1.1)"),
        "W2.2": ("2", "3"),
        "W3.1": ("W(W2.1)", "W(W2.2)"),
        "L1.1": ("L(W2.2)", "L(W1.1)"),
        "L2.1": ("W(L1.1)", "L(W2.1)"),
        "L3.1": ("L(W3.1)", "W(L2.1)"),
        "GF1.1": ("W(W3.1)", "W(L3.1)"),
        "GF2.1": ("W(GF1.1)", "L(GF1.1)"),
    }
    assert [name for side, _, name, _ in round_names(stage) if side == "losers"] == [
        "Losers round 1", "Losers round 2", "Losers round 3",
    ]  # fmt: skip


def test_double_elimination_three_players() -> None:
    stage = generate("double_elimination", seeds(3), {"grand_final": "single"})
    assert layout(stage) == {
        "W1.1": ("2", "3"),
        "W2.1": ("1", "W(W1.1)"),
        "L1.1": ("L(W2.1)", "L(W1.1)"),
        "GF1.1": ("W(W2.1)", "W(L1.1)"),
    }


def test_every_round_of_a_side_is_numbered_consecutively() -> None:
    stage = generate("double_elimination", seeds(37))
    for side in Side:
        numbers = [r.number for r in stage.rounds if r.side is side]
        assert numbers == list(range(1, len(numbers) + 1))
        for rnd in (r for r in stage.rounds if r.side is side):
            assert rnd.match_ids == [f"{rnd.match_ids[0].split('.')[0]}.{i}" for i in
                                     range(1, len(rnd.match_ids) + 1)]  # fmt: skip
            assert all(stage.matches[mid].round == rnd.number for mid in rnd.match_ids)


def test_formats_registry_lists_the_elimination_formats() -> None:
    assert {"single_elimination", "double_elimination"} <= set(FORMATS)
    assert FORMATS["single_elimination"].defaults == {"third_place": False}
    assert FORMATS["double_elimination"].defaults == {"grand_final": "double"}
    stage = generate("double_elimination", seeds(4))
    assert stage.options == {"grand_final": "double"}


@pytest.mark.parametrize(
    ("format_name", "participants", "options", "error", "message"),
    [
        ("ladder", seeds(4), None, UnknownFormatError, "unknown bracket format 'ladder'"),
        ("single_elimination", seeds(1), None, InvalidSeedsError, "at least 2"),
        ("double_elimination", seeds(2), None, InvalidSeedsError, "at least 3"),
        ("single_elimination", [1, 2, 1], None, InvalidSeedsError, "more than once"),
        ("single_elimination", [1, 2.5], None, InvalidSeedsError, "integers or strings"),
        ("single_elimination", [True, 2], None, InvalidSeedsError, "integers or strings"),
        ("single_elimination", seeds(4), {"grand_final": "single"}, InvalidOptionsError, "grand_final"),
        ("single_elimination", seeds(4), {"third_place": "yes"}, InvalidOptionsError, "third_place"),
        ("double_elimination", seeds(4), {"grand_final": "triple"}, InvalidOptionsError, "grand_final"),
    ],
)  # fmt: skip
def test_generate_refuses_bad_input(format_name, participants, options, error, message) -> None:
    with pytest.raises(error, match=message) as info:
        generate(format_name, participants, options)
    assert info.value.code == error.code


def test_participant_ids_may_be_strings() -> None:
    stage = generate("single_elimination", ["alpha", "bravo", "charlie"])
    assert stage.matches["W1.1"].participants == ("bravo", "charlie")

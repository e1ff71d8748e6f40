"""Standard bracket placement: the slot order of seeds in a bracket of a power-of-two size."""

from __future__ import annotations

from itertools import repeat
from operator import sub


def bracket_size(n: int) -> int:
    """The smallest power of two that holds `n` participants (at least 2)."""
    return max(2, 1 << (n - 1).bit_length())


def standard_order(size: int) -> list[int]:
    """Seed numbers in first-round slot order, built by doubling.

    `[1, 2]` -> `[1, 4, 2, 3]` -> `[1, 8, 4, 5, 2, 7, 3, 6]`: each seed s of the smaller bracket
    is followed by its opponent `2 * len + 1 - s`, so every first-round pair sums to size + 1,
    the top two seeds sit in different halves (they can only meet in the final), the top four
    in different quarters, and so on.
    """
    if size < 2 or size & (size - 1):
        raise ValueError(f"bracket size must be a power of two >= 2, got {size}")
    order = [1]
    while len(order) < size:
        doubled = [0] * (2 * len(order))
        doubled[0::2] = order
        doubled[1::2] = map(sub, repeat(len(doubled) + 1), order)  # the mirrors, C-level
        order = doubled
    return order

"""The cases bench/brackets.py runs, shared by its backends: the formats, their default sizes and
the options each one is generated with."""

from __future__ import annotations

from typing import Any

DEFAULT_SIZES = [8, 16, 32, 64, 100, 128, 256, 500, 512, 1000, 1024, 2048, 3000, 4096]
FORMATS = ["single_elimination", "double_elimination", "round_robin", "swiss"]
OPTIONS: dict[str, dict[str, Any]] = {
    "single_elimination": {},
    "double_elimination": {"grand_final": "double"},
    "round_robin": {"group_size": 8},
    "swiss": {"allow_draws": False},
}
FORMAT_SIZES = {"swiss": [64, 128, 256, 512, 1024]}  # default sizes where they differ


def cases(sizes: list[int] | None, formats: list[str]) -> list[tuple[int, str]]:
    """(n, format) in the order they run: `sizes` for every format, else each one's default."""
    chosen = {f: sizes or FORMAT_SIZES.get(f, DEFAULT_SIZES) for f in formats}
    return [(n, f) for n in sorted({n for s in chosen.values() for n in s}) for f in formats
            if n in chosen[f]]  # fmt: skip

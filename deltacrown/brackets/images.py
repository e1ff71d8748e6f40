"""Pictures of a tournament's bracket (SVG, and PNG rasterised from it), versioned and cached.

A picture's version is a hash of everything drawn on it (the stage's document, its tables,
the tournament's name and the drawing options): any result changes it, so the `ETag` changes
and a cached picture is never served stale. Rendered pictures are kept in the app cache
(Redis in server mode) under that version.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from deltacrown.brackets import picture, presenters
from deltacrown.brackets.errors import BracketMissingError, StageNotFoundError
from deltacrown.core.cache import cache

CACHE_SECONDS = 24 * 60 * 60
FORMATS = ("svg", "png")
PNG_MAX_PIXELS = 8_000_000  # bigger pictures are scaled down to this many pixels


def _stage(document: dict[str, Any], stage_id: int | None) -> dict[str, Any]:
    stages = document["stages"]
    if not stages:
        raise BracketMissingError("This tournament has no bracket yet.")
    if stage_id is None:
        started = [s for s in stages if s["status"] != "pending"]
        return (started or stages)[-1]
    for stage in stages:
        if stage["id"] == stage_id:
            return stage
    raise StageNotFoundError(f"This tournament has no stage {stage_id}.")


def _has_tree(stage: dict[str, Any]) -> bool:
    return any(r["side"] in picture.ELIMINATION_SIDES and r["matches"] for r in stage["rounds"])


def bracket_picture(
    tournament_id: int,
    title: str,
    *,
    fmt: str = "svg",
    stage_id: int | None = None,
    theme: str = "light",
    width: int | None = None,
) -> tuple[bytes, str]:
    """(the picture's bytes, its version) for one stage (default: the latest one started)."""
    stage = _stage(presenters.bracket(tournament_id), stage_id)
    tables = None if _has_tree(stage) else presenters.stage_standings(tournament_id, stage["id"])
    drawn = {"title": title, "stage": stage, "tables": tables, "theme": theme, "width": width}
    version = hashlib.sha256(json.dumps(drawn, sort_keys=True, default=str).encode()).hexdigest()[
        :32
    ]
    key = f"bracket-picture:{fmt}:{version}"
    data = cache.get(key)
    if data is None:
        svg = picture.draw(title, stage, tables, theme=theme, width=width)
        data = svg.encode() if fmt == "svg" else rasterise(svg)
        cache.set(key, data, timeout=CACHE_SECONDS)
    return data, version


_SIZE = re.compile(r'<svg [^>]*?width="(\d+)" height="(\d+)"')


def _fonts() -> list[str]:
    """Bitstream Vera (regular and bold), shipped inside reportlab: the same letters on every
    machine, and no scan of the system's fonts on each picture."""
    import reportlab

    folder = Path(reportlab.__file__).parent / "fonts"
    return [str(folder / "Vera.ttf"), str(folder / "VeraBd.ttf")]


def rasterise(svg: str) -> bytes:
    import resvg_py  # loaded on the first PNG only

    size = _SIZE.search(svg)
    width, height = (int(size[1]), int(size[2])) if size else (0, 0)
    pixels = width * height
    target = int(width * (PNG_MAX_PIXELS / pixels) ** 0.5) if pixels > PNG_MAX_PIXELS else None
    png = resvg_py.svg_to_bytes(
        svg_string=svg,
        width=target,
        skip_system_fonts=True,
        font_files=_fonts(),
        sans_serif_family="Bitstream Vera Sans",
    )
    return bytes(png)

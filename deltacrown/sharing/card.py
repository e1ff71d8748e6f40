"""The share card: a 1200x630 picture of a tournament for link previews (pure, no database).

Name, game, dates, prize and participant count on the left; the bracket's picture (when there
is one) scaled into the right half. Text is escaped and shortened to fit.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from deltacrown.brackets.picture import shorten

WIDTH, HEIGHT = 1200, 630
BACKGROUND, PANEL, TEXT, MUTED, ACCENT = "#0d1117", "#161b22", "#e6edf3", "#8b949e", "#58a6ff"
_OPEN_TAG = re.compile(r"^<svg [^>]*>")


def _nested(svg: str, x: int, y: int, width: int, height: int) -> str:
    """`svg` (a whole document) drawn into the box, keeping its proportions."""
    match = _OPEN_TAG.match(svg)
    view_box = re.search(r'viewBox="([^"]+)"', match[0]) if match else None
    if match is None or view_box is None:
        return ""
    opening = (
        f'<svg x="{x}" y="{y}" width="{width}" height="{height}" viewBox="{view_box[1]}" '
        'preserveAspectRatio="xMidYMid meet">'
    )
    return opening + svg[match.end() :]


def _line(x: int, y: int, text: str, size: int, fill: str, weight: str = "normal") -> str:
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" fill="{fill}" font-weight="{weight}">'
        f"{escape(text)}</text>"
    )


def draw(facts: dict[str, Any], bracket_svg: str | None = None) -> str:
    """The card's SVG. `facts`: name, game, dates, prize, participants (strings or None)."""
    left = 64
    text_width = 520 if bracket_svg else 1070
    chars = int(text_width / (0.6 * 54))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="Bitstream Vera Sans, DejaVu Sans, Verdana, Arial, sans-serif">',
        f"<title>{escape(shorten(facts['name'], 120))}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>',
        f'<rect x="0" y="0" width="12" height="{HEIGHT}" fill="{ACCENT}"/>',
        _line(left, 110, shorten(facts.get("game"), 40).upper(), 26, ACCENT, "bold"),
    ]
    words = (facts["name"] or "").split()
    lines: list[str] = []
    while words and len(lines) < 3:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= chars:
            line += " " + words.pop(0)
        lines.append(line)
    if words and lines:
        lines[-1] = shorten(lines[-1] + " " + " ".join(words), chars)
    for index, line in enumerate(lines):
        parts.append(_line(left, 180 + index * 64, shorten(line, chars), 54, TEXT, "bold"))
    y = 200 + len(lines) * 64
    for label, key in (("When", "dates"), ("Prize", "prize"), ("Players", "participants")):
        value = facts.get(key)
        if value:
            parts.append(_line(left, y, label, 22, MUTED))
            parts.append(_line(left + 110, y, shorten(value, 40), 26, TEXT))
            y += 48
    parts.append(_line(left, HEIGHT - 48, "DeltaCrown", 24, MUTED, "bold"))
    if bracket_svg:
        parts.append(f'<rect x="620" y="40" width="540" height="550" rx="12" fill="{PANEL}"/>')
        parts.append(_nested(bracket_svg, 632, 52, 516, 526))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"

"""A bracket as a picture: SVG drawn from the bracket document and the stage tables.

Pure (no database, no Flask): `draw(title, stage, tables, theme=..., width=...)` turns one
stage of `presenters.bracket()` (and, for league and lobby stages, `presenters.stage_standings()`)
into an SVG document.

* Elimination stages: one section per side (winners, losers, grand final, third place), a
  column per round with its name, a box per match (seed, name, score; the winner in bold with
  an accent bar, live matches marked), and elbow connectors from each match to the one its
  winner plays next. Byes have no match and are not drawn. Boxes are placed as a tidy tree:
  first-round matches one under the other, every later match centred on the matches that feed
  it, so uneven (bye-shortened) trees stay readable from 4 to 256 participants.
* Round robin, groups, Swiss and battle-royale stages: their standings tables (one per group
  or lobby).
Long names are shortened with an ellipsis to the box; all text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

ELIMINATION_SIDES = ("winners", "losers", "grand_final", "third_place")
SIDE_TITLES = {
    "winners": "Winners bracket",
    "losers": "Losers bracket",
    "grand_final": "Grand final",
    "third_place": "Third place",
}

BOX_W, ROW_H, GAP_X, GAP_Y = 220, 24, 56, 16
BOX_H = 2 * ROW_H
FONT = 13
PAD = 24
HEADER_H = 56
SECTION_TITLE_H = 44
ROUND_LABEL_H = 22
CHAR_W = 0.6 * FONT  # average advance of the sans-serif face at FONT px, for shortening


@dataclass(frozen=True)
class Theme:
    background: str
    box: str
    border: str
    text: str
    muted: str
    accent: str
    line: str
    live: str


THEMES = {
    "light": Theme("#ffffff", "#f6f7f9", "#c9ced6", "#1b1f24", "#6a737d", "#2f6feb", "#9aa3ad", "#d1242f"),
    "dark": Theme("#0d1117", "#161b22", "#30363d", "#e6edf3", "#8b949e", "#58a6ff", "#484f58", "#ff7b72"),
}  # fmt: skip


def shorten(text: str | None, max_chars: int) -> str:
    """`text` cut to `max_chars` characters, the last one an ellipsis when it was longer."""
    text = " ".join((text or "").split())
    if len(text) <= max_chars:
        return text
    return text[: max(max_chars - 1, 0)].rstrip() + "…"


def _text(x: float, y: float, content: str, fill: str, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" fill="{fill}"{extra}>{escape(content)}</text>'


# ----- elimination trees ---------------------------------------------------------------------
def _layout(rounds: list[dict[str, Any]]) -> dict[int, tuple[int, float]]:
    """match id → (column, centre y from the section's top) as a tidy tree."""
    column = {m["id"]: c for c, r in enumerate(rounds) for m in r["matches"]}
    feeders: dict[int, list[dict[str, Any]]] = {}
    for r in rounds:
        for m in r["matches"]:
            target = m.get("next_match_winner_id")
            if target in column and column[target] > column[m["id"]]:
                feeders.setdefault(target, []).append(m)
    placed: dict[int, tuple[int, float]] = {}
    next_leaf = [0.0]

    def place(match: dict[str, Any]) -> float:
        children = sorted(feeders.get(match["id"], []), key=lambda m: m["number"])
        if children:
            ys = [place(child) for child in children]
            y = sum(ys) / len(ys)
        else:
            y = next_leaf[0] * (BOX_H + GAP_Y) + BOX_H / 2
            next_leaf[0] += 1
        placed[match["id"]] = (column[match["id"]], y)
        return y

    fed = {m["id"] for children in feeders.values() for m in children}
    roots = [m for r in reversed(rounds) for m in r["matches"] if m["id"] not in fed]
    for root in sorted(roots, key=lambda m: (-column[m["id"]], m["number"])):
        if root["id"] not in placed:
            place(root)
    return placed


def _match_box(match: dict[str, Any], x: float, y: float, theme: Theme) -> list[str]:
    top = y - BOX_H / 2
    parts = [
        f'<g class="match" data-match-id="{int(match["id"])}">',
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{BOX_W}" height="{BOX_H}" rx="4" '
        f'fill="{theme.box}" stroke="{theme.border}"/>',
        f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + BOX_W:.1f}" y2="{y:.1f}" stroke="{theme.border}"/>',
    ]
    for row, participant in enumerate(match["participants"][:2]):
        row_top = top + row * ROW_H
        baseline = row_top + ROW_H / 2 + FONT * 0.35
        won = participant.get("result") == "win"
        if won:
            parts.append(
                f'<rect x="{x:.1f}" y="{row_top:.1f}" width="4" height="{ROW_H}" fill="{theme.accent}"/>'
            )
        seed = participant.get("seed")
        if seed is not None:
            parts.append(_text(x + 10, baseline, str(seed), theme.muted, font_size=FONT - 2))
        name = participant.get("name")
        label = shorten(name, int((BOX_W - 70) / CHAR_W)) if name else "TBD"
        parts.append(
            _text(
                x + 34,
                baseline,
                label,
                theme.text if name else theme.muted,
                font_weight="bold" if won else "normal",
            )
        )
        score = participant.get("score")
        if score is not None:
            parts.append(
                _text(x + BOX_W - 10, baseline, str(score), theme.text, text_anchor="end",
                      font_weight="bold" if won else "normal")
            )  # fmt: skip
    if match.get("status") == "live":
        parts.append(
            f'<circle cx="{x + BOX_W - 6:.1f}" cy="{top + 6:.1f}" r="3" fill="{theme.live}"/>'
        )
    parts.append("</g>")
    return parts


def _tree_section(
    side: str, rounds: list[dict[str, Any]], top: float, theme: Theme
) -> tuple[list[str], float, float]:
    """SVG parts of one side, its width and its height."""
    placed = _layout(rounds)
    body_top = top + SECTION_TITLE_H + ROUND_LABEL_H
    parts = [_text(PAD, top + 28, SIDE_TITLES.get(side, side), theme.text, font_size=FONT + 3,
                   font_weight="bold")]  # fmt: skip
    for c, r in enumerate(rounds):
        x = PAD + c * (BOX_W + GAP_X)
        parts.append(
            _text(x, body_top - 8, shorten(r["name"], 30), theme.muted, font_size=FONT - 1)
        )
    by_id = {m["id"]: m for r in rounds for m in r["matches"]}
    for match_id, (c, y) in placed.items():
        target = by_id[match_id].get("next_match_winner_id")
        if target in placed:
            tc, ty = placed[target]
            x1 = PAD + c * (BOX_W + GAP_X) + BOX_W
            x2 = PAD + tc * (BOX_W + GAP_X)
            mid = x1 + GAP_X / 2
            parts.append(
                f'<path d="M{x1:.1f} {body_top + y:.1f} H{mid:.1f} V{body_top + ty:.1f} H{x2:.1f}" '
                f'fill="none" stroke="{theme.line}" stroke-width="1.5"/>'
            )
    for match_id, (c, y) in placed.items():
        parts += _match_box(by_id[match_id], PAD + c * (BOX_W + GAP_X), body_top + y, theme)
    lowest = max((y for _, y in placed.values()), default=0.0) + BOX_H / 2
    width = PAD + len(rounds) * (BOX_W + GAP_X) - GAP_X + PAD
    return parts, width, SECTION_TITLE_H + ROUND_LABEL_H + lowest + GAP_Y


def _elimination(stage: dict[str, Any], top: float, theme: Theme) -> tuple[list[str], float, float]:
    parts: list[str] = []
    width = height = 0.0
    for side in ELIMINATION_SIDES:
        rounds = [r for r in stage["rounds"] if r["side"] == side and r["matches"]]
        if not rounds:
            continue
        section, w, h = _tree_section(side, sorted(rounds, key=lambda r: r["number"]),
                                      top + height, theme)  # fmt: skip
        parts += section
        width, height = max(width, w), height + h
    return parts, width, height


# ----- tables ----------------------------------------------------------------------------------
TABLE_COLUMNS = {
    "league": (("#", "placement", 36), ("Name", "name", 240), ("P", "played", 44),
               ("W", "wins", 44), ("D", "draws", 44), ("L", "losses", 44), ("Pts", "points", 56)),
    "lobby": (("#", "placement", 36), ("Name", "name", 240), ("Games", "played", 64),
              ("Kills", "kills", 64), ("Pts", "points", 64)),
}  # fmt: skip


def _tables(
    tables: list[dict[str, Any]], top: float, theme: Theme
) -> tuple[list[str], float, float]:
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for row in tables:
        groups.setdefault(row.get("group"), []).append(row)
    parts: list[str] = []
    y = top
    width = 0.0
    for group, rows in groups.items():
        kind = "lobby" if "kills" in rows[0] else "league"
        columns = TABLE_COLUMNS[kind]
        table_w = sum(w for _, _, w in columns)
        width = max(width, PAD * 2 + table_w)
        if group:
            parts.append(_text(PAD, y + 28, shorten(group, 60), theme.text, font_size=FONT + 3,
                               font_weight="bold"))  # fmt: skip
            y += SECTION_TITLE_H
        parts.append(
            f'<rect x="{PAD}" y="{y:.1f}" width="{table_w}" height="{ROW_H}" fill="{theme.box}"/>'
        )
        x = PAD
        for title, _, w in columns:
            parts.append(_text(x + 8, y + ROW_H / 2 + FONT * 0.35, title, theme.muted,
                               font_weight="bold"))  # fmt: skip
            x += w
        y += ROW_H
        for index, row in enumerate(rows):
            if index % 2:
                parts.append(
                    f'<rect x="{PAD}" y="{y:.1f}" width="{table_w}" height="{ROW_H}" fill="{theme.box}"/>'
                )
            x = PAD
            for _, key, w in columns:
                value = row.get(key)
                text = shorten(str(value), int((w - 12) / CHAR_W)) if value is not None else "–"
                weight = "bold" if key == "name" and row.get("placement") == 1 else "normal"
                parts.append(_text(x + 8, y + ROW_H / 2 + FONT * 0.35, text, theme.text,
                                   font_weight=weight))  # fmt: skip
                x += w
            y += ROW_H
        y += GAP_Y * 2
    return parts, width, y - top


# ----- the document ---------------------------------------------------------------------------
def draw(
    title: str,
    stage: dict[str, Any],
    tables: list[dict[str, Any]] | None = None,
    *,
    theme: str = "light",
    width: int | None = None,
) -> str:
    """The SVG of one stage. `stage` is one entry of the bracket document's `stages`; `tables`
    the stage's standings rows (used for non-elimination stages). `width` scales the picture
    (its height follows); the default is its natural size."""
    colors = THEMES[theme]
    top = HEADER_H
    if any(r["side"] in ELIMINATION_SIDES and r["matches"] for r in stage["rounds"]):
        parts, w, h = _elimination(stage, top, colors)
    else:
        parts, w, h = _tables(tables or [], top, colors)
    natural_w = max(w, 480.0)
    natural_h = top + max(h, ROW_H) + PAD
    subtitle = f"Stage {stage['number']} · {str(stage['type']).replace('_', ' ')}"
    out_w = width or natural_w
    out_h = natural_h * out_w / natural_w
    head = [
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{out_w:.0f}" height="{out_h:.0f}" viewBox="0 0 {natural_w:.0f} {natural_h:.0f}" '
        f'font-family="Bitstream Vera Sans, DejaVu Sans, Verdana, Arial, sans-serif" font-size="{FONT}">',
        f"<title>{escape(shorten(title, 120))} – {escape(subtitle)}</title>",
        f'<rect width="100%" height="100%" fill="{colors.background}"/>',
        _text(PAD, 30, shorten(title, 80), colors.text, font_size=FONT + 7, font_weight="bold"),
        _text(PAD, 48, subtitle, colors.muted),
    ]
    return "\n".join(head + parts + ["</svg>"]) + "\n"

"""The certificate's design, shared by the PDF and the PNG: fonts, where each line goes, how a
line is split into Latin and Bengali runs, and how a line that is too wide is fitted.

Positions and sizes are fractions of the page's height (and widths of its width), so the A4
landscape PDF and the 1920x1080 PNG carry the same design. A line is fitted by shrinking its
size down to a floor and then cutting it with an ellipsis until it fits its width: nothing ever
overflows the frame.

Fonts: Latin text uses Bitstream Vera, which ships inside reportlab, so no system font is
needed. Bengali needs Noto Sans Bengali (Debian's `fonts-noto-core`, or any directory named
by `CERTIFICATE_FONT_DIRS`); without it a Bengali certificate is drawn in English and a
warning is logged (`bengali_fonts()` answers None).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import reportlab

from deltacrown.certificates.wording import ELLIPSIS, Wording

log = logging.getLogger(__name__)

_VERA = Path(reportlab.__file__).resolve().parent / "fonts"
LATIN_REGULAR = str(_VERA / "Vera.ttf")
LATIN_BOLD = str(_VERA / "VeraBd.ttf")
DEFAULT_FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype/noto")
BENGALI_FILES = ("NotoSansBengali-Regular.ttf", "NotoSansBengali-Bold.ttf")

NAVY = (27, 42, 74)
GOLD = (181, 140, 32)
GREY = (90, 96, 110)
PAPER = (251, 247, 238)
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Fonts:
    latin: tuple[str, str]  # regular, bold
    bengali: tuple[str, str] | None

    def path(self, *, bold: bool, bengali: bool) -> str:
        pair = self.bengali if bengali and self.bengali else self.latin
        return pair[1] if bold else pair[0]


@lru_cache(maxsize=8)
def _find_bengali(dirs: tuple[str, ...]) -> tuple[str, str] | None:
    for folder in dirs:
        paths = tuple(os.path.join(folder, name) for name in BENGALI_FILES)
        if all(os.path.isfile(path) for path in paths):
            return paths[0], paths[1]
    return None


def fonts(font_dirs: tuple[str, ...] = DEFAULT_FONT_DIRS) -> Fonts:
    return Fonts((LATIN_REGULAR, LATIN_BOLD), _find_bengali(tuple(font_dirs)))


def language_to_draw(requested: str, available: Fonts) -> str:
    """`requested`, or English (with a warning) when Bengali is asked for without its font."""
    if requested == "bn" and available.bengali is None:
        log.warning(
            "no Bengali font (NotoSansBengali) installed: drawing the certificate in English; "
            "install fonts-noto-core or set CERTIFICATE_FONT_DIRS"
        )
        return "en"
    return requested


# ----- lines ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Line:
    key: str
    text: str
    y: float  # baseline, fraction of the height from the top
    size: float  # font size, fraction of the height
    min_size: float
    max_width: float  # fraction of the width
    bold: bool = False
    color: tuple[int, int, int] = NAVY
    align: str = "center"  # center, left (at LEFT), right (at RIGHT)


LEFT, RIGHT = 0.08, 0.92
QR_TOP, QR_SIZE = 0.66, 0.20  # fractions of the height; right edge at RIGHT
FRAME_OUTER, FRAME_INNER = 0.03, 0.05  # insets, fractions of the height


def lines(words: Wording) -> list[Line]:
    """Every line of text of the design, top to bottom."""
    result = [
        Line("brand", "DELTACROWN", 0.13, 0.042, 0.042, 0.8, bold=True, color=GOLD),
        Line("title", words.title, 0.23, 0.062, 0.03, 0.8, bold=True),
        Line("awarded_to", words.awarded_to, 0.32, 0.032, 0.02, 0.8, color=GREY),
        Line("name", words.name, 0.43, 0.08, 0.032, 0.8, bold=True),
        Line("phrase", words.phrase, 0.565, 0.032, 0.02, 0.8, color=GREY),
        Line("tournament", words.tournament, 0.64, 0.05, 0.026, 0.8, bold=True),
        Line("placement", words.placement, 0.72, 0.044, 0.024, 0.5, bold=True, color=GOLD),
        Line("game", words.game, 0.83, 0.028, 0.018, 0.4, color=GREY, align="left"),
        Line("date", words.date, 0.88, 0.028, 0.018, 0.4, color=GREY, align="left"),
        Line("code", words.code, 0.905, 0.019, 0.012, 0.4, color=GREY, align="right"),
    ]
    if words.team:
        result.append(Line("team", words.team, 0.495, 0.032, 0.02, 0.8, color=NAVY))
    return result


def is_bengali(char: str) -> bool:
    return "\u0980" <= char <= "\u09ff" or char in "\u200c\u200d\u0964\u0965"


def runs(text: str) -> list[tuple[str, bool]]:
    """`text` cut into runs of one script: (run, is Bengali). Spaces and punctuation stay in
    the run they follow, so each run is shaped whole."""
    result: list[tuple[str, bool]] = []
    for char in text:
        bengali = is_bengali(char)
        neutral = not char.isalnum() and not bengali
        if result and (neutral or result[-1][1] == bengali):
            result[-1] = (result[-1][0] + char, result[-1][1])
        else:
            result.append((char, bengali))
    return result


Measure = Callable[[str, float], float]  # (text, size) -> width, same unit as size


def fit(
    text: str, size: float, min_size: float, max_width: float, measure: Measure
) -> tuple[str, float]:
    """The text and size to draw so the line is at most `max_width` wide: the size shrinks
    down to `min_size`, then the text is cut with an ellipsis."""
    while size > min_size and measure(text, size) > max_width:
        size = max(min_size, size * 0.92)
    if measure(text, size) <= max_width:
        return text, size
    low, high = 0, len(text)  # the longest prefix that fits with its ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + ELLIPSIS, size) <= max_width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS, size


QR_QUIET = 4  # modules of white around the code (the standard quiet zone)


@lru_cache(maxsize=4)  # the PDF and the PNG of one certificate share it
def qr_modules(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of `url` (error correction M) as rows of dark/light modules, no border."""
    import segno

    code = segno.make(url, error="m", micro=False)
    return tuple(tuple(bool(cell) for cell in row) for row in code.matrix)

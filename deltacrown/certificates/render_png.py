"""The 1920x1080 PNG of a certificate (Pillow). Text is shaped by Pillow's Raqm layout
(HarfBuzz), so Bengali conjuncts and vowel signs come out right; each run of one script is
drawn in its own font (Vera for Latin, Noto Sans Bengali for Bengali)."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from deltacrown.certificates import layout
from deltacrown.certificates.wording import Facts, Wording

WIDTH, HEIGHT = 1920, 1080


@lru_cache(maxsize=64)
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.RAQM)


def _run_font(
    fonts: layout.Fonts, bold: bool, bengali: bool, size: float
) -> ImageFont.FreeTypeFont:
    return font(fonts.path(bold=bold, bengali=bengali), max(1, round(size)))


def measure(fonts: layout.Fonts, bold: bool) -> layout.Measure:
    def width(text: str, size: float) -> float:
        return sum(
            _run_font(fonts, bold, bengali, size).getlength(run)
            for run, bengali in layout.runs(text)
        )

    return width


def draw_line(
    draw: ImageDraw.ImageDraw, fonts: layout.Fonts, line: layout.Line, width: int, height: int
) -> tuple[float, float]:
    """Draw one fitted line; answers its left and right edges in pixels."""
    text, size = layout.fit(
        line.text,
        line.size * height,
        line.min_size * height,
        line.max_width * width,
        measure(fonts, line.bold),
    )
    total = measure(fonts, line.bold)(text, size)
    x = {
        "left": layout.LEFT * width,
        "right": layout.RIGHT * width - total,
    }.get(line.align, (width - total) / 2)
    start, y = x, line.y * height
    for run, bengali in layout.runs(text):
        run_font = _run_font(fonts, line.bold, bengali, size)
        draw.text((x, y), run, font=run_font, fill=line.color, anchor="ls")
        x += run_font.getlength(run)
    return start, x


def draw_frame(draw: ImageDraw.ImageDraw, width: int, height: int) -> None:
    outer, inner = layout.FRAME_OUTER * height, layout.FRAME_INNER * height
    draw.rectangle(
        (outer, outer, width - outer, height - outer), outline=layout.NAVY, width=round(height / 90)
    )
    draw.rectangle(
        (inner, inner, width - inner, height - inner),
        outline=layout.GOLD,
        width=round(height / 300),
    )
    rule = height * 0.155
    draw.line((width * 0.4, rule, width * 0.6, rule), fill=layout.GOLD, width=round(height / 400))


def draw_qr(draw: ImageDraw.ImageDraw, url: str, width: int, height: int) -> None:
    modules = layout.qr_modules(url)
    count = len(modules) + 2 * layout.QR_QUIET
    cell = int(layout.QR_SIZE * height // count)
    size = cell * count
    left = round(layout.RIGHT * width) - size
    top = round(layout.QR_TOP * height)
    draw.rectangle((left, top, left + size - 1, top + size - 1), fill=layout.WHITE)
    origin_x, origin_y = left + cell * layout.QR_QUIET, top + cell * layout.QR_QUIET
    for row, cells in enumerate(modules):
        for column, dark in enumerate(cells):
            if dark:
                x, y = origin_x + column * cell, origin_y + row * cell
                draw.rectangle((x, y, x + cell - 1, y + cell - 1), fill=layout.NAVY)


def render(facts: Facts, words: Wording, fonts: layout.Fonts) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), layout.PAPER)
    draw = ImageDraw.Draw(image)
    draw_frame(draw, WIDTH, HEIGHT)
    for line in layout.lines(words):
        draw_line(draw, fonts, line, WIDTH, HEIGHT)
    draw_qr(draw, facts.verify_url, WIDTH, HEIGHT)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=4)  # flat colours compress well even so
    return out.getvalue()

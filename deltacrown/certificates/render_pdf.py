"""The A4 landscape PDF of a certificate (reportlab): vector frame, vector QR code, text in
embedded, subset TrueType fonts.

reportlab does not shape complex scripts, so a Bengali run is shaped and drawn by Pillow's
Raqm layout (HarfBuzz) into a transparent image at four times the print size, placed where
the run goes; the same run is also written as invisible text (render mode 3) in Noto Sans
Bengali, so the certificate's words can be searched, copied and read back, as a scanned
document's text layer is. Latin runs are ordinary vector text.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache

from PIL import Image, ImageDraw
from reportlab import rl_config
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from deltacrown.certificates import layout, render_png
from deltacrown.certificates.wording import Facts, Wording

# Image data written as binary (compressed) rather than ASCII85 text: a third smaller, and
# reportlab's pure-Python ASCII85 encoder was the slowest step of drawing a Bengali PDF.
rl_config.useA85 = 0

WIDTH, HEIGHT = landscape(A4)
SCALE = 4  # pixels per point of the images of Bengali runs


@lru_cache(maxsize=16)
def registered(path: str) -> str:
    """The reportlab font name of the TrueType file at `path` (registered once)."""
    name = "DC-" + os.path.splitext(os.path.basename(path))[0]
    pdfmetrics.registerFont(TTFont(name, path))
    return name


def _rgb(color: tuple[int, int, int]) -> tuple[float, float, float]:
    return color[0] / 255, color[1] / 255, color[2] / 255


def run_width(fonts: layout.Fonts, bold: bool, run: str, bengali: bool, size: float) -> float:
    if bengali and fonts.bengali:
        pixels = render_png.font(fonts.path(bold=bold, bengali=True), max(1, round(size * SCALE)))
        return pixels.getlength(run) / SCALE
    return pdfmetrics.stringWidth(run, registered(fonts.path(bold=bold, bengali=False)), size)


def measure(fonts: layout.Fonts, bold: bool) -> layout.Measure:
    def width(text: str, size: float) -> float:
        return sum(run_width(fonts, bold, run, bengali, size) for run, bengali in layout.runs(text))

    return width


def _draw_bengali(
    canvas: Canvas,
    fonts: layout.Fonts,
    line: layout.Line,
    run: str,
    x: float,
    y: float,
    size: float,
    width: float,
) -> None:
    path = fonts.path(bold=line.bold, bengali=True)
    pixels = render_png.font(path, max(1, round(size * SCALE)))
    ascent, descent = pixels.getmetrics()
    image = Image.new("RGBA", (max(1, round(width * SCALE)), ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((0, ascent), run, font=pixels, fill=line.color, anchor="ls")
    canvas.drawImage(
        ImageReader(image),
        x,
        y - descent / SCALE,
        width=width,
        height=(ascent + descent) / SCALE,
        mask="auto",
    )
    text = canvas.beginText(x, y)
    text.setTextRenderMode(3)  # invisible: the words, for search, copy and reading back
    text.setFont(registered(path), size)
    natural = pdfmetrics.stringWidth(run, registered(path), size)
    text.setHorizScale(100 * width / natural if natural else 100)
    text.textOut(run)
    canvas.drawText(text)


def draw_line(canvas: Canvas, fonts: layout.Fonts, line: layout.Line) -> None:
    text, size = layout.fit(
        line.text,
        line.size * HEIGHT,
        line.min_size * HEIGHT,
        line.max_width * WIDTH,
        measure(fonts, line.bold),
    )
    total = measure(fonts, line.bold)(text, size)
    x = {
        "left": layout.LEFT * WIDTH,
        "right": layout.RIGHT * WIDTH - total,
    }.get(line.align, (WIDTH - total) / 2)
    y = HEIGHT - line.y * HEIGHT
    canvas.setFillColorRGB(*_rgb(line.color))
    for run, bengali in layout.runs(text):
        width = run_width(fonts, line.bold, run, bengali, size)
        if bengali and fonts.bengali:
            _draw_bengali(canvas, fonts, line, run, x, y, size, width)
        else:
            canvas.setFont(registered(fonts.path(bold=line.bold, bengali=False)), size)
            canvas.drawString(x, y, run)
        x += width


def draw_frame(canvas: Canvas) -> None:
    outer, inner = layout.FRAME_OUTER * HEIGHT, layout.FRAME_INNER * HEIGHT
    canvas.setFillColorRGB(*_rgb(layout.PAPER))
    canvas.rect(0, 0, WIDTH, HEIGHT, stroke=0, fill=1)
    canvas.setStrokeColorRGB(*_rgb(layout.NAVY))
    canvas.setLineWidth(HEIGHT / 90)
    canvas.rect(outer, outer, WIDTH - 2 * outer, HEIGHT - 2 * outer, stroke=1, fill=0)
    canvas.setStrokeColorRGB(*_rgb(layout.GOLD))
    canvas.setLineWidth(HEIGHT / 300)
    canvas.rect(inner, inner, WIDTH - 2 * inner, HEIGHT - 2 * inner, stroke=1, fill=0)
    rule = HEIGHT - 0.155 * HEIGHT
    canvas.setLineWidth(HEIGHT / 400)
    canvas.line(WIDTH * 0.4, rule, WIDTH * 0.6, rule)


def draw_qr(canvas: Canvas, url: str) -> None:
    modules = layout.qr_modules(url)
    count = len(modules) + 2 * layout.QR_QUIET
    cell = layout.QR_SIZE * HEIGHT / count
    left = layout.RIGHT * WIDTH - cell * count
    top = HEIGHT - layout.QR_TOP * HEIGHT  # PDF y grows upwards
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(left, top - cell * count, cell * count, cell * count, stroke=0, fill=1)
    canvas.setFillColorRGB(*_rgb(layout.NAVY))
    path = canvas.beginPath()
    for row, cells in enumerate(modules):
        for column, dark in enumerate(cells):
            if dark:
                x = left + (column + layout.QR_QUIET) * cell
                y = top - (row + layout.QR_QUIET + 1) * cell
                path.rect(x, y, cell, cell)
    canvas.drawPath(path, stroke=0, fill=1)


def render(facts: Facts, words: Wording, fonts: layout.Fonts) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(
        out,
        pagesize=(WIDTH, HEIGHT),
        invariant=True,
        pageCompression=1,
        initialFontName=registered(fonts.latin[0]),  # no unembedded Helvetica
    )
    canvas.setTitle(f"{words.title}: {facts.participant_name}")
    canvas.setAuthor("DeltaCrown")
    canvas.setSubject(facts.verify_url)
    draw_frame(canvas)
    for line in layout.lines(words):
        draw_line(canvas, fonts, line)
    draw_qr(canvas, facts.verify_url)
    canvas.showPage()
    canvas.save()
    return out.getvalue()

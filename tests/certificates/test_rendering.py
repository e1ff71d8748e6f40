"""The files themselves: each certificate is drawn once per module and read back (PDF text
with pypdf, PNG pixels with Pillow, the QR code with zbar)."""

from __future__ import annotations

import io
import logging
from datetime import date
from typing import Any

import pypdf
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from deltacrown.certificates import layout, render_pdf, render_png
from deltacrown.certificates.services import Drawn, draw
from deltacrown.certificates.wording import (
    Facts,
    bengali_ordinal,
    english_ordinal,
    format_date,
    shorten,
)
from tests.certificates.zbar import decode

FONTS = layout.fonts()
needs_bengali = pytest.mark.skipif(
    FONTS.bengali is None, reason="Noto Sans Bengali is not installed (fonts-noto-core)"
)
URL = "https://deltacrown.example/api/certificates/verify/q3mY8Jd0c2VlZGx5LXNhZmU/"


def facts(**overrides: Any) -> Facts:
    values: dict[str, Any] = {
        "participant_name": "Rahim Uddin",
        "team_name": "Dhaka Dragons",
        "tournament_name": "Bangladesh Valorant Cup",
        "game": "Valorant",
        "certificate_type": "winner",
        "placement": 1,
        "issued_on": date(2026, 12, 6),
        "code": "q3mY8Jd0c2VlZGx5LXNhZmU",
        "verify_url": URL,
    }
    values.update(overrides)
    return Facts(**values)


def pdf_text(data: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


@pytest.fixture(scope="module")
def drawn() -> dict[str, Drawn]:
    files = {"en": draw(facts(), "en", FONTS)}
    if FONTS.bengali is not None:
        files["bn"] = draw(facts(), "bn", FONTS)
    return files


def test_english_pdf_is_one_a4_landscape_page_saying_who_won_what(drawn: dict[str, Drawn]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(drawn["en"].pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = pdf_text(drawn["en"].pdf)
    for words in (
        "Certificate of Achievement",
        "Rahim Uddin",
        "Dhaka Dragons",
        "Bangladesh Valorant Cup",
        "Champion — 1st place",
        "Game: Valorant",
        "6 December 2026",
        "q3mY8Jd0c2VlZGx5LXNhZmU",
    ):
        assert words in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert fonts and all("/FontFile2" in f.get_object()["/FontDescriptor"] for f in fonts.values())


def test_png_is_1920_by_1080_and_its_qr_code_leads_to_the_verify_url(
    drawn: dict[str, Drawn],
) -> None:
    for files in drawn.values():
        image = Image.open(io.BytesIO(files.png))
        assert (image.format, image.size) == ("PNG", (1920, 1080))
        assert decode(image) == [URL]


@needs_bengali
def test_bengali_pdf_reads_back_in_bengali_with_the_name_and_tournament(
    drawn: dict[str, Drawn],
) -> None:
    assert drawn["bn"].language == "bn"
    text = pdf_text(drawn["bn"].pdf)
    for words in (
        "কৃতিত্বের সনদপত্র",
        "Rahim Uddin",
        "দল: Dhaka Dragons",
        "Bangladesh Valorant Cup",
        "চ্যাম্পিয়ন — ১ম স্থান",
        "তারিখ: ৬ ডিসেম্বর ২০২৬",
    ):
        assert words in text
    assert "Certificate" not in text


@needs_bengali
def test_bengali_is_shaped_not_drawn_letter_by_letter() -> None:
    # A conjunct (ত + ্ + ব) and a pre-base vowel sign: shaped text differs from the same
    # letters drawn one after another.
    word = "কৃতিত্বের"
    path = FONTS.path(bold=True, bengali=True)
    shaped = render_png.font(path, 64)
    basic = ImageFont.truetype(path, 64, layout_engine=ImageFont.Layout.BASIC)
    images = []
    for font in (shaped, basic):
        image = Image.new("L", (600, 120), 255)
        ImageDraw.Draw(image).text((10, 90), word, font=font, fill=0, anchor="ls")
        images.append(image)
    assert ImageChops.difference(*images).getbbox() is not None
    assert shaped.getlength(word) < basic.getlength(word)  # glyphs combine


def test_a_60_character_name_stays_inside_the_frame(drawn: dict[str, Drawn]) -> None:
    long_name = "W" * 60
    wide = draw(facts(participant_name=long_name, team_name=None), "en", FONTS)
    plain = draw(facts(participant_name="Al", team_name=None), "en", FONTS)
    # Screenshot check: everything that differs lies inside the gold frame.
    difference = ImageChops.difference(
        Image.open(io.BytesIO(wide.png)).convert("RGB"),
        Image.open(io.BytesIO(plain.png)).convert("RGB"),
    ).getbbox()
    assert difference is not None
    inset = layout.FRAME_INNER * render_png.HEIGHT
    left, top, right, bottom = difference
    assert inset < left and right < render_png.WIDTH - inset
    assert inset < top and bottom < render_png.HEIGHT - inset
    # The PDF cut the name with an ellipsis, and it fits its line.
    name_line = next(line for line in pdf_text(wide.pdf).splitlines() if line.startswith("WW"))
    assert name_line.endswith("…") and len(name_line) < 50
    width = render_pdf.measure(FONTS, True)(name_line, 0.032 * render_pdf.HEIGHT)
    assert width <= 0.8 * render_pdf.WIDTH


def test_without_a_bengali_font_bengali_falls_back_to_english_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    latin_only = layout.Fonts(FONTS.latin, None)
    with caplog.at_level(logging.WARNING, logger="deltacrown.certificates.layout"):
        files = draw(facts(certificate_type="participant", placement=9), "bn", latin_only)
    assert files.language == "en"
    assert "no Bengali font" in caplog.text
    text = pdf_text(files.pdf)
    assert "Certificate of Participation" in text and "Finished 9th" in text


def test_ordinals_dates_and_shortening_in_both_languages() -> None:
    assert [english_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
    ]  # fmt: skip
    assert [bengali_ordinal(n) for n in (1, 2, 4, 5, 6, 10, 11)] == [
        "১ম", "২য়", "৪র্থ", "৫ম", "৬ষ্ঠ", "১০ম", "১১তম",
    ]  # fmt: skip
    assert format_date(date(2027, 1, 9), "bn") == "৯ জানুয়ারি ২০২৭"
    assert format_date(date(2027, 1, 9), "en") == "9 January 2027"
    assert shorten("x" * 51, 50) == "x" * 49 + "…"
    assert shorten("  a   b ", 50) == "a b"

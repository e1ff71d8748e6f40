"""bracket.svg as a browser draws it: Debian's headless Chromium screenshots the SVG the API
serves, and the picture is not blank (boxes, lines and text in several colours)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1200,900",
]


@pytest.mark.browser
def test_chromium_draws_the_bracket_svg(client: Any, cup: Any, api: Any, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    c = cup(8, format="double_elimination")
    api.generated(c.id)
    response = client.get(f"/api/tournaments/{c.id}/bracket.svg", query_string={"theme": "dark"})
    assert response.status_code == 200
    svg = tmp_path / "bracket.svg"
    svg.write_bytes(response.data)
    shot = tmp_path / "bracket.png"
    result = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            svg.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1200, 900)
        picture = image.convert("RGB")
        colours = picture.getcolors(maxcolors=1_000_000) or []
        spread = ImageStat.Stat(picture.convert("L")).stddev[0]
    assert len(colours) > 10  # not one flat colour: boxes, lines, text, anti-aliasing
    assert spread > 5

"""The API documentation pages in a browser: Swagger UI and ReDoc fetch the OpenAPI document
and render its operations (none of which is in the pages' own HTML: it exists only once their
scripts ran)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

RENDERED = 30_000  # ms: both pages render the whole document, several hundred operations


def test_swagger_ui_renders_an_operation_block_per_path(page: Any) -> None:
    page.goto("/api/docs/swagger")
    page.wait_for_selector('#swagger-ui .opblock [data-path="/api/auth/login/"]', timeout=RENDERED)
    paths = set(
        page.eval_on_selector_all(".opblock [data-path]", "els => els.map(e => e.dataset.path)")
    )
    assert {"/api/auth/login/", "/api/games/", "/api/tournaments/"} <= paths


def test_redoc_renders_the_operations_with_their_verbs(page: Any) -> None:
    page.goto("/api/docs/redoc")
    page.wait_for_selector(".redoc-wrap .http-verb", timeout=RENDERED)
    text = page.inner_text(".redoc-wrap")
    assert "/api/auth/login/" in text and "/api/games/" in text

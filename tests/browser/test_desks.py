"""The desks in a real browser: verify a payment after seeing its proof, overturn a dispute
after the engine's preview, run a tournament from publish to start by clicking, and an
organizer limited to their own tournaments."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.brackets_api.conftest import register_players
from tests.desks.conftest import (  # noqa: F401  (fixtures)
    _session_celery,
    any_cup,
    api,
    cash_queue,
    cup,
    disputed,
    give_profile,
    m,
    make_player,
    organizer,
    started,
)
from tests.factories import make_tournament
from tests.helpers import sign_in_admin

pytestmark = pytest.mark.browser


def signed_in(page: Any, app: Flask, user: Any, server: Any) -> None:
    """Give the browser a signed-in admin session for `user` (the sign-in form itself is
    covered by test_admin_sign_in; hashing a password per test would double these tests' time)."""
    client = app.test_client()
    sign_in_admin(client, user.id)
    name = app.config["SESSION_COOKIE_NAME"]
    cookie = client.get_cookie(name)
    assert cookie is not None
    page.context.add_cookies([{"name": name, "value": cookie.value, "url": server.url}])


def test_an_organizer_verifies_a_payment_after_seeing_its_proof(
    app: Flask,
    page: Any,
    live_server: Any,
    organizer: Any,  # noqa: F811
    cash_queue: Any,  # noqa: F811
) -> None:
    _, (first, second) = cash_queue(organizer, 2)
    signed_in(page, app, organizer, live_server)
    page.goto("/admin/paymentdesk/")
    page.keyboard.press("o")
    page.wait_for_url(f"**/admin/paymentdesk/{first}/")
    proof = page.locator("#proof-image")
    proof.wait_for()
    page.wait_for_function("document.getElementById('proof-image').complete")
    assert proof.evaluate("img => img.naturalWidth") > 0
    page.keyboard.press("v")  # the keyboard alone: v verifies, the next payment opens
    page.wait_for_url(f"**/admin/paymentdesk/{second}/")
    assert "verified" in page.locator(".alert-success").inner_text()
    page.keyboard.press("r")
    page.keyboard.type("No such transaction")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/paymentdesk/")
    assert page.locator("#queue-empty").is_visible()


def test_an_organizer_overturns_a_dispute_after_the_preview(
    app: Flask,
    page: Any,
    live_server: Any,
    organizer: Any,  # noqa: F811
    disputed: Any,  # noqa: F811
    m: Any,  # noqa: F811
) -> None:
    _, semi, dispute = disputed()
    signed_in(page, app, organizer, live_server)
    page.goto(f"/admin/disputedesk/{dispute}/")
    assert page.input_value("#overturn-games") == "13-9, 13-4"
    page.wait_for_function("document.querySelector('#evidence img').complete")
    assert page.locator("#evidence img").evaluate("img => img.naturalWidth") > 0
    page.fill("#overturn-games", "9-13, 4-13")
    page.fill("#overturn-resolution", "The screenshot shows side 2 won both maps.")
    page.click("#overturn-preview-button")
    preview = page.locator("#overturn-preview")
    preview.wait_for()
    assert "goes from match" in preview.inner_text()
    assert m.get(semi).get_json()["status"] == "disputed"
    page.click("#overturn-confirm")
    page.locator(".alert-success").wait_for()
    assert "Overturned" in page.locator("#match-details").inner_text()
    assert m.get(semi).get_json()["status"] == "completed"


def test_an_organizer_runs_a_tournament_from_publish_to_start(
    app: Flask,
    page: Any,
    live_server: Any,
    organizer: Any,  # noqa: F811
    make_player: Any,  # noqa: F811
) -> None:
    tid = make_tournament(app, organizer.id, participant_type="solo", max_participants=4)
    players = [make_player() for _ in range(4)]
    signed_in(page, app, organizer, live_server)
    page.goto(f"/admin/controlroom/{tid}/")

    def step(name: str, state: str) -> None:
        page.click(f"#step-{name}")
        page.wait_for_load_state()
        assert state in page.locator("#tournament-state").inner_text(), page.content()[:3000]

    step("publish", "Published")
    step("open", "Registration open")
    register_players(app, tid, players)
    step("close", "Registration closed")
    step("generate", "Registration closed")
    page.wait_for_function("document.getElementById('bracket-image').naturalWidth > 0")
    step("start", "Ongoing")
    assert page.locator("#steps button").all_inner_texts() == ["Cancel the tournament"]


def test_an_organizer_is_limited_to_their_own_tournaments(
    app: Flask,
    page: Any,
    live_server: Any,
    organizer: Any,  # noqa: F811
    make_user: Any,
    cash_queue: Any,  # noqa: F811
) -> None:
    other = make_user(username="otherorg")
    cash_queue(organizer, 1, prefix="MINE")
    _, (foreign,) = cash_queue(other, 1, prefix="THEIRS")
    signed_in(page, app, organizer, live_server)
    page.goto("/admin/paymentdesk/")
    queue = page.locator("#payment-queue").inner_text()
    assert "MINE000" in queue and "THEIRS000" not in queue
    assert page.goto(f"/admin/paymentdesk/{foreign}/").status == 404
    assert page.goto("/admin/").status == 403

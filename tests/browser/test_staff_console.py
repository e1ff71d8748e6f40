"""The staff console in a real browser at 1366 px: readable lists that fit the screen, the HTML
403 page for non-staff, and the user page with its sections and the deactivate button."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import sign_in
from tests.factories import make_tournament
from tests.helpers import create_user
from tests.teams.conftest import give_profile

pytestmark = pytest.mark.browser

REPR = re.compile(r"<[A-Za-z]")
RAW_TIME = re.compile(r"\d{2}:\d{2}:\d{2}|\+00:00|\d{4}-\d{2}-\d{2}T\d{2}")
SHOWN_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} \+06")


def upper_case_enums() -> set[str]:
    """Every member name of the app's stored enums (`REGISTRATION_OPEN`, ...)."""
    from deltacrown.registrations.models import PaymentStatus, RegistrationStatus
    from deltacrown.tournaments.models import TournamentFormat, TournamentStatus, Visibility

    kinds = (TournamentStatus, TournamentFormat, Visibility, RegistrationStatus, PaymentStatus)
    return {member.name for kind in kinds for member in kind if len(member.name) > 3}


def registered_player(app: Flask, tournament_id: int, username: str) -> Any:
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.registrations import services

    player = create_user(app, username=username)
    give_profile(app, player.id)
    with app.test_request_context():
        services.register(tournament_id, actor=db.session.get(User, player.id))
        db.session.commit()
        db.session.remove()
    return player


def set_time_zone(app: Flask, user_id: int, zone: str) -> None:
    from deltacrown.accounts import services
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    with app.app_context():
        services.set_time_zone(db.session.get(User, user_id), zone)
        db.session.commit()
        db.session.remove()


def test_staff_lists_read_like_a_person_wrote_them_and_fit_the_screen(
    app: Flask, page: Any
) -> None:
    staff = create_user(app, is_staff=True)
    set_time_zone(app, staff.id, "Asia/Dhaka")
    tournament = make_tournament(
        app, staff.id, status="registration_open", name="Dhaka Open", participant_type="solo"
    )
    registered_player(app, tournament, "alice")
    long_name = "Grand " + "Unbrokenwordtournamentnamethatgoesonandon" * 3
    make_tournament(app, staff.id, name=long_name, participant_type="solo")
    sign_in(page, staff.username)

    for path, expected in (
        ("/admin/admin_tournaments/", "Registration open"),
        ("/admin/admin_registrations/", "Dhaka Open"),
        ("/admin/admin_users/", "alice"),
    ):
        page.goto(path)
        text = page.inner_text("main, body")
        assert expected in text, path
        assert not REPR.search(text), (path, REPR.search(text))
        assert not RAW_TIME.search(text), (path, RAW_TIME.search(text))
        assert SHOWN_TIME.search(text), path
        assert not upper_case_enums() & set(re.findall(r"\b[A-Z_]{4,}\b", text)), path
        widths = page.evaluate(
            "[document.documentElement.scrollWidth,"
            " ...[...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right)]"
        )
        assert max(widths) <= 1366, (path, widths)


def test_a_signed_in_player_gets_an_html_403_page_with_a_way_back(app: Flask, page: Any) -> None:
    player = create_user(app)
    sign_in(page, player.username)

    response = page.goto("/admin/admin_users/")

    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "Staff only"
    page.click("text=Sign out and sign in as a staff member")
    assert "/admin/login/" in page.url


def test_staff_deactivate_a_user_from_the_user_page(app: Flask, page: Any) -> None:
    staff = create_user(app, is_staff=True)
    tournament = make_tournament(
        app, staff.id, status="registration_open", name="Dhaka Open", participant_type="solo"
    )
    player = registered_player(app, tournament, "bob")
    sign_in(page, staff.username)
    page.goto(f"/admin/admin_users/details/?id={player.id}")
    for section in (
        "Game profiles",
        "Teams",
        "Registrations",
        "Wallet and ledger",
        "Sanctions",
        "Audit trail",
    ):
        assert page.locator(f"section[data-section='{section}']").count() == 1, section
    assert "Dhaka Open" in page.inner_text("section[data-section='Registrations']")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-action='deactivate']")
    page.wait_for_load_state()

    assert "Deactivated 1 user(s)." in page.inner_text("body")
    assert page.locator("button[data-action='reactivate']").count() == 1
    assert "user.updated" in page.inner_text("section[data-section='Audit trail']")

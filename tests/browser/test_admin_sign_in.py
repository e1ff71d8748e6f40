"""The staff console signs staff in through its own form, in a real browser."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import sign_in
from tests.helpers import create_user

pytestmark = pytest.mark.browser


def test_staff_signs_in_and_reaches_the_admin_home(app: Flask, page: Any) -> None:
    staff = create_user(app, is_staff=True)

    sign_in(page, staff.username)

    assert "/admin/login" not in page.url
    assert (
        page.locator("a", has_text="Sign out").count()
        + page.locator("a", has_text="Log out").count()
        >= 1
    ), page.content()[:2000]


def test_wrong_password_keeps_the_visitor_on_the_sign_in_page(app: Flask, page: Any) -> None:
    staff = create_user(app, is_staff=True)

    sign_in(page, staff.username, "not-the-password")

    assert "/admin/login" in page.url
    assert page.locator(".alert-danger").count() == 1

"""Canary for the test-isolation recipe: what one test commits, the next never sees."""

import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.extensions import db

CANARY = "isolation_canary"


def test_a_commit_inside_a_test_is_visible_within_it(app_ctx, make_user):
    make_user(username=CANARY)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(User.username == CANARY)) == 1


def test_b_the_previous_tests_commit_is_gone(app_ctx):
    assert db.session.scalar(sa.select(sa.func.count()).where(User.username == CANARY)) == 0

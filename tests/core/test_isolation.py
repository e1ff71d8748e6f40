"""Canary for the test-isolation recipe (tests/conftest.py `isolated_database`): what one test
commits, the next never sees, and nothing reaches the database.

One test plays two tests in a row with the recipe itself, so it proves isolation on its own,
whatever the order or the xdist worker it runs in."""

import pytest
import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.extensions import db
from tests.conftest import isolated_database
from tests.helpers import create_user

CANARY = "isolation_canary"


def canaries() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(User.username == CANARY))


def committed_canaries(app) -> int:
    """Counted on a connection of its own, outside any test transaction."""
    with app.app_context(), db.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).where(User.username == CANARY))


@pytest.mark.own_isolation
def test_a_commit_inside_a_test_is_gone_for_the_next_test_and_never_reaches_the_database(app):
    assert committed_canaries(app) == 0
    try:
        with isolated_database(app):  # the first test: it commits, and sees its commit
            create_user(app, username=CANARY)
            with app.app_context():
                db.session.commit()
                assert canaries() == 1
        with isolated_database(app):  # the next test starts clean
            with app.app_context():
                assert canaries() == 0
        assert committed_canaries(app) == 0
    finally:
        with app.app_context(), db.engine.begin() as connection:  # a leak must not outlive us
            connection.execute(sa.delete(User).where(User.username == CANARY))

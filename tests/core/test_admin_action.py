"""`core.admin.admin_action`: one staff change is one unit of work; a broken rule is flashed."""

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from deltacrown.core import audit
from deltacrown.core.actors import SYSTEM
from deltacrown.core.admin import admin_action, error_message, run_for_each
from deltacrown.core.errors import ConflictError, ValidationError
from deltacrown.core.transaction import after_commit
from deltacrown.extensions import db


@pytest.fixture
def admin_request(app):
    """A POST to the admin, as Flask-Admin's actions and forms run in."""
    with app.test_request_context("/admin/", method="POST"):
        yield
        db.session.remove()


def actions_recorded(action):
    return db.session.scalars(
        sa.select(audit.AuditEntry.action).where(audit.AuditEntry.action == action)
    ).all()


def test_a_successful_action_commits_and_then_runs_its_effects(admin_request):
    ran = []
    with admin_action() as outcome:
        audit.record(actor=SYSTEM, action="test.admin_ok")
        after_commit(ran.append, "effect")
        assert ran == []  # not before the commit
    assert outcome.ok and outcome.error is None
    assert ran == ["effect"]
    db.session.rollback()  # nothing pending is left to lose: the row was committed
    assert actions_recorded("test.admin_ok") == ["test.admin_ok"]
    assert get_flashed_messages() == []


def test_a_domain_error_is_flashed_and_nothing_is_written(admin_request):
    ran = []
    with admin_action("#7: ") as outcome:
        audit.record(actor=SYSTEM, action="test.admin_refused")
        after_commit(ran.append, "effect")
        raise ConflictError("The tournament already started.")
    assert not outcome.ok
    assert isinstance(outcome.error, ConflictError)
    assert get_flashed_messages(with_categories=True) == [
        ("error", "#7: The tournament already started.")
    ]
    assert actions_recorded("test.admin_refused") == []
    assert ran == []


def test_flash_error_false_keeps_the_refusal_for_the_caller(admin_request):
    with admin_action(flash_error=False) as outcome:
        raise ConflictError()
    assert outcome.error is not None and outcome.error.code == "conflict"
    assert get_flashed_messages() == []


def test_any_other_exception_rolls_back_and_propagates(admin_request):
    with pytest.raises(RuntimeError), admin_action():
        audit.record(actor=SYSTEM, action="test.admin_bug")
        raise RuntimeError("a bug")
    assert actions_recorded("test.admin_bug") == []
    assert get_flashed_messages() == []


def test_each_row_of_a_bulk_action_stands_alone(admin_request):
    def call(row_id, actor):
        audit.record(actor=SYSTEM, action=f"test.row_{row_id}")
        if row_id == 2:
            raise ConflictError(f"Row {row_id} is locked.")

    assert run_for_each(["1", "2", "3"], call, "{count} row(s) done.") == 2
    assert actions_recorded("test.row_1") and actions_recorded("test.row_3")
    assert actions_recorded("test.row_2") == []
    assert get_flashed_messages(with_categories=True) == [
        ("error", "#2: Row 2 is locked."),
        ("success", "2 row(s) done."),
    ]


def test_the_flashed_message_names_the_fields_a_rule_refused():
    error = ValidationError("Invalid schema.", errors={"schema": ["Not a JSON object."]})
    assert error_message(error) == "Invalid schema. schema: Not a JSON object."
    assert error_message(ConflictError()) == "Conflict"

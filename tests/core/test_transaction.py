"""The unit of work: commit at the boundary, side effects only after a successful commit."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.accounts.models import User
from deltacrown.core.transaction import (
    after_commit,
    on_rollback,
    run_ready_effects,
    savepoint,
    unit_of_work,
)
from deltacrown.extensions import db


@pytest.fixture
def emitted():
    return []


@pytest.fixture
def hook_register(monkeypatch, emitted):
    """Make every successful registration register a side effect."""
    from deltacrown.accounts import services

    original = services.register_user

    def register_and_emit(**kwargs):
        user = original(**kwargs)
        after_commit(emitted.append, user.username)
        return user

    monkeypatch.setattr(services, "register_user", register_and_emit)


def body(name):
    return {"username": name, "email": f"{name}@example.test", "password": "long-enough-pw"}


def test_a_committed_request_runs_its_effects(client, hook_register, emitted):
    assert client.post("/api/auth/register/", json=body("emitter")).status_code == 201
    assert emitted == ["emitter"]


def test_a_rolled_back_request_emits_nothing(client, app, hook_register, emitted, monkeypatch):
    """The user row and its effect are registered, then the request fails: neither survives."""
    from deltacrown.accounts import services

    registering = services.register_user  # the hooked version that emits

    def register_then_fail(**kwargs):
        registering(**kwargs)
        raise services.WeakPasswordError("failing after the write")

    monkeypatch.setattr(services, "register_user", register_then_fail)
    response = client.post("/api/auth/register/", json=body("ghost"))
    assert response.status_code == 422
    assert emitted == []
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.username == "ghost")) is None


def test_unit_of_work_commits_and_then_runs_effects(app_ctx, emitted):
    from deltacrown.accounts import services

    with unit_of_work():
        services.register_user(
            username="uow_ok", email="uow@example.test", password="long-enough-pw"
        )
        after_commit(emitted.append, "done")
        assert emitted == []
    assert emitted == ["done"]
    assert db.session.scalar(sa.select(User.id).where(User.username == "uow_ok")) is not None


def test_unit_of_work_rolls_back_and_drops_effects(app_ctx, emitted):
    from deltacrown.accounts import services

    with pytest.raises(RuntimeError), unit_of_work():
        services.register_user(
            username="uow_bad", email="bad@example.test", password="long-enough-pw"
        )
        after_commit(emitted.append, "never")
        raise RuntimeError("boom")
    run_ready_effects()
    assert emitted == []
    assert db.session.scalar(sa.select(User.id).where(User.username == "uow_bad")) is None


def test_a_failing_effect_does_not_undo_the_commit(app_ctx, emitted):
    from deltacrown.accounts import services

    def broken():
        raise RuntimeError("mail server down")

    with unit_of_work():
        services.register_user(
            username="uow_eff", email="eff@example.test", password="long-enough-pw"
        )
        after_commit(broken)
        after_commit(emitted.append, "still runs")
    assert emitted == ["still runs"]
    assert db.session.scalar(sa.select(User.id).where(User.username == "uow_eff")) is not None


def test_unique_violation_at_commit_becomes_409(client, app, monkeypatch):
    """A race the service's pre-check cannot see ends in the unique index: 409, not 500."""
    from deltacrown.accounts import services

    monkeypatch.setattr(services, "_ensure_unique", lambda *a, **k: None)
    assert client.post("/api/auth/register/", json=body("racer")).status_code == 201
    second = body("racer")
    second["email"] = "other@example.test"
    response = client.post("/api/auth/register/", json=second)
    assert response.status_code == 409
    assert response.get_json()["code"] == "conflict"


def test_a_failed_savepoint_keeps_the_outer_units_effects(app_ctx, emitted):
    """A caught savepoint failure is not the end of the unit of work."""
    from deltacrown.accounts import services

    with unit_of_work():
        services.register_user(
            username="outer", email="outer@example.test", password="long-enough-pw"
        )
        after_commit(emitted.append, "outer effect")
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(
                User(
                    username="outer",
                    username_key="outer",
                    email="dup@example.test",
                    password_hash="x",
                )
            )
            db.session.flush()
        with db.session.begin_nested():  # a released savepoint is not the commit either
            after_commit(emitted.append, "inner effect")
        assert emitted == []
    assert emitted == ["outer effect", "inner effect"]


def test_an_effect_registered_in_a_rolled_back_savepoint_never_runs(app_ctx, emitted):
    """The outer unit commits; what the failed savepoint queued is dropped with its rows."""
    with unit_of_work():
        after_commit(emitted.append, "before")
        with pytest.raises(RuntimeError), savepoint():
            after_commit(emitted.append, "inside the failed savepoint")
            raise RuntimeError("the step is refused")
        after_commit(emitted.append, "after")
    assert emitted == ["before", "after"]


def test_a_savepoint_rolled_back_directly_drops_its_effects_too(app_ctx, emitted):
    with unit_of_work():
        nested = db.session.begin_nested()
        after_commit(emitted.append, "inside")
        nested.rollback()
    assert emitted == []


def test_a_rolled_back_savepoint_runs_its_compensations_only(app_ctx, emitted):
    with unit_of_work():
        on_rollback(emitted.append, "outer compensation")
        with pytest.raises(RuntimeError), savepoint():
            on_rollback(emitted.append, "undo inner file")
            raise RuntimeError("refused")
        assert emitted == ["undo inner file"]
    assert emitted == ["undo inner file"]


def test_nested_savepoints_drop_only_the_failed_levels_effects(app_ctx, emitted):
    with unit_of_work():
        with savepoint():
            after_commit(emitted.append, "kept")
            with pytest.raises(RuntimeError), savepoint():
                after_commit(emitted.append, "dropped")
                raise RuntimeError("inner refused")
    assert emitted == ["kept"]

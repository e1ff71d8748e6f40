"""`enforcement.check` itself: scopes, teams, expiry and future starts by time travel, the
cache (what it holds, when it is dropped)."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from deltacrown.core.time import utcnow
from deltacrown.extensions import cache, db
from deltacrown.moderation import enforcement
from deltacrown.moderation.enforcement import Action, cache_key, check


def in_app(app, func, *args, **kwargs):
    with app.app_context():
        try:
            return func(*args, **kwargs)
        finally:
            db.session.remove()


def test_a_tournament_suspension_counts_only_in_that_tournament(app, user, sanction, tournament):
    here, elsewhere = tournament(), tournament()
    sanction(type="suspension", scope="tournament", scope_id=here, user_id=user.id)
    assert not in_app(app, check, user.id, Action.REGISTER, here).allowed
    assert in_app(app, check, user.id, Action.REGISTER, elsewhere).allowed
    assert in_app(app, check, user.id, Action.REGISTER).allowed  # no tournament: global only


def test_the_decision_names_the_sanction_its_reason_and_end(app, user, sanction):
    ends = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    sanction_id = sanction(type="suspension", user_id=user.id, ends_at=ends)
    decision = in_app(app, check, user.id, Action.CHECK_IN, 1)
    assert decision.as_dict() == {
        "allowed": False,
        "reason_code": "suspended",
        "sanction_id": sanction_id,
        "ends_at": ends.isoformat().replace("+00:00", "Z"),
    }


def test_the_gravest_sanction_is_the_one_reported(app, user, sanction):
    sanction(type="suspension", user_id=user.id)
    ban = sanction(type="ban", user_id=user.id)
    decision = in_app(app, check, user.id, Action.REGISTER, 1)
    assert (decision.reason_code, decision.sanction_id) == ("banned", ban)


def test_a_team_sanction_applies_when_the_gate_names_the_team(
    app, user, sanction, make_player, make_team
):
    team = make_team(make_player())
    sanction(type="suspension", team_id=team["id"])
    assert not in_app(app, check, user.id, Action.REGISTER, 1, team_id=team["id"]).allowed
    assert in_app(app, check, user.id, Action.REGISTER, 1).allowed


def test_a_sanction_ends_on_time_even_while_cached(app, user, sanction):
    start = utcnow()
    sanction(type="mute", scope="chat", user_id=user.id, ends_at=start + timedelta(hours=1))
    assert not in_app(app, check, user.id, Action.LIVE_MESSAGE).allowed  # now cached
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        assert in_app(app, check, user.id, Action.LIVE_MESSAGE).allowed


def test_a_sanction_starting_later_applies_from_its_start(app, user, sanction):
    start = utcnow()
    sanction(type="ban", user_id=user.id, starts_at=start + timedelta(days=1))
    assert in_app(app, check, user.id, Action.LOGIN).allowed
    with time_machine.travel(start + timedelta(days=1, seconds=1), tick=False):
        assert not in_app(app, check, user.id, Action.LOGIN).allowed


def test_the_cache_holds_ids_types_and_times_only(app, user, sanction):
    sanction_id = sanction(type="shop_ban", scope="shop", user_id=user.id)
    in_app(app, check, user.id, Action.SHOP)
    cached = in_app(app, cache.get, cache_key("user", user.id))
    assert len(cached) == 1
    entry_id, type_, scope, scope_id, starts, ends = cached[0]
    assert (entry_id, type_, scope, scope_id, ends) == (sanction_id, "shop_ban", "shop", None, None)
    assert isinstance(starts, float)
    assert user.username not in repr(cached) and user.email not in repr(cached)


def test_a_cached_answer_is_dropped_when_a_sanction_is_recorded_or_revoked(
    app, user, sanction, revoke
):
    assert in_app(app, check, user.id, Action.SHOP).allowed  # "no sanctions" now cached
    sanction_id = sanction(type="shop_ban", scope="shop", user_id=user.id)
    assert not in_app(app, check, user.id, Action.SHOP).allowed
    revoke(sanction_id)
    assert in_app(app, check, user.id, Action.SHOP).allowed


def test_what_an_unfinished_write_reads_is_not_cached(app, user):
    from deltacrown.core.actors import SYSTEM
    from deltacrown.moderation import services
    from deltacrown.moderation.models import SanctionScope, SanctionType

    with app.test_request_context():
        services.create_sanction(
            actor=SYSTEM,
            type=SanctionType.BAN,
            scope=SanctionScope.GLOBAL,
            reason_code="cheating",
            user_id=user.id,
        )
        assert not check(user.id, Action.LOGIN).allowed
        db.session.rollback()
        assert cache.get(cache_key("user", user.id)) is None
        assert check(user.id, Action.LOGIN).allowed
        db.session.remove()


def test_warnings_block_nothing(app, user, sanction):
    sanction(type="warning", user_id=user.id)
    assert all(in_app(app, check, user.id, action, 1).allowed for action in Action)
    assert in_app(app, enforcement.active_entries, "user", user.id) == []


def test_a_cache_that_is_down_is_skipped(app, user, sanction, monkeypatch):
    import redis

    def down(*args, **kwargs):
        raise redis.ConnectionError("down")

    sanction(type="ban", user_id=user.id)
    for name in ("get", "set", "delete"):
        monkeypatch.setattr(cache, name, down)
    assert not in_app(app, check, user.id, Action.LOGIN).allowed

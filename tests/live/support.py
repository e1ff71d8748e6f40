"""Shared by the cross-process test and the benchmarks (bench/ws_fanout.py; `forget` also by
bench/brackets_postgres.py): a live best-of-3 match committed for real (seeded through the
services, as an operator's script would), and the removal of channels' realtime keys from
Redis."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa


@dataclass
class LiveMatch:
    """A `live` best-of-3 final of a public solo cup; tokens of its organizer and both sides
    (`sides[0]` is participant 1)."""

    match_id: int
    tournament_id: int
    organizer: str
    sides: tuple[str, str]
    user_ids: list[int]


def seed_live_match(app: Any, prefix: str, domain: str = "live.test") -> LiveMatch:
    """Organizer, two Valorant players, a public cup, its bracket, started, the final live."""
    from deltacrown.accounts import services as accounts
    from deltacrown.accounts.tokens import tokens_for
    from deltacrown.brackets import services as brackets
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db
    from deltacrown.matches.models import Match
    from deltacrown.registrations import services as registrations
    from deltacrown.registrations.models import Registration
    from deltacrown.tournaments import services as tournaments
    from tests.factories import open_tournament

    with app.test_request_context(), unit_of_work():
        users = [
            accounts.register_user(
                username=f"{prefix}{role}",
                email=f"{prefix}{role}@{domain}",
                password="live-test-password",  # noqa: S106  (a throwaway account)
            )
            for role in ("o", "a", "b")
        ]
        organizer, *players = users
        for n, player in enumerate(players, start=1):
            accounts.add_game_profile(player, game_ref="valorant", in_game_id=f"{prefix}{n}#LV{n}")
        tournament = open_tournament(
            organizer, name=f"Live {prefix}", participant_type="solo", max_participants=4
        )
        for player in players:
            registrations.register(tournament.id, actor=player)
        tournaments.close_registration(tournament.id, actor=organizer)
        brackets.generate_bracket(tournament.id, actor=organizer, options={"best_of": 3})
        brackets.start_tournament(tournament.id, actor=organizer)
        match = db.session.scalars(
            sa.select(Match).where(Match.tournament_id == tournament.id)
        ).one()  # live: it started by itself (the tournament's auto_start_matches)
        side_user = {
            r.id: r.user_id
            for r in db.session.scalars(
                sa.select(Registration).where(Registration.tournament_id == tournament.id)
            )
        }
        token = {u.id: tokens_for(u)["access_token"] for u in users}
        seeded = LiveMatch(
            match_id=match.id,
            tournament_id=tournament.id,
            organizer=token[organizer.id],
            sides=(
                token[side_user[match.participant1_registration_id]],
                token[side_user[match.participant2_registration_id]],
            ),
            user_ids=[u.id for u in users],
        )
    with app.app_context():
        db.session.remove()
    return seeded


def delete_created_rows(
    engine: sa.Engine, metadata: sa.MetaData, roots: dict[str, set[int]]
) -> None:
    """Delete the root rows and every row that references them, directly or through other
    such rows (found by following the foreign keys; children go first), plus their audit
    entries. Following the keys keeps this right when a domain adds a table."""
    found = {name: set(ids) for name, ids in roots.items()}
    conditions: dict[str, Any] = {}
    with engine.begin() as conn:
        for table in metadata.sorted_tables:  # parents before children
            refs = [fk for fk in table.foreign_keys if found.get(fk.column.table.name)]
            if not refs:
                continue
            conditions[table.name] = sa.or_(
                *(fk.parent.in_(sorted(found[fk.column.table.name])) for fk in refs)
            )
            if "id" in table.c:
                ids = conn.scalars(sa.select(table.c.id).where(conditions[table.name])).all()
                found.setdefault(table.name, set()).update(ids)
        audit = metadata.tables["audit_entries"]
        targets = [
            sa.and_(audit.c.target_type == name, audit.c.target_id.in_(sorted(ids)))
            for name, ids in found.items()
            if ids
        ]
        actors = sorted(found.get("users", ()))
        conn.execute(sa.delete(audit).where(sa.or_(audit.c.actor_id.in_(actors), *targets)))
        for table in reversed(metadata.sorted_tables):
            if table.name in roots and "id" in table.c:
                conn.execute(sa.delete(table).where(table.c.id.in_(sorted(found[table.name]))))
            elif table.name in conditions:
                conn.execute(sa.delete(table).where(conditions[table.name]))


def forget_channels(redis_url: str, seeded: LiveMatch) -> None:
    """Remove the realtime keys (seq counters, replay buffers) of the match's channels."""
    forget(redis_url, (f"match:{seeded.match_id}", f"tournament:{seeded.tournament_id}"))


def forget(redis_url: str, channels: tuple[str, ...]) -> None:
    """Remove the realtime keys (seq counters, replay buffers) of these channels."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        for channel in channels:
            keys = list(client.scan_iter(match=f"*:{channel}"))
            if keys:
                client.delete(*keys)
    finally:
        client.close()


def server_env(database_url: str, redis_url: str, secret: str, **extra: str) -> dict[str, str]:
    """The environment of a server-mode process for tests and benchmarks: production
    settings on the given database and Redis, signing with `secret`; Celery tasks go to an
    in-memory broker nobody consumes (the live paths need none of them run)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        DELTACROWN_ENV="production",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL="memory://",
        SECRET_KEY=secret,
        JWT_SECRET_KEY=secret,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env

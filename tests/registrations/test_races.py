"""200 simultaneous sign-ups for 64 places, through the HTTP API on a threaded live server.

The capacity and the waitlist positions are decided under a row lock on the tournament
(`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the write unit of work is BEGIN IMMEDIATE),
so exactly 64 registrations hold a place and 136 wait at positions 1..136, whatever the
interleaving. With a coin fee, exactly the 64 holders are debited.

* PostgreSQL: the data is committed for real by a separate app whose engine pool has a
  connection per worker (the per-test transaction would serialise everything) and which, as
  server mode does, enqueues what follows a sign-up for workers (an in-memory broker here),
  50 client workers fire the 200 requests, and everything committed is deleted afterwards.
* SQLite (the embedded default): a fresh database file migrated for the test, served by a
  threaded live server, the same 200 requests from 50 workers.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.app import MIGRATIONS_DIR, create_app
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from tests.helpers import LiveServer

PLACES = 64
PLAYERS = 200
WORKERS = 50


class Race:
    """A race app with its own connection pool, committed set-up, and the clean-up."""

    def __init__(self, app: Flask, database_url: str) -> None:
        self.app = app
        self.database_url = database_url
        self.prefix = f"rr{uuid.uuid4().hex[:6]}"
        self.user_ids: list[int] = []
        self.tournament_ids: list[int] = []

    def setup(self, *, fee_coins: int | None = None, deposit: int = 0) -> tuple[int, list[str]]:
        """Commit an organizer, the players (with Valorant ids, and coins), and an open solo
        tournament of 64 places; return its id and the players' access tokens."""
        from deltacrown.accounts import services as accounts
        from deltacrown.accounts.tokens import access_token_for
        from deltacrown.core.time import isoformat, utcnow
        from deltacrown.economy.models import TransactionKind
        from deltacrown.economy.services import ledger
        from deltacrown.tournaments import services as tournaments
        from deltacrown.tournaments.schemas import TournamentCreateArgs

        with self.app.test_request_context(), unit_of_work():
            organizer = accounts.register_user(
                username=f"{self.prefix}org",
                email=f"{self.prefix}org@example.test",
                password="long-enough-pw",
            )
            self.user_ids.append(organizer.id)
            tokens = []
            for n in range(PLAYERS):
                player = accounts.register_user(
                    username=f"{self.prefix}p{n}",
                    email=f"{self.prefix}p{n}@example.test",
                    password="long-enough-pw",
                )
                accounts.add_game_profile(
                    player, game_ref="valorant", in_game_id=f"{self.prefix}{n}#R{n:04d}"
                )
                if deposit:
                    ledger.credit(player.id, deposit, kind=TransactionKind.DEPOSIT)
                self.user_ids.append(player.id)
                tokens.append(access_token_for(player)["access_token"])
            now = utcnow().replace(microsecond=0)
            body = {
                "name": f"Race Cup {self.prefix}",
                "game": "valorant",
                "format": "single_elimination",
                "participant_type": "solo",
                "max_participants": PLACES,
                "registration_opens_at": isoformat(now + timedelta(days=1)),
                "registration_closes_at": isoformat(now + timedelta(days=5)),
                "start_at": isoformat(now + timedelta(days=7)),
            }
            if fee_coins:
                body |= {"entry_fee": {"coins": fee_coins}, "payment_methods": ["deltacoin"]}
            tournament = tournaments.create_tournament(
                actor=organizer, data=TournamentCreateArgs().load(body)
            )
            tournaments.publish_tournament(tournament.id, actor=organizer)
            tournaments.open_registration(tournament.id, actor=organizer)
            tournament_id = tournament.id
            self.tournament_ids.append(tournament_id)
        return tournament_id, tokens

    def fire(self, tournament_id: int, tokens: list[str]) -> Counter[tuple[int, str]]:
        """POST every sign-up at once from WORKERS threads; count (status, outcome)."""
        gate = threading.Event()

        def sign_up(base: str, token: str) -> tuple[int, str]:
            request = urllib.request.Request(
                f"{base}/api/tournaments/{tournament_id}/registrations/",
                data=json.dumps({"answers": {}}).encode(),
                method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
            )
            gate.wait()
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    return response.status, json.load(response)["status"]
            except urllib.error.HTTPError as error:
                return error.code, json.load(error).get("code", "?")

        with LiveServer(self.app) as server, ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = [pool.submit(sign_up, server.url, token) for token in tokens]
            gate.set()
            return Counter(future.result(timeout=300) for future in futures)

    def rows(self, tournament_id: int) -> list[tuple[Any, ...]]:
        from deltacrown.registrations.models import Registration

        with self.app.app_context():
            result = db.session.execute(
                sa.select(
                    Registration.user_id,
                    Registration.status,
                    Registration.waitlist_position,
                    Registration.coin_transaction_id,
                ).where(Registration.tournament_id == tournament_id)
            ).all()
            db.session.remove()
        return [tuple(row) for row in result]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.app.app_context():
            value = db.session.execute(sa.text(sql), params).scalar()
            db.session.remove()
        return value

    def clean_up(self) -> None:
        statements = [
            "DELETE FROM registration_payments WHERE tournament_id = ANY(:t)",
            "DELETE FROM registration_members WHERE tournament_id = ANY(:t)",
            "DELETE FROM registrations WHERE tournament_id = ANY(:t)",
            "DELETE FROM wallet_transactions WHERE wallet_id IN "
            "(SELECT id FROM wallets WHERE user_id = ANY(:u))",
            "DELETE FROM wallets WHERE user_id = ANY(:u)",
            "DELETE FROM audit_entries WHERE actor_id = ANY(:u) "
            "OR (target_type = 'tournaments' AND target_id = ANY(:t))",
            "DELETE FROM idempotency_keys WHERE scope = ANY(:scopes)",
            "DELETE FROM tournaments WHERE id = ANY(:t)",
            "DELETE FROM game_profiles WHERE user_id = ANY(:u)",
            "DELETE FROM users WHERE id = ANY(:u)",
        ]
        params = {
            "t": self.tournament_ids or [-1],
            "u": self.user_ids or [-1],
            "scopes": [f"user:{u}" for u in self.user_ids] or ["-"],
        }
        engine = sa.create_engine(self.database_url)
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement), params)
        engine.dispose()
        with self.app.app_context():
            db.engine.dispose()


def pooled_app(database_url: str, **config: Any) -> Flask:
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WORKERS, "max_overflow": 0, "pool_timeout": 120},
        **config,
    )


@pytest.fixture
def pg_race(database_url: str, is_postgres: bool) -> Iterator[Race]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    # As server mode serves them: what follows a sign-up (notices, webhooks) is enqueued for
    # the workers, not run inside the request as the test default does.
    race = Race(pooled_app(database_url, CELERY_BROKER_URL="memory://"), database_url)
    try:
        yield race
    finally:
        race.clean_up()


def assert_64_holders_and_a_gapless_line(race: Race, tournament_id: int, outcomes: Counter) -> None:
    print(f"\nrace outcomes: {dict(outcomes)}")
    rows = race.rows(tournament_id)
    statuses = Counter(status.value for _, status, _, _ in rows)
    print(f"registrations by status: {dict(statuses)}")
    assert outcomes == {(201, "confirmed"): PLACES, (201, "waitlisted"): PLAYERS - PLACES}
    assert len(rows) == PLAYERS
    assert len({user_id for user_id, *_ in rows}) == PLAYERS  # no duplicates
    assert statuses["confirmed"] + statuses["pending"] == PLACES
    assert statuses["waitlisted"] == PLAYERS - PLACES
    positions = sorted(pos for _, status, pos, _ in rows if status.value == "waitlisted")
    assert positions == list(range(1, PLAYERS - PLACES + 1))


@pytest.mark.postgres
def test_200_sign_ups_for_64_places_on_postgres(pg_race):
    tournament_id, tokens = pg_race.setup()
    outcomes = pg_race.fire(tournament_id, tokens)
    assert_64_holders_and_a_gapless_line(pg_race, tournament_id, outcomes)


@pytest.mark.postgres
def test_200_coin_sign_ups_for_64_places_debit_exactly_64_wallets(pg_race):
    from deltacrown.economy.queries import find_ledger_mismatches

    tournament_id, tokens = pg_race.setup(fee_coins=10, deposit=100)
    outcomes = pg_race.fire(tournament_id, tokens)
    assert_64_holders_and_a_gapless_line(pg_race, tournament_id, outcomes)
    rows = pg_race.rows(tournament_id)
    paid = [tx for _, status, _, tx in rows if status.value == "confirmed"]
    assert len(paid) == PLACES and all(tx is not None for tx in paid)
    assert all(tx is None for _, status, _, tx in rows if status.value == "waitlisted")
    debits = pg_race.scalar(
        "SELECT count(*) FROM wallet_transactions WHERE kind = 'entry_fee' "
        "AND reference_type = 'registrations' AND reference_id IN "
        "(SELECT id FROM registrations WHERE tournament_id = :t)",
        t=tournament_id,
    )
    print(f"entry-fee debits: {debits}")
    assert debits == PLACES
    players = pg_race.user_ids[1:]
    with pg_race.app.app_context():
        balances = Counter(
            db.session.scalars(
                sa.text("SELECT balance FROM wallets WHERE user_id = ANY(:u)"), {"u": players}
            )
        )
        db.session.remove()
    assert balances == {90: PLACES, 100: PLAYERS - PLACES}
    with pg_race.app.app_context():
        checked, broken = find_ledger_mismatches()
        db.session.remove()
    assert broken == [] and checked >= PLAYERS


@pytest.mark.embedded
def test_200_sign_ups_for_64_places_on_the_embedded_sqlite_default(tmp_path):
    from flask_migrate import upgrade

    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    app = pooled_app(url)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    race = Race(app, url)
    try:
        tournament_id, tokens = race.setup()
        outcomes = race.fire(tournament_id, tokens)
        assert_64_holders_and_a_gapless_line(race, tournament_id, outcomes)
    finally:
        with app.app_context():
            db.engine.dispose()

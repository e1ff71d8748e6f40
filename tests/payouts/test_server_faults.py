"""Payouts in server mode (PostgreSQL, Redis, a real Celery worker process):

* The worker process paying a tournament's prizes is killed (SIGKILL) right after the first
  credit commits, before its task is acknowledged. The message goes back to the queue, the
  worker's replacement process runs it again and pays the rest; every winner is credited
  exactly once and both the ledger and the payout reconciliation are clean.
* Two workers creating one tournament's payouts at once make one set of payouts.

The set-up is committed for real by a separate app (the per-test transaction would hide it
from the worker and serialise the racers) and deleted afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.app import create_app
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from tests.payouts.conftest import COINS_100, build_finished
from tests.probes.test_faults import RedisServer, redis_server, stop_worker, wait_until  # noqa: F401

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


class Committed:
    """Completed tournaments committed for real, and their clean-up."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.app: Flask = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=database_url,
            SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 4, "max_overflow": 0},
        )
        self.prefix = f"po{uuid.uuid4().hex[:6]}"
        self.user_ids: list[int] = []
        self.tournament_ids: list[int] = []

    def tournament(self, placements: list[int]) -> tuple[int, list[int]]:
        """A completed 100-coin tournament (50/30/20 %); (its id, the players best first)."""
        from deltacrown.accounts import services as accounts

        with self.app.test_request_context(), unit_of_work():
            users = [
                accounts.register_user(
                    username=f"{self.prefix}u{n}",
                    email=f"{self.prefix}u{n}@example.test",
                    password="long-enough-pw",
                )  # fmt: skip
                for n in range(len(placements) + 1)
            ]
            self.user_ids += [u.id for u in users]
            cup = build_finished(users[0].id, [[u.id] for u in users[1:]], placements, **COINS_100)
            self.tournament_ids.append(cup.id)
            players = [u.id for u in users[1:]]
        return cup.id, players

    def paid(self, tournament_id: int) -> int:
        with self.app.app_context():
            count = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM payouts WHERE tournament_id = :t AND status = 'paid'"
                ),
                {"t": tournament_id},
            )
            db.session.remove()
        return int(count or 0)

    def facts(self, tournament_id: int) -> dict[str, Any]:
        from deltacrown.accounts.models import User
        from deltacrown.economy.models import Transaction, Wallet
        from deltacrown.economy.queries import find_ledger_mismatches
        from deltacrown.payouts import services
        from deltacrown.payouts.models import Payout

        with self.app.app_context():
            payouts = db.session.scalars(
                sa.select(Payout).where(Payout.tournament_id == tournament_id)
            ).all()
            credits = db.session.execute(
                sa.select(Wallet.user_id, Transaction.amount, Transaction.idempotency_key)
                .join(Wallet, Wallet.id == Transaction.wallet_id)
                .where(Transaction.reference_type == "payouts", Transaction.kind == "prize",
                       Transaction.reference_id.in_([p.id for p in payouts] or [-1]))
            ).all()  # fmt: skip
            staff = db.session.scalar(sa.select(User).where(User.id == self.user_ids[0]))
            staff.is_staff = True  # only to read the report; rolled back below
            report = services.verify(tournament_id, actor=staff)
            mismatches = find_ledger_mismatches()[1]
            rows = sorted((p.user_id, p.coins, p.status.value) for p in payouts)
            db.session.rollback()
            db.session.remove()
        return {
            "payouts": rows,
            "credits": sorted((user_id, amount) for user_id, amount, _ in credits),
            "keys": sorted(key for _, _, key in credits),
            "report": report,
            "ledger_mismatches": mismatches,
        }

    def clean_up(self) -> None:
        statements = [
            "DELETE FROM payouts WHERE tournament_id = ANY(:t)",
            "DELETE FROM wallet_transactions WHERE wallet_id IN "
            "(SELECT id FROM wallets WHERE user_id = ANY(:u) OR account = ANY(:a))",
            "DELETE FROM wallets WHERE user_id = ANY(:u) OR account = ANY(:a)",
            "DELETE FROM tournament_results WHERE tournament_id = ANY(:t)",
            "DELETE FROM registrations WHERE tournament_id = ANY(:t)",
            "DELETE FROM audit_entries WHERE actor_id = ANY(:u) "
            "OR (target_type = 'tournaments' AND target_id = ANY(:t))",
            "DELETE FROM tournaments WHERE id = ANY(:t)",
            "DELETE FROM users WHERE id = ANY(:u)",
        ]
        params = {
            "t": self.tournament_ids or [-1],
            "u": self.user_ids or [-1],
            "a": [f"escrow:tournament:{t}" for t in self.tournament_ids] or ["-"],
        }
        engine = sa.create_engine(self.database_url)
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(sa.text(statement), params)
        engine.dispose()
        with self.app.app_context():
            db.engine.dispose()


@pytest.fixture
def committed(app: Flask, database_url: str, is_postgres: bool) -> Iterator[Committed]:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    world = Committed(database_url)
    try:
        yield world
    finally:
        world.clean_up()
        # Building the app made its Celery this thread's current one: the session's again, so
        # later tests' task proxies run against the session app.
        app.extensions["celery"].set_current()


def start_worker(broker: str, database_url: str, mark: Path, log: Path) -> Any:
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "PROBE_DATABASE_URL": database_url,
        "PAYOUT_KILL_MARK": str(mark),
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.payouts.fault_worker:celery", "worker",
         "--pool", "prefork", "--concurrency", "1", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def test_a_worker_killed_after_the_first_credit_leaves_every_winner_paid_exactly_once(
    committed: Committed,
    redis_server: RedisServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    tournament_id, players = committed.tournament([1, 2, 3, 4])
    mark, log = tmp_path / "killed", tmp_path / "worker.log"
    from celery import Celery

    sender = Celery("payout-sender", broker=redis_server.url)
    sender.config_from_object("celeryconfig")
    sender.conf.update(broker_url=redis_server.url, task_always_eager=False)
    sender.send_task("payouts.create_for_tournament", kwargs={"tournament_id": tournament_id})
    worker = start_worker(redis_server.url, committed.database_url, mark, log)
    try:
        wait_until(mark.exists, 60, f"the first credit and the kill ({log})")

        wait_until(lambda: committed.paid(tournament_id) == 3, 60,
                   f"the replacement process to pay the rest ({log})")  # fmt: skip
    finally:
        stop_worker(worker)
    killed_pid, first_payout = mark.read_text().split()
    facts = committed.facts(tournament_id)
    # 100 coins, 50/30/20 %: three winners, the 4th place paid nothing.
    assert facts["payouts"] == sorted(
        [(players[0], 50, "paid"), (players[1], 30, "paid"), (players[2], 20, "paid")]
    )
    assert facts["credits"] == sorted([(players[0], 50), (players[1], 30), (players[2], 20)])
    assert len(set(facts["keys"])) == 3  # one ledger row per payout, `payout:<id>`
    assert f"payout:{first_payout}" in facts["keys"]
    assert facts["ledger_mismatches"] == []
    report = facts["report"]
    assert report["ok"] is True and (report["expected"], report["paid"]) == (3, 3)
    assert report["duplicates"] == [] and report["amount_mismatches"] == []
    assert int(killed_pid) != worker.pid  # the pool's child died, the worker carried on


def test_two_workers_creating_one_tournaments_payouts_make_one_set(committed: Committed) -> None:
    from deltacrown.payouts import services

    tournament_id, _ = committed.tournament([1, 2, 3])
    start = threading.Barrier(2, timeout=10)
    created: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            with committed.app.app_context():
                start.wait()
                with unit_of_work():
                    created.append(len(services.create_payouts(tournament_id).created))
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    workers = [threading.Thread(target=create) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert sorted(created) == [0, 3]
    facts = committed.facts(tournament_id)
    assert len(facts["payouts"]) == 3 and facts["report"]["ok"] is True
    assert len(facts["credits"]) == 3  # each credited once (in-process tasks after each commit)

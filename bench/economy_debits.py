"""Debits per second through the ledger service, one unit of work (commit) per debit.

    .venv/bin/python bench/economy_debits.py [--debits 2000] [--threads 8]

Runs on a temporary SQLite file, and also on PostgreSQL when TEST_DATABASE_URL is set (in a
temporary database created next to it and dropped afterwards). Each run debits one wallet
sequentially, then from `--threads` threads at once (all contending for the same wallet row,
the worst case for the conditional UPDATE), and checks the ledger invariant at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from deltacrown.app import MIGRATIONS_DIR, create_app  # noqa: E402


def run(url: str, debits: int, threads: int) -> None:
    from flask_migrate import upgrade

    from deltacrown.accounts.services import register_user
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.economy.models import TransactionKind
    from deltacrown.economy.queries import find_ledger_mismatches
    from deltacrown.economy.services import ledger
    from deltacrown.extensions import db

    options = {"pool_size": threads + 2, "max_overflow": 0} if url.startswith("postgres") else {}
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
    with app.app_context(), unit_of_work():
        user_id = register_user(
            username="bench", email="bench@example.test", password=uuid.uuid4().hex
        ).id
        ledger.credit(user_id, 10 * debits + 10, kind=TransactionKind.DEPOSIT)

    def debit(n: int) -> None:
        with app.app_context(), unit_of_work():
            ledger.debit(user_id, 5, kind=TransactionKind.ENTRY_FEE, key=f"bench:{n}")

    started = time.perf_counter()
    for n in range(debits):
        debit(n)
    sequential = debits / (time.perf_counter() - started)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(debit, range(debits, 2 * debits)))
    concurrent = debits / (time.perf_counter() - started)
    with app.app_context():
        checked, broken = find_ledger_mismatches()
        balance = db.session.scalar(sa.text("SELECT balance FROM wallets"))
        db.engine.dispose()
    name = sa.make_url(url).get_backend_name()
    print(
        f"{name:<10} sequential {sequential:8.0f} debits/s   {threads} threads "
        f"{concurrent:8.0f} debits/s   balance {balance} (expected 10), "
        f"{'invariant OK' if not broken else f'{len(broken)} broken wallets'} ({checked} checked)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debits", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.sqlite3", args.debits, args.threads)
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        print("postgresql skipped (set TEST_DATABASE_URL)")
        return
    url = sa.make_url(base)
    name = f"dc_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        run(url.set(database=name).render_as_string(hide_password=False), args.debits, args.threads)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()

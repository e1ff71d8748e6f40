"""Page render time of the desks with 1,000 rows in each queue, beside the admin home page.

    python bench/admin_desks.py                       # temporary SQLite file, 1,000 rows
    python bench/admin_desks.py --rows 1000 --renders 30
    python bench/admin_desks.py --database-url postgresql+psycopg://postgres@127.0.0.1/empty_db

It builds a fresh schema (the migrations), then seeds, in bulk (not the API): a cash
tournament with `--rows` pending registrations whose bKash payments (with a stored PNG
proof) wait in the payment desk, and a free single-elimination tournament with `--rows`
confirmed players, its bracket drawn by the service, and `--rows` open disputes spread over
its matches (its first-round matches disputed, so the control room lists them as needing
attention). Each page is rendered `--renders` times (after one warm-up) through the Flask
test client, signed in as staff, and one JSON line per page prints the median and p95 in
milliseconds; the baseline is the admin home page (the same Flask-Admin layout, no queue).
The target is a p95 under 300 ms for every desk page (exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
TARGET_MS = 300


def build_app(database_url: str | None, workdir: str) -> Any:
    from flask_migrate import upgrade

    from deltacrown.app import MIGRATIONS_DIR, create_app
    from deltacrown.extensions import db

    url = database_url or f"sqlite:///{workdir}/desks.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, STORAGE_ROOT=f"{workdir}/storage")
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        db.session.remove()
    return app


def _tournament(owner: Any, name: str, **fields: Any) -> Any:
    from tests.factories import open_tournament

    return open_tournament(owner, name=name, participant_type="solo", **fields)


def seed(app: Any, rows: int) -> dict[str, Any]:
    """The bench data (see the module); returns the ids the pages need."""
    import sqlalchemy as sa

    from deltacrown.accounts import services as accounts
    from deltacrown.accounts.models import User
    from deltacrown.brackets import services as brackets
    from deltacrown.core import storage
    from deltacrown.extensions import db
    from deltacrown.matches.models import Dispute, Match, MatchStatus
    from deltacrown.registrations.models import Payment, Registration
    from deltacrown.tournaments import services as tournaments

    with app.test_request_context():
        staff = accounts.register_user(
            username="deskstaff", email="deskstaff@bench.test", password="bench-password-1",  # noqa: S106
            is_staff=True,
        )  # fmt: skip
        owner = accounts.register_user(
            username="deskowner",
            email="deskowner@bench.test",
            password="bench-password-1",  # noqa: S106
        )
        now = datetime.now(UTC).replace(microsecond=0)
        db.session.execute(
            sa.insert(User),
            [
                {"username": f"desk{i}", "username_key": f"desk{i}",
                 "email": f"desk{i}@bench.test", "password_hash": "!"}
                for i in range(rows)
            ],
        )  # fmt: skip
        players = list(
            db.session.scalars(
                sa.select(User.id)
                .where(User.username.like("desk%"))
                .where(User.id.not_in([staff.id, owner.id]))
                .order_by(User.id)
            )
        )
        cash = _tournament(
            owner, "Desk Cash Cup", max_participants=rows,
            entry_fee={"amount": "50.00", "currency": "BDT"}, payment_methods=["bkash"],
        )  # fmt: skip
        free = _tournament(owner, "Desk Bracket Cup", max_participants=rows)

        def registrations(tournament_id: int, status: str, payment: str) -> list[int]:
            db.session.execute(
                sa.insert(Registration),
                [
                    {"tournament_id": tournament_id, "user_id": uid, "registered_by_id": uid,
                     "status": status, "payment_status": payment, "answers": {},
                     "created_at": now + timedelta(seconds=i), "confirmed_at": now,
                     "fee_amount": Decimal("50.00") if payment != "not_required" else None,
                     "fee_currency": "BDT" if payment != "not_required" else None}
                    for i, uid in enumerate(players)
                ],
            )  # fmt: skip
            return list(
                db.session.scalars(
                    sa.select(Registration.id)
                    .where(Registration.tournament_id == tournament_id)
                    .order_by(Registration.id)
                )
            )

        proof = storage.save(io.BytesIO(PNG), "payment_proof", "proof.png")
        waiting = registrations(cash.id, "pending", "submitted")
        db.session.execute(
            sa.insert(Payment),
            [
                {"registration_id": rid, "tournament_id": cash.id, "method": "bkash",
                 "sender_number": "01711000000", "transaction_id": f"DESK{i:05d}",
                 "amount": Decimal("50.00"), "currency": "BDT", "proof_key": proof,
                 "status": "submitted", "submitted_by_id": players[i],
                 "submitted_at": now - timedelta(minutes=rows - i)}
                for i, rid in enumerate(waiting)
            ],
        )  # fmt: skip
        registrations(free.id, "confirmed", "not_required")
        tournaments.close_registration(free.id, actor=owner)
        brackets.generate_bracket(free.id, actor=owner)
        matches = list(
            db.session.scalars(
                sa.select(Match).where(Match.tournament_id == free.id).order_by(Match.position)
            )
        )
        first_round = [m for m in matches if m.participant1_registration_id is not None]
        for match in first_round:
            match.status = MatchStatus.DISPUTED
        db.session.execute(
            sa.insert(Dispute),
            [
                {"match_id": first_round[i % len(first_round)].id, "tournament_id": free.id,
                 "registration_id": first_round[i % len(first_round)].participant2_registration_id,
                 "reason": "The other side reported a score that was not played, see the video.",
                 "evidence": [], "status": "open", "created_at": now - timedelta(minutes=rows - i)}
                for i in range(rows)
            ],
        )  # fmt: skip
        db.session.commit()
        ids = {
            "staff": staff.id,
            "cash": cash.id,
            "free": free.id,
            "payment": db.session.scalar(
                sa.select(Payment.id).order_by(Payment.submitted_at).limit(1)
            ),
            "dispute": db.session.scalar(
                sa.select(Dispute.id).order_by(Dispute.created_at).limit(1)
            ),
        }
        db.session.remove()
    return ids


def signed_in_client(app: Any, user_id: int) -> Any:
    from flask import session

    from deltacrown.accounts.models import User
    from deltacrown.core.admin import start_admin_session
    from deltacrown.extensions import db

    client = app.test_client()
    with app.test_request_context():
        start_admin_session(db.session.get(User, user_id))
        values = dict(session)
        db.session.remove()
    with client.session_transaction() as browser:
        browser.update(values)
    return client


def time_page(client: Any, url: str, renders: int) -> dict[str, Any]:
    response = client.get(url)  # warm-up (templates compiled, caches filled)
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code}")
    times = []
    for _ in range(renders):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"median_ms": round(statistics.median(times), 1), "p95_ms": round(p95, 1),
            "bytes": len(response.data)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: temporary SQLite)")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        app = build_app(args.database_url, workdir)
        clock = time.perf_counter()
        ids = seed(app, args.rows)
        print(
            json.dumps({"seeded_rows": args.rows, "seconds": round(time.perf_counter() - clock, 1)})
        )
        client = signed_in_client(app, ids["staff"])
        pages = {
            "baseline: admin home": "/admin/",
            "payment desk queue": "/admin/paymentdesk/",
            "payment desk item": f"/admin/paymentdesk/{ids['payment']}/",
            "dispute desk queue": "/admin/disputedesk/",
            "dispute desk item": f"/admin/disputedesk/{ids['dispute']}/",
            "control room": f"/admin/controlroom/{ids['free']}/",
        }
        slow = []
        for name, url in pages.items():
            figures = time_page(client, url, args.renders)
            print(json.dumps({"page": name, "url": url, "rows": args.rows,
                              "renders": args.renders, **figures}))  # fmt: skip
            if not name.startswith("baseline") and figures["p95_ms"] >= TARGET_MS:
                slow.append(name)
    if slow:
        print(json.dumps({"over_target_ms": TARGET_MS, "pages": slow}))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

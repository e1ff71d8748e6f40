"""Certificates drawn per second by the batch (`certificates.batch.generate`), one process,
and the sizes of the files.

    .venv/bin/python bench/certificates.py [--participants 256] [--lang en bn]

Builds a completed tournament of `--participants` solo players (placements 1..N) in a
temporary SQLite database and storage folder (the rows as the certificates' tests build
them), then makes every certificate in each language, timing the whole batch: drawing the
PDF and the PNG, storing both, one unit of work per certificate. Prints one JSON line per
language: `{"language", "participants", "seconds", "per_second", "pdf_bytes", "png_bytes",
"load_average"}` (sizes are the mean per certificate; the machine's one-minute load average
at the end, since a busy machine slows drawing down).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from deltacrown.app import MIGRATIONS_DIR, create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=256)
    parser.add_argument("--lang", nargs="+", default=["en", "bn"], choices=["en", "bn"])
    options = parser.parse_args()

    from flask_migrate import upgrade

    from deltacrown.accounts.services import register_user
    from deltacrown.certificates import batch
    from deltacrown.certificates.models import Certificate
    from deltacrown.core import storage
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db
    from tests.certificates.conftest import build_completed

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}",
            STORAGE_ROOT=os.path.join(folder, "storage"),
        )
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR, revision="heads")
        with app.app_context(), unit_of_work():
            organizer = register_user(
                username="benchorg", email="benchorg@example.test", password=uuid.uuid4().hex
            ).id
        cup = build_completed(app, organizer, [], extra=options.participants)
        for language in options.lang:
            with app.app_context():
                started = time.perf_counter()
                summary = batch.generate(cup.id, language)
                seconds = time.perf_counter() - started
                made = list(
                    db.session.scalars(
                        sa.select(Certificate).where(Certificate.language == language)
                    )
                )
                backend = storage.get_backend()
                pdf = sum(backend.path(c.pdf_key).stat().st_size for c in made)  # type: ignore[attr-defined]
                png = sum(backend.path(c.png_key).stat().st_size for c in made)  # type: ignore[attr-defined]
                drawn = {c.drawn_language for c in made}
            print(
                json.dumps(
                    {
                        "language": language,
                        "drawn": sorted(drawn),
                        "participants": options.participants,
                        "made": summary.made,
                        "failed": len(summary.failed),
                        "seconds": round(seconds, 2),
                        "per_second": round(summary.made / seconds, 1),
                        "pdf_bytes": pdf // max(1, len(made)),
                        "png_bytes": png // max(1, len(made)),
                        "load_average": round(os.getloadavg()[0], 1),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()

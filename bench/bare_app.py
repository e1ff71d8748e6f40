"""The hot-reads baseline: a bare Flask + Flask-SQLAlchemy app listing 20 tournaments from the
same PostgreSQL (newest first, five columns, as JSON). bench/hot_reads.py serves it with the
same gunicorn settings as DeltaCrown. `BENCH_DATABASE_URL` names the database."""

from __future__ import annotations

import os

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BENCH_DATABASE_URL"]
db = SQLAlchemy(app)


class Tournament(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "tournaments"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String)
    slug = db.Column(db.String)
    status = db.Column(db.String)
    start_at = db.Column(db.DateTime(timezone=True))


@app.get("/tournaments/")
def tournaments() -> object:
    rows = Tournament.query.order_by(Tournament.id.desc()).limit(20).all()
    return jsonify(
        [
            {
                "id": t.id,
                "name": t.name,
                "slug": t.slug,
                "status": t.status,
                "start_at": t.start_at.isoformat(),
            }
            for t in rows
        ]
    )

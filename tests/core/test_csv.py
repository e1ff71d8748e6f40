"""core.csv: cell formatting, Accept negotiation and the csv_export decorator on its own."""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Response

from deltacrown.accounts.models import User
from deltacrown.core.csv import Column, csv_export, format_cell, iter_csv, wants_csv


class Colour(enum.StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-5, "-5"),  # numbers are not formulas
        (Decimal("-150.00"), "-150.00"),
        (datetime(2026, 5, 1, 10, 0, tzinfo=UTC), "2026-05-01T10:00:00Z"),
        (datetime(2026, 5, 1, 16, 0, tzinfo=timezone(timedelta(hours=6))), "2026-05-01T10:00:00Z"),
        (date(2026, 5, 1), "2026-05-01"),
        (Colour.RED, "red"),
        ("plain", "plain"),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        ("ünïcödé", "ünïcödé"),
    ],
)
def test_format_cell(value, expected):
    assert format_cell(value) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv", True),
        ("text/csv, application/json;q=0.5", True),
        ("text/*", True),
        ("application/json", False),
        ("*/*", False),
        ("application/json, text/csv", False),
        (None, False),
    ],
)
def test_wants_csv_only_when_csv_is_preferred(app, accept, expected):
    headers = {"Accept": accept} if accept else {}
    with app.test_request_context(headers=headers):
        assert wants_csv() is expected


@dataclass
class Row:
    id: int
    name: str


def _parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_iter_csv_sends_the_header_first_then_rows_in_chunks(monkeypatch):
    from deltacrown.core import csv as csv_module

    monkeypatch.setattr(csv_module, "FLUSH_EVERY", 2)
    rows = [Row(n, f"name,{n}") for n in range(5)]
    columns = [Column("id"), Column("name"), Column("upper", lambda r: r.name.upper())]
    chunks = list(iter_csv(rows, columns))
    assert chunks[0] == "\ufeffid,name,upper\r\n"
    assert len(chunks) == 4  # header, 2 + 2 rows, the last row
    parsed = _parse("".join(chunks))
    assert parsed[1] == ["0", "name,0", "NAME,0"]  # quoting keeps the comma in one cell
    assert len(parsed) == 6


def test_decorated_unpaginated_view_answers_csv_or_passes_through(app):
    @csv_export(["id", "name"], filename="things.csv")
    def view():
        return [Row(1, "=cmd"), Row(2, "ok")]

    with app.test_request_context(headers={"Accept": "text/csv"}):
        response = view()
        assert isinstance(response, Response)
        assert response.headers["Content-Disposition"] == 'attachment; filename="things.csv"'
        assert _parse(response.get_data(as_text=True)) == [
            ["id", "name"],
            ["1", "'=cmd"],
            ["2", "ok"],
        ]
    with app.test_request_context():
        assert view() == [Row(1, "=cmd"), Row(2, "ok")]
    doc = view._apidoc["manual_doc"]["responses"][200]
    assert doc["content"]["text/csv"]["example"] == "id,name\r\n"


def test_a_select_of_columns_streams_rows(app, make_user):
    make_user(username="colrow")

    @csv_export(["username", "is_staff"], filename="x.csv")
    def view():
        return sa.select(User.username, User.is_staff).where(User.username == "colrow")

    with app.test_request_context(headers={"Accept": "text/csv"}):
        text = view().get_data(as_text=True)
    assert _parse(text) == [["username", "is_staff"], ["colrow", "false"]]

"""The staff console's formatters: times in the viewer's zone to the minute, enums as labels,
money with its symbol, rows by name (never a repr)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from flask import g

from deltacrown.core import admin_format as fmt
from deltacrown.core.audit import AuditEntry
from deltacrown.tournaments.models import TournamentStatus

MOMENT = datetime(2026, 12, 6, 13, 30, 12, 345678, tzinfo=UTC)


def test_times_are_shown_to_the_minute_with_the_zone():
    assert fmt.when(MOMENT, fmt.zone("Asia/Dhaka")) == "2026-12-06 19:30 +06"
    assert fmt.when(MOMENT, fmt.zone("Asia/Kolkata")) == "2026-12-06 19:00 +05:30"
    assert fmt.when(MOMENT, fmt.zone("America/New_York")) == "2026-12-06 08:30 -05"
    assert fmt.when(MOMENT, fmt.zone("UTC")) == "2026-12-06 13:30 UTC"
    assert fmt.when(MOMENT.replace(tzinfo=None), fmt.zone("Asia/Dhaka")) == "2026-12-06 19:30 +06"
    assert fmt.when(None) == ""


def test_an_unknown_zone_name_falls_back_to_utc():
    assert fmt.zone("Mars/Olympus") is UTC and fmt.zone(None) is UTC and fmt.zone("") is UTC
    assert fmt.zone("x" * 300) is UTC


def test_times_follow_the_signed_in_staff_members_zone(app):
    with app.test_request_context():
        g.admin_user = SimpleNamespace(time_zone="Asia/Dhaka")
        assert fmt.when(MOMENT) == "2026-12-06 19:30 +06"
        g.admin_user = None
        assert fmt.when(MOMENT) == "2026-12-06 13:30 UTC"


def test_enums_read_as_labels():
    assert fmt.label(TournamentStatus.REGISTRATION_OPEN) == "Registration open"
    assert fmt.label("REGISTRATION_OPEN") == "Registration open"
    assert fmt.label("awaiting_confirmation") == "Awaiting confirmation"
    assert fmt.label(None) == ""


def test_money_has_its_symbol_and_coins_their_word():
    assert fmt.money(Decimal("1000"), "BDT") == "৳1,000.00"
    assert fmt.money("-12.5", "bdt") == "-৳12.50"
    assert fmt.money(Decimal("5"), "CHF") == "CHF 5.00"
    assert fmt.money(None, "BDT") == ""
    assert (fmt.coins(500), fmt.coins(1), fmt.coins(-2000)) == (
        "500 coins",
        "1 coin",
        "-2,000 coins",
    )


def test_a_row_is_named_never_shown_as_a_repr():
    assert fmt.name(AuditEntry(id=4)) == "Audit entry #4"
    assert fmt.name(TournamentStatus.DRAFT) == "draft"  # not a model: its own str


def test_list_cells_use_the_formatters():
    """Flask-Admin takes the first formatter whose type matches (enums are also str)."""

    def shown(value):
        formatter = next(f for kind, f in fmt.TYPE_FORMATTERS.items() if isinstance(value, kind))
        return formatter(None, value, "column")

    assert shown(TournamentStatus.DRAFT) == "Draft"
    assert shown(MOMENT) == "2026-12-06 13:30 UTC"
    assert shown(AuditEntry(id=9)) == "Audit entry #9"
    assert shown(Decimal("1234.5")) == "1,234.50"


def test_rows_say_their_names():
    from deltacrown.accounts.models import User
    from deltacrown.games.models import Game
    from deltacrown.registrations.models import Registration, RegistrationStatus
    from deltacrown.tournaments.models import Tournament

    alice = User(username="alice")
    registration = Registration(
        id=19,
        user_id=5,
        user=alice,
        tournament=Tournament(name="Dhaka Open"),
        status=RegistrationStatus.PENDING,
    )
    assert str(registration) == "#19 alice — Dhaka Open (pending)"
    assert (str(alice), str(Game(name="eFootball"))) == ("alice", "eFootball")

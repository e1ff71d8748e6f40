"""With REQUIRE_EMAIL_VERIFICATION on, an unverified address may register for free
tournaments but not for ones with an entry fee."""

from __future__ import annotations

from tests.helpers import assert_problem


def test_an_unverified_address_registers_for_free_but_not_for_a_fee(
    app, monkeypatch, tournament, make_player, register, registered
):
    paid = tournament(entry_fee={"coins": 30}, payment_methods=["deltacoin"])
    free = tournament()
    player = make_player()
    monkeypatch.setitem(app.config, "REQUIRE_EMAIL_VERIFICATION", True)
    assert_problem(register(paid, player), 403, "email_not_verified")
    assert registered(free, player)["status"] == "confirmed"

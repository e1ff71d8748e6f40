"""The analytics endpoints over HTTP: who may call them, the participants CSV, players'
records, the staff figures, constant query counts; and the summary's refresh paths (the CLI,
a tournament completing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from deltacrown.analytics import summary
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.tournaments.models import Tournament, TournamentStatus
from tests.helpers import assert_problem


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(Engine, "before_cursor_execute", listener)


def test_tournament_analytics_for_its_organizer_only(client, world, bearer, make_user):
    url = f"/api/tournaments/{world.cup}/analytics/"
    body = client.get(url, headers=bearer(world.org.id)).get_json()
    assert body["total_participants"] == 4 and body["median_match_minutes"] == 20.0
    assert body["cache"]["source"] == "live" and body["cache"]["as_of"].endswith("Z")
    assert client.get(url).status_code == 401
    stranger = make_user(username="stranger")
    assert_problem(client.get(url, headers=bearer(stranger.id)), 403, "forbidden")
    backwards = client.get(
        "/api/organizer/analytics/",
        headers=bearer(world.org.id),
        query_string={"from": "2026-05-02", "to": "2026-05-01"},
    )
    assert_problem(backwards, 422, "validation_error")


def test_query_count_does_not_grow_with_the_tournament(client, world, bearer):
    headers = bearer(world.org.id)
    client.get(f"/api/tournaments/{world.empty}/analytics/", headers=headers)  # warm caches
    counts = []
    for tournament_id in (world.cup, world.empty):
        with counting() as statements:
            assert (
                client.get(
                    f"/api/tournaments/{tournament_id}/analytics/", headers=headers
                ).status_code
                == 200
            )
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    with counting() as organizer:
        assert client.get("/api/organizer/analytics/", headers=headers).status_code == 200
    with counting() as player:
        assert client.get(f"/api/users/{world.players['p1'].id}/stats/").status_code == 200
    with counting() as newcomer:
        assert client.get(f"/api/users/{world.players['p8'].id}/stats/").status_code == 200
    assert len(player) == len(newcomer) and len(organizer) < 15


def test_participants_csv_has_the_12_columns_and_a_bom(client, world, bearer):
    response = client.get(
        f"/api/tournaments/{world.cup}/analytics/participants.csv", headers=bearer(world.org.id)
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert list(rows[0]) == [
        "participant_id", "participant_name", "registration_status", "checked_in",
        "checked_in_at", "matches_played", "matches_won", "matches_lost", "placement",
        "prize_amount", "registration_created_at", "payment_status",
    ]  # fmt: skip
    by_id = {int(r["participant_id"]): r for r in rows}
    assert len(rows) == 7
    first = by_id[world.regs["r1"]]
    assert first["participant_name"] == "analyst1" and first["checked_in"] == "true"
    assert (first["matches_played"], first["matches_won"], first["matches_lost"]) == ("3", "3", "0")
    assert first["placement"] == "1" and first["prize_amount"] == "500 coins"
    team = by_id[world.regs["r6"]]
    assert team["participant_name"] == "Stat Squad" and team["prize_amount"] == "150.00 BDT"
    assert (team["matches_played"], team["matches_won"], team["matches_lost"]) == ("3", "2", "1")
    assert by_id[world.regs["r5"]]["placement"] == "" and "@" not in text


def test_player_record_public_and_complete(client, world, bearer):
    p1, p6 = world.players["p1"].id, world.players["p6"].id
    public = client.get(f"/api/users/{p1}/stats/").get_json()
    assert public["total_tournaments"] == 1 and public["tournaments_won"] == 1
    assert (public["total_matches_played"], public["matches_won"], public["matches_lost"]) == (
        3,
        3,
        0,
    )
    assert public["win_rate"] == 1.0 and public["best_placement"] == "1st"
    assert public["tournaments_by_game"] == {"valorant": 1}
    assert public["recent_results"][0]["placement"] == 1
    assert "total_prize_winnings" not in public
    mine = client.get("/api/me/stats/", headers=bearer(p1)).get_json()
    assert mine["total_prize_winnings"] == {"coins": 500, "cash": []}
    member = client.get("/api/me/stats/", headers=bearer(p6)).get_json()
    assert (member["matches_won"], member["matches_lost"], member["win_rate"]) == (2, 1, 0.6667)
    assert member["runner_up_count"] == 1 and member["best_placement"] == "2nd"
    assert member["total_prize_winnings"]["cash"] == [{"currency": "BDT", "amount": "150.00"}]
    nobody = client.get(f"/api/users/{world.players['p8'].id}/stats/").get_json()
    assert nobody["total_tournaments"] == 0 and nobody["win_rate"] == 0.0
    assert nobody["best_placement"] is None
    assert_problem(client.get("/api/users/999999/stats/"), 404)


def test_staff_figures(client, world, bearer, staff, sanction):
    sanction(user_id=world.players["p1"].id, type="mute", scope="chat")
    headers = bearer(staff.id)
    moderation = client.get("/api/admin/analytics/moderation/", headers=headers).get_json()
    assert moderation["reports"]["total"] == 0
    assert moderation["sanctions"]["by_type"]["mute"]["active"] == 1
    health = client.get("/api/admin/analytics/system-health/", headers=headers).get_json()
    assert health["queue"]["mode"] == "embedded" and health["requests"] >= 0
    platform = client.get(
        "/api/admin/analytics/platform/", headers=headers, query_string={"period": "week"}
    ).get_json()
    assert platform["users_total"] >= 10 and platform["tournaments_by_status"]["completed"] >= 1
    assert sum(b["active_players"] for b in platform["buckets"]) >= 8
    refused = client.get("/api/admin/analytics/moderation/", headers=bearer(world.org.id))
    assert_problem(refused, 403)


def test_summary_refresh_by_command_and_when_a_tournament_completes(app, world):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["analytics", "refresh", "--dry-run"])
    assert dry.exit_code == 0 and "Would refresh" in dry.output
    done = runner.invoke(args=["analytics", "refresh", "--tournament", str(world.cup)])
    assert done.exit_code == 0, done.output
    missing = runner.invoke(args=["analytics", "refresh", "--tournament", "999999"])
    assert missing.exit_code != 0
    with app.app_context(), unit_of_work():
        db.session.get(Tournament, world.empty).status = TournamentStatus.COMPLETED
    table = summary.summary_table
    with app.app_context():
        rows = {
            row.tournament_id: row
            for row in db.session.execute(
                sa.select(table).where(table.c.tournament_id.in_([world.cup, world.empty]))
            )
        }
    assert rows[world.cup].total_participants == 4 and rows[world.cup].disputed_matches == 2
    assert rows[world.empty].status == "completed"  # refreshed as it completed

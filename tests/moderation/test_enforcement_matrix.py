"""The enforcement matrix: every sanction against every gate, through the real endpoint or
socket. One row per gate; each column is a sanction recorded just before the attempt and
revoked just after (so each column also shows that a revocation takes effect at once).

`ok`: the gate let the user through. Otherwise the problem's `code`, the socket's `error`
frame code, or the websocket close code.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from websockets.exceptions import ConnectionClosed

from deltacrown.core.time import utcnow
from tests.economy.conftest import Econ
from tests.factories import make_tournament
from tests.live.conftest import token_of

OK = "ok"
CHECKIN_OPEN = timedelta(days=6, minutes=10)  # the `tournament` fixture's window
BANNED, SANCTIONED, MUTED, CLOSED = "account_banned", "sanctioned", "muted", "4403"

COLUMNS = (
    "warning", "mute", "mute_here", "suspension", "suspension_here", "suspension_elsewhere",
    "shop_ban", "ban",
)  # fmt: skip
MATRIX: dict[str, tuple[str, ...]] = {
    #                 warn mute mute_here suspension susp_here susp_elsewhere shop_ban ban
    "login":          (OK, OK, OK, OK, OK, OK, OK, BANNED),
    "refresh":        (OK, OK, OK, OK, OK, OK, OK, BANNED),
    "register":       (OK, OK, OK, SANCTIONED, SANCTIONED, OK, OK, BANNED),
    "check_in":       (OK, OK, OK, SANCTIONED, SANCTIONED, OK, OK, BANNED),
    "team_create":    (OK, OK, OK, OK, OK, OK, OK, BANNED),
    "follow_private": (OK, OK, OK, CLOSED, CLOSED, OK, OK, CLOSED),
    "score_update":   (OK, MUTED, MUTED, OK, OK, OK, OK, SANCTIONED),
    "chat_send":      (OK, MUTED, MUTED, OK, OK, OK, OK, SANCTIONED),
    "purchase":       (OK, OK, OK, OK, OK, OK, SANCTIONED, BANNED),
    "report":         (OK, OK, OK, OK, OK, OK, OK, BANNED),
}  # fmt: skip


def sanction_values(column: str, here: int, elsewhere: int) -> dict[str, Any]:
    return {
        "warning": {"type": "warning"},
        "mute": {"type": "mute", "scope": "chat"},
        "mute_here": {"type": "mute", "scope": "tournament", "scope_id": here},
        "suspension": {"type": "suspension"},
        "suspension_here": {"type": "suspension", "scope": "tournament", "scope_id": here},
        "suspension_elsewhere": {
            "type": "suspension", "scope": "tournament", "scope_id": elsewhere
        },
        "shop_ban": {"type": "shop_ban", "scope": "shop"},
        "ban": {"type": "ban"},
    }[column]  # fmt: skip


def code_of(response: Any, *ok: int) -> str:
    if response.status_code in ok:
        return OK
    return str(response.get_json().get("code"))


class Gates:
    """Each gate: `prepare()` builds what it needs once and returns (user, tournament id);
    `attempt()` tries the gate once and answers its outcome."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.fx = request.getfixturevalue
        self.client = self.fx("client")
        self.app = self.fx("app")

    # -- REST gates --------------------------------------------------------------------------
    def prepare_login(self) -> tuple[Any, int]:
        self.user = self.fx("make_user")()
        return self.user, self.fx("tournament")()

    def attempt_login(self, here: int) -> str:
        body = {"login": self.user.username, "password": self.user.password}
        return code_of(self.client.post("/api/auth/login/", json=body), 200)

    prepare_refresh = prepare_login

    def attempt_refresh(self, here: int) -> str:
        response = self.client.post("/api/auth/refresh/", headers=self.user.refresh_headers)
        return code_of(response, 200)

    def prepare_register(self) -> tuple[Any, int]:
        self.user = self.fx("make_player")()
        return self.user, self.fx("tournament")()

    def attempt_register(self, here: int) -> str:
        response = self.fx("register")(here, self.user)
        if response.status_code == 201:  # withdrawn, so the next column may register again
            registration_id = response.get_json()["id"]
            cancelled = self.client.post(
                f"/api/registrations/{registration_id}/cancel/", json={}, headers=self.user.headers
            )
            assert cancelled.status_code == 200, cancelled.get_json()
        return code_of(response, 201)

    def prepare_check_in(self) -> tuple[Any, int]:
        self.user = self.fx("make_player")()
        tid = self.fx("tournament")()  # check-in opens in 6 days, for an hour
        assert self.fx("register")(tid, self.user).status_code == 201
        travel = time_machine.travel(utcnow() + CHECKIN_OPEN, tick=False)
        travel.start()
        self.fx("request").addfinalizer(travel.stop)
        self.headers = self.fx("headers_now")(self.user)
        return self.user, tid

    def attempt_check_in(self, here: int) -> str:
        response = self.client.post(f"/api/tournaments/{here}/check-in/", headers=self.headers)
        return code_of(response, 200)

    def prepare_team_create(self) -> tuple[Any, int]:
        self.user = self.fx("make_player")()
        self.teams = 0
        return self.user, self.fx("tournament")()

    def attempt_team_create(self, here: int) -> str:
        self.teams += 1
        body = {"name": f"Matrix Team {self.teams}", "tag": f"MX{self.teams}", "game": "valorant"}
        response = self.client.post("/api/teams/", json=body, headers=self.user.headers)
        if response.status_code == 201:  # make room for the next column's team
            team_id = response.get_json()["id"]
            disband = self.client.post(f"/api/teams/{team_id}/disband/", headers=self.user.headers)
            assert disband.status_code == 200, disband.get_json()
        return code_of(response, 201)

    def prepare_purchase(self) -> tuple[Any, int]:
        self.user = self.fx("make_user")()
        econ = Econ(self.app)
        self.item = econ.item(price=10)
        econ.fund(self.user.id, 1000)
        return self.user, self.fx("tournament")()

    def attempt_purchase(self, here: int) -> str:
        response = self.client.post(
            "/api/shop/purchases/", json={"item": self.item}, headers=self.user.headers
        )
        return code_of(response, 201)

    def prepare_report(self) -> tuple[Any, int]:
        self.user = self.fx("make_user")()
        self.staff = self.fx("staff")
        self.reported = self.fx("stranger")
        return self.user, self.fx("tournament")()

    def attempt_report(self, here: int) -> str:
        body = {"subject_type": "user", "subject_id": self.reported.id, "category": "toxicity"}
        response = self.client.post("/api/reports/", json=body, headers=self.user.headers)
        if response.status_code == 201:  # closed, so the next column may report again
            report_id = response.get_json()["id"]
            dismissed = self.client.post(
                f"/api/admin/reports/{report_id}/dismiss/", json={}, headers=self.staff.headers
            )
            assert dismissed.status_code == 200, dismissed.get_json()
        return code_of(response, 201)

    # -- sockets -----------------------------------------------------------------------------
    def prepare_follow_private(self) -> tuple[Any, int]:
        self.user = self.fx("make_user")()
        tid = make_tournament(self.app, self.user.id, status="draft")  # theirs: a private channel
        return self.user, tid

    def attempt_follow_private(self, here: int) -> str:
        follower = self.fx("follow")(
            f"/ws/tournaments/{here}", token=token_of(self.user), established=False
        )
        try:
            first = follower.next()
        except ConnectionClosed as closed:
            return str(closed.rcvd.code if closed.rcvd else None)
        follower.close()
        return OK if first["type"] == "connection_established" else str(first["type"])

    def _live_side(self) -> tuple[Any, int]:
        play = self.fx("started")()
        self.match_id = play.matches["W1.1"]["id"]
        assert self.fx("m").start(self.match_id).status_code == 200
        self.user = play.sides("W1.1")[0]
        self.socket = self.fx("follow")(f"/ws/matches/{self.match_id}", token=token_of(self.user))
        self.game = 0
        return self.user, play.cup.id

    def _outcome(self, wanted: str) -> str:
        """The sender's next `wanted` event (ok) or `error` frame (its code)."""
        while True:
            frame = self.socket.next()
            if frame["type"] == "error":
                return str(frame["code"])
            if frame["type"] == wanted:
                return OK

    prepare_score_update = _live_side

    def attempt_score_update(self, here: int) -> str:
        self.game = self.game % 3 + 1
        self.socket.send(type="score.update", game=self.game, p1=1, p2=0)
        return self._outcome("match.score_updated")

    def prepare_chat_send(self) -> tuple[Any, int]:
        self.fx("monkeypatch").setattr("deltacrown.matches.chat.RATE_MESSAGES", 100)
        return self._live_side()

    def attempt_chat_send(self, here: int) -> str:
        self.socket.send(type="chat.send", text="gg")
        return self._outcome("chat.message")


@pytest.mark.parametrize("gate", list(MATRIX))
def test_each_sanction_is_enforced_at_each_gate_as_the_table_says(gate, request, sanction, revoke):
    gates = Gates(request)
    user, here = getattr(gates, f"prepare_{gate}")()
    elsewhere = make_tournament(gates.app, gates.fx("organizer").id)
    outcomes = []
    for column in COLUMNS:
        sanction_id = sanction(user_id=user.id, **sanction_values(column, here, elsewhere))
        outcomes.append(getattr(gates, f"attempt_{gate}")(here))
        revoke(sanction_id)
    assert dict(zip(COLUMNS, outcomes, strict=True)) == dict(
        zip(COLUMNS, MATRIX[gate], strict=True)
    )
    assert getattr(gates, f"attempt_{gate}")(here) == OK  # every sanction lifted: through again

"""Sanctions over REST: staff record and revoke them (idempotent, audited, signalled after
commit), organizers only inside their own tournament, players read their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.core.audit import AuditEntry
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.moderation.models import Sanction
from tests.factories import make_tournament
from tests.helpers import assert_problem

URL = "/api/admin/sanctions/"


@pytest.fixture
def signalled() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    from deltacrown.core import signals

    events: list[tuple[str, dict[str, Any]]] = []

    def on_created(sender: Any, **payload: Any) -> None:
        events.append(("sanction_created", payload))

    def on_revoked(sender: Any, **payload: Any) -> None:
        events.append(("sanction_revoked", payload))

    signals.sanction_created.connect(on_created)
    signals.sanction_revoked.connect(on_revoked)
    yield events
    signals.sanction_created.disconnect(on_created)
    signals.sanction_revoked.disconnect(on_revoked)


def audit_of(app, sanction_id):
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_id).where(
                AuditEntry.target_type == "moderation_sanctions",
                AuditEntry.target_id == sanction_id,
            )
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def test_staff_sanction_once_per_idempotency_key_audited_and_signalled(
    app, client, staff, user, signalled
):
    body = {"user_id": user.id, "type": "mute", "scope": "chat", "reason_code": "toxicity"}
    headers = {**staff.headers, "Idempotency-Key": "mute-1"}
    first = client.post(URL, json=body, headers=headers)
    again = client.post(URL, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Sanction)) == 1
        db.session.remove()
    sanction_id = first.get_json()["id"]
    assert audit_of(app, sanction_id) == [("sanction_created", staff.id)]
    assert signalled == [
        (
            "sanction_created",
            {
                "sanction_id": sanction_id,
                "user_id": user.id,
                "team_id": None,
                "type": "mute",
                "scope": "chat",
            },
        )
    ]


def test_revoking_twice_lifts_once(app, client, staff, user, sanction, signalled):
    sanction_id = sanction(type="ban", user_id=user.id)
    url = f"{URL}{sanction_id}/revoke/"
    first = client.post(url, json={"notes": "wrong account"}, headers=staff.headers)
    second = client.post(url, json={}, headers=staff.headers)
    assert (
        first.get_json()["revoked"] is True and first.get_json()["revoke_notes"] == "wrong account"
    )
    assert second.status_code == 200 and second.get_json()["revoked"] is False
    assert [name for name, _ in signalled] == ["sanction_revoked"]
    assert audit_of(app, sanction_id)[-1] == ("sanction_revoked", staff.id)
    assert client.get("/api/auth/me/", headers=user.headers).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "ban", "scope": "tournament"}, "scope"),
        ({"type": "suspension", "scope": "tournament"}, "scope_id"),
        ({"type": "mute", "scope": "chat", "scope_id": 1}, "scope_id"),
        (
            {"type": "mute", "scope": "chat", "starts_at": "2031-01-02T00:00:00Z",
             "ends_at": "2031-01-01T00:00:00Z"},
            "ends_at",
        ),
    ],
)  # fmt: skip
def test_a_sanction_that_makes_no_sense_is_refused(client, staff, user, body, field):
    response = client.post(
        URL, json={"user_id": user.id, "reason_code": "x", **body}, headers=staff.headers
    )
    assert field in assert_problem(response, 422, "invalid_sanction")["errors"]


def test_the_subject_must_exist(client, staff):
    body = {"user_id": 999999, "type": "warning", "scope": "global", "reason_code": "x"}
    assert_problem(client.post(URL, json=body, headers=staff.headers), 404, "subject_not_found")


def test_an_organizer_sanctions_only_inside_their_own_tournament(
    app, client, organizer, tournament, make_user, user
):
    own = tournament()
    theirs = make_tournament(app, make_user().id, status="registration_open")
    base = {"user_id": user.id, "type": "suspension", "reason_code": "no_show"}
    inside = {**base, "scope": "tournament", "scope_id": own}
    created = client.post(URL, json=inside, headers=organizer.headers)
    assert created.status_code == 201, created.get_json()
    for body in ({**base, "scope": "global"}, {**inside, "scope_id": theirs}):
        assert_problem(client.post(URL, json=body, headers=organizer.headers), 403, "forbidden")
    revoke = client.post(
        f"{URL}{created.get_json()['id']}/revoke/", json={}, headers=organizer.headers
    )
    assert revoke.status_code == 200


def test_players_neither_sanction_nor_list_sanctions(client, user, make_user):
    body = {"user_id": make_user().id, "type": "warning", "scope": "global", "reason_code": "x"}
    assert_problem(client.post(URL, json=body, headers=user.headers), 403, "forbidden")
    assert_problem(client.get(URL, headers=user.headers), 403, "forbidden")


def test_staff_list_sanctions_by_state(client, staff, user, sanction, revoke):
    lifted = sanction(type="mute", scope="chat", user_id=user.id)
    revoke(lifted)
    active = sanction(type="ban", user_id=user.id)
    past = utcnow() - timedelta(days=2)
    expired = sanction(
        type="suspension", user_id=user.id, starts_at=past, ends_at=past + timedelta(days=1)
    )
    ids = {
        state: [s["id"] for s in client.get(URL, query_string={"state": state, "user_id": user.id},
                                             headers=staff.headers).get_json()]
        for state in ("active", "revoked", "expired")
    }  # fmt: skip
    assert ids == {"active": [active], "revoked": [lifted], "expired": [expired]}


def test_a_player_sees_their_sanctions_and_appeal_state(client, user, sanction):
    sanction_id = sanction(type="mute", scope="chat", user_id=user.id)
    client.post(
        f"/api/me/sanctions/{sanction_id}/appeal/",
        json={"statement": "Sorry."},
        headers=user.headers,
    )
    mine = client.get("/api/me/sanctions/", headers=user.headers).get_json()
    assert [(s["id"], s["type"], s["appeal_status"]) for s in mine] == [
        (sanction_id, "mute", "pending")
    ]

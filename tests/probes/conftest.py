"""The probes' world: one of every resource, and the cast of roles that act on them.

`world` builds, through the services and the API: an organizer's started single-elimination
cup (4 players, best of 1) with a co-organizer; the `player` is one side of its first match,
holds a registration in it, captains a team with an invite out, owns a game profile, a
purchase and notifications, wrote in the match room, reported the other side, and appealed a
warning staff gave them; the other side disputed the match. The organizer has a webhook
endpoint with one delivery. The `other organizer` owns a tournament of their own and nothing
here; `staff` is staff. Everything lives in the test's rolled-back transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.brackets_api.conftest import (  # noqa: F401  (fixtures)
    add_co_organizer,
    api,
    co_organizer,
    organizer,
    stranger,
)
from tests.factories import make_tournament
from tests.helpers import UserInfo
from tests.matches.conftest import (  # noqa: F401  (fixtures: matches wait for a start)
    _session_celery,
    any_cup,
    cup,
    m,
    started,
)
from tests.teams.conftest import give_profile, make_player, make_team  # noqa: F401  (fixtures)

ROLES = ("anonymous", "player", "other_organizer", "organizer", "co_organizer", "staff")


@dataclass
class World:
    users: dict[str, UserInfo]
    ids: dict[str, int] = field(default_factory=dict)
    strings: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {} if role == "anonymous" else self.users[role].headers


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def _cash_payout(app: Any, tournament_id: int, registration_id: int, user_id: int) -> int:
    """A pending cash payout for the player (the world's cup is still being played, so its
    payouts are not made by the service)."""
    from decimal import Decimal

    from deltacrown.extensions import db
    from deltacrown.payouts.models import Payout, PayoutKind

    with app.app_context():
        payout = Payout(tournament_id=tournament_id, placement=1, registration_id=registration_id,
                        user_id=user_id, kind=PayoutKind.CASH, amount=Decimal("100.00"),
                        currency="BDT", attempts=0)  # fmt: skip
        db.session.add(payout)
        db.session.commit()
        payout_id = payout.id
        db.session.remove()
    return payout_id


def _proposal(app: Any, match_id: int, registration_id: int, user_id: int) -> int:
    """A pending time proposal by the other side of the player's match (the match is disputed
    by now, so the service would refuse a new one)."""
    from datetime import timedelta

    from deltacrown.core.time import utcnow
    from deltacrown.extensions import db
    from deltacrown.matches.matchday_models import ScheduleProposal

    with app.app_context():
        proposal = ScheduleProposal(match_id=match_id, registration_id=registration_id,
                                    proposed_by_id=user_id, starts_at=utcnow() + timedelta(days=1))  # fmt: skip
        db.session.add(proposal)
        db.session.commit()
        proposal_id = proposal.id
        db.session.remove()
    return proposal_id


@pytest.fixture
def world(
    app: Any,
    client: Any,
    started: Any,  # noqa: F811
    m: Any,  # noqa: F811
    organizer: UserInfo,  # noqa: F811
    co_organizer: UserInfo,  # noqa: F811
    staff: UserInfo,
    make_user: Any,
    make_player: Any,  # noqa: F811
    make_team: Any,  # noqa: F811
) -> World:
    play = started(n=4, best_of=1)
    add_co_organizer(app, play.cup.id, organizer, co_organizer)
    match_id = play.matches["W1.1"]["id"]
    player, opponent = play.sides("W1.1")
    m.live(match_id)
    _ok(m.submit(match_id, [(13, 9)], player.headers))
    disputed = _ok(m.submit(match_id, [(9, 13)], opponent.headers))
    other_organizer = make_player(username="otherorg")
    other_tournament = make_tournament(app, other_organizer.id, status="registration_open")

    team = make_team(player)
    invitee = make_player()
    invite = _ok(
        client.post(
            f"/api/teams/{team['id']}/invites/", json={"user": invitee.id}, headers=player.headers
        ),
        201,
    )
    profiles = _ok(client.get("/api/me/game-profiles/", headers=player.headers))
    personal_token = _ok(
        client.post(
            "/api/me/tokens/",
            json={"name": "probe bot", "scopes": ["tournaments:read"]},
            headers=player.headers,
        ),
        201,
    )
    item = _ok(
        client.post(
            "/api/admin/shop/items/",
            json={"sku": "probe-item", "name": "Probe item", "price": 10, "stock": 50},
            headers=staff.headers,
        ),
        201,
    )
    promo = _ok(
        client.post(
            "/api/admin/promo-codes/",
            json={"code": "PROBE10", "kind": "percent", "value": 10},
            headers=staff.headers,
        ),
        201,
    )
    _ok(
        client.post(
            f"/api/admin/wallets/{player.id}/adjust/",
            json={"amount": 500, "reason": "Probe funds"},
            headers=staff.headers,
        ),
        201,
    )
    purchase = _ok(
        client.post(
            "/api/shop/purchases/", json={"item": item["id"], "hold": True}, headers=player.headers
        ),
        201,
    )
    template = _ok(
        client.post(
            "/api/tournament-templates/",
            json={"name": "Probe template", "from_tournament": play.cup.id},
            headers=organizer.headers,
        ),
        201,
    )
    custom_field = _ok(
        client.post(
            f"/api/tournaments/{play.cup.id}/custom-fields/",
            json={"key": "discord", "label": "Discord", "type": "text"},
            headers=organizer.headers,
        ),
        201,
    )
    season = _ok(
        client.post(
            "/api/admin/seasons/",
            json={"game": "valorant", "name": "Probe season", "starts_at": "2030-01-01T00:00:00Z",
                  "ends_at": "2030-04-01T00:00:00Z"},
            headers=staff.headers,
        ),
        201,
    )  # fmt: skip
    endpoint = _ok(
        client.post(
            "/api/webhooks/endpoints/",
            json={"url": "http://127.0.0.1:9/probe", "events": ["match.completed"]},
            headers=organizer.headers,
        ),
        201,
    )
    delivery = _ok(
        client.post(f"/api/webhooks/endpoints/{endpoint['id']}/test/", headers=organizer.headers),
        202,
    )
    notices = _ok(client.get("/api/notifications/", headers=player.headers))
    message = _ok(
        client.post(
            f"/api/matches/{match_id}/chat/", json={"text": "glhf"}, headers=player.headers
        ),
        201,
    )
    report = _ok(
        client.post(
            "/api/reports/",
            json={"subject_type": "user", "subject_id": opponent.id, "category": "toxicity"},
            headers=player.headers,
        ),
        201,
    )
    warning = _ok(
        client.post(
            "/api/admin/sanctions/",
            json={
                "user_id": player.id,
                "type": "warning",
                "scope": "global",
                "reason_code": "probe",
            },
            headers=staff.headers,
        ),
        201,
    )
    appeal = _ok(
        client.post(
            f"/api/me/sanctions/{warning['id']}/appeal/",
            json={"statement": "A misunderstanding."},
            headers=player.headers,
        ),
        201,
    )
    method = _ok(
        client.post(
            "/api/me/payout-methods/",
            json={"method": "bkash", "account": "01712345678"},
            headers=player.headers,
        )
    )
    payout_id = _cash_payout(app, play.cup.id, play.ids("W1.1")[0], player.id)
    proposal_id = _proposal(app, match_id, play.ids("W1.1")[1], opponent.id)
    users = {
        "player": player,
        "other_organizer": other_organizer,
        "organizer": organizer,
        "co_organizer": co_organizer,
        "staff": staff,
    }
    registration = play.ids("W1.1")[0]
    certificate_id, code = _certificate(app, play.cup.id, registration, player)
    return World(
        users=users,
        ids={
            "tournament_id": play.cup.id,
            "other_tournament_id": other_tournament,
            "match_id": match_id,
            "dispute_id": disputed["open_dispute_id"],
            "registration_id": registration,
            "team_id": team["id"],
            "invite_id": invite["id"],
            "member_id": invitee.id,
            "profile_id": profiles[0]["id"],
            "token_id": personal_token["id"],
            "item_id": item["id"],
            "promo_id": promo["id"],
            "purchase_id": purchase["id"],
            "template_id": template["id"],
            "field_id": custom_field["id"],
            "certificate_id": certificate_id,
            "season_id": season["id"],
            "endpoint_id": endpoint["id"],
            "delivery_id": delivery["id"],
            "notification_id": notices[-1]["id"],
            "message_id": message["id"],
            "report_id": report["id"],
            "sanction_id": warning["id"],
            "appeal_id": appeal["id"],
            "method_id": method["id"],
            "payout_id": payout_id,
            "proposal_id": proposal_id,
            "user_id": player.id,
            "game_id": 1,
            "number": 1,
        },
        strings={
            "game_ref": "valorant",
            "provider": "discord",
            "code": code,
            "slug": _slug(app, play.cup.id),
        },
    )


def _slug(app: Any, tournament_id: int) -> str:
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    with app.app_context():
        slug = db.session.get(Tournament, tournament_id).slug
        db.session.remove()
    return str(slug)


def _certificate(app: Any, tournament_id: int, registration_id: int, player: UserInfo) -> Any:
    """The player's certificate of the cup (drawn directly: the cup is still being played)."""
    from deltacrown.certificates import services
    from deltacrown.certificates.queries import Recipient
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db

    with app.app_context():
        subject = services.Subject(tournament_id, "Probe cup", "Valorant")
        person = Recipient(registration_id, player.id, player.username, None, 1)
        with unit_of_work():
            certificate = services.issue(subject, person, "en")
        found = certificate.id, certificate.code
        db.session.remove()
    return found

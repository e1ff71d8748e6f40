"""Flask-Admin for tournaments: staff-only lists with filters and search; bulk publish and
cancel through the services; game configuration versions created through the service."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import sqlalchemy as sa

from deltacrown.core.audit import AuditEntry
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.games.config import GameConfig
from deltacrown.tournaments.models import Tournament
from tests.factories import make_tournament
from tests.helpers import sign_in_admin

VIEW = "/admin/admin_tournaments/"
VIEWS = (
    VIEW,
    "/admin/admin_custom_fields/",
    "/admin/admin_tournament_templates/",
    "/admin/admin_game_configs/",
)


def sign_in(client, user_id):
    sign_in_admin(client, user_id)


def csrf(page):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def run_action(client, action, ids):
    token = csrf(client.get(VIEW).get_data(as_text=True))
    return client.post(
        f"{VIEW}action/",
        data={
            "csrf_token": token,
            "action": action,
            "rowid": [str(i) for i in ids],
            "url": VIEW,
        },
    )


def flashes(client):
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


def filter_param(page, column, operation):
    raw = re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', page, re.S).group(1)
    groups = json.loads(html.unescape(raw))
    [arg] = [f["arg"] for f in groups[column] if f["operation"] == operation]
    return f"flt0_{arg}"


def names(response):
    return set(
        re.findall(r'<td class="col-name">\s*([^<]+?)\s*</td>', response.get_data(as_text=True))
    )


def statuses(app, *ids):
    with app.app_context():
        return [db.session.get(Tournament, i).status.value for i in ids]


def test_tournament_views_are_for_staff_only(client, user):
    for view in VIEWS:
        response = client.get(view)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    sign_in(client, user.id)
    for view in VIEWS:
        assert client.get(view).status_code == 403


def test_staff_list_searches_and_filters(app, client, staff, owner, load):
    make_tournament(app, owner.id, name="Valorant Draft")
    make_tournament(app, owner.id, name="Valorant Published", status="published")
    make_tournament(app, owner.id, name="Football Night", game="efootball", format="swiss")
    gone = make_tournament(app, owner.id, name="Deleted One")
    client.delete(f"/api/tournaments/{gone}/", headers=owner.headers)
    sign_in(client, staff.id)
    page = client.get(VIEW)
    assert page.status_code == 200
    assert names(page) == {"Valorant Draft", "Valorant Published", "Football Night"}
    assert names(client.get(f"{VIEW}?search=football")) == {"Football Night"}
    text = page.get_data(as_text=True)
    status_filter = filter_param(text, "Status", "equals")
    assert names(client.get(f"{VIEW}?{status_filter}=published")) == {"Valorant Published"}
    game_filter = filter_param(text, "Game", "equals")
    assert names(client.get(f"{VIEW}?{game_filter}=efootball")) == {"Football Night"}
    format_filter = filter_param(text, "Format", "equals")
    assert names(client.get(f"{VIEW}?{format_filter}=swiss")) == {"Football Night"}


def test_date_filters_compare_in_utc(app, client, staff, owner):
    make_tournament(app, owner.id, name="Soon")
    later = utcnow() + timedelta(days=30)
    make_tournament(
        app,
        owner.id,
        name="Later",
        start_at=later.isoformat(),
        registration_closes_at=(later - timedelta(days=1)).isoformat(),
    )
    sign_in(client, staff.id)
    start_after = filter_param(client.get(VIEW).get_data(as_text=True), "Start", "greater than")
    cutoff = (utcnow() + timedelta(days=20)).strftime("%Y-%m-%d %H:%M:%S")
    assert names(client.get(f"{VIEW}?{start_after}={cutoff}")) == {"Later"}


def test_bulk_publish_calls_the_service(app, client, staff, owner):
    draft = make_tournament(app, owner.id)
    open_one = make_tournament(app, owner.id, status="registration_open")
    sign_in(client, staff.id)
    assert run_action(client, "publish", [draft, open_one]).status_code == 302
    assert statuses(app, draft, open_one) == ["published", "registration_open"]
    messages = flashes(client)
    assert "Published 1 tournament(s)." in messages
    assert any(m.startswith(f"Not published: #{open_one}") for m in messages)
    with app.app_context():
        entry = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.action == "tournament.published", AuditEntry.actor_id == staff.id
            )
        ).one()
        assert (entry.actor_id, entry.target_id) == (staff.id, draft)


def test_bulk_cancel_uses_the_staff_reason_and_signals(app, client, staff, owner, cancellations):
    published = make_tournament(app, owner.id, status="published")
    completed = make_tournament(app, owner.id, status="completed")
    sign_in(client, staff.id)
    run_action(client, "cancel", [published, completed])
    assert statuses(app, published, completed) == ["cancelled", "completed"]
    with app.app_context():
        assert db.session.get(Tournament, published).cancel_reason == "Cancelled by staff"
    assert cancellations == [
        {
            "sender": "tournaments",
            "tournament_id": published,
            "reason": "Cancelled by staff",
            "actor_id": staff.id,
        }
    ]


def test_tournaments_cannot_be_created_edited_or_deleted_in_the_admin(app, client, staff, owner):
    draft = make_tournament(app, owner.id)
    sign_in(client, staff.id)
    assert client.get(f"{VIEW}new/").status_code == 302
    assert client.get(f"{VIEW}edit/?id={draft}").status_code == 302
    run_action(client, "delete", [draft])
    client.post(f"{VIEW}delete/", data={"id": draft})
    with app.app_context():
        assert db.session.get(Tournament, draft).deleted_at is None


def test_staff_add_a_game_config_version_through_the_service(app, client, staff):
    sign_in(client, staff.id)
    page = client.get("/admin/admin_game_configs/new/").get_data(as_text=True)
    with app.app_context():
        valorant_id = db.session.scalar(sa.text("SELECT id FROM games WHERE slug = 'valorant'"))
        n = db.session.scalar(
            sa.select(sa.func.max(GameConfig.version)).where(GameConfig.game_id == valorant_id)
        )
    schema = {"type": "object", "properties": {"best_of": {"enum": [1, 3]}}}
    response = client.post(
        "/admin/admin_game_configs/new/",
        data={
            "csrf_token": csrf(page),
            "game": str(valorant_id),
            "schema": json.dumps(schema),
        },
    )
    assert response.status_code == 302
    bad = client.post(
        "/admin/admin_game_configs/new/",
        data={
            "csrf_token": csrf(page),
            "game": str(valorant_id),
            "schema": '{"type": "nope"}',
        },
    )
    assert bad.status_code == 200
    with app.app_context():
        versions = db.session.scalars(
            sa.select(GameConfig.version).where(GameConfig.game_id == valorant_id)
        ).all()
        assert sorted(versions) == list(range(1, n + 2))  # one more, the bad one refused
        added = sa.select(GameConfig.schema).where(
            GameConfig.game_id == valorant_id, GameConfig.version == n + 1
        )
        assert db.session.scalars(added).one() == schema


def test_custom_field_and_template_lists_render(app, client, staff, owner):
    tournament_id = make_tournament(app, owner.id)
    client.post(
        f"/api/tournaments/{tournament_id}/custom-fields/",
        headers=owner.headers,
        json={"key": "discord", "label": "Discord handle", "type": "text"},
    )
    client.post(
        "/api/tournament-templates/",
        headers=owner.headers,
        json={"name": "My template", "from_tournament": tournament_id},
    )
    sign_in(client, staff.id)
    assert b"Discord handle" in client.get("/admin/admin_custom_fields/").data
    assert b"My template" in client.get("/admin/admin_tournament_templates/").data

"""Flask-Admin for brackets: staff only, stages and matches read-only, and "regenerate bracket"
going through the service (refused once a match has started)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.brackets_api.conftest import all_matches
from tests.teams.test_admin import filter_param, flashes, run_action, sign_in

VIEWS = ("/admin/admin_stages/", "/admin/admin_matches/")


def _stage_id(app, tournament_id):
    from deltacrown.brackets.models import Stage
    from deltacrown.extensions import db

    with app.app_context():
        stage_id = db.session.scalar(
            sa.select(Stage.id).where(Stage.tournament_id == tournament_id)
        )
        db.session.remove()
    return stage_id


def test_bracket_views_are_for_staff_only(client, user):
    for view in VIEWS:
        response = client.get(view)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    sign_in(client, user.id)
    for view in VIEWS:
        assert client.get(view).status_code == 403


def test_staff_see_stages_and_matches_but_cannot_edit_them(client, staff, cup, api):
    c = cup(4)
    api.generated(c.id)
    sign_in(client, staff.id)
    stages = client.get(VIEWS[0])
    assert stages.status_code == 200 and "single_elimination" in stages.get_data(as_text=True)
    page = client.get(VIEWS[1]).get_data(as_text=True)
    assert "W1.1" in page and "W2.1" in page
    final = client.get(
        VIEWS[1], query_string={filter_param(page, "Status", "equals"): "scheduled"}
    ).get_data(as_text=True)
    assert "W2.1" in final and "W1.1" not in final
    assert 'value="delete"' not in page and 'value="delete"' not in stages.get_data(as_text=True)
    for view in VIEWS:
        assert client.get(f"{view}new/").status_code == 302  # back to the list: no create
        assert client.get(f"{view}edit/?id=1").status_code == 302  # nor edit
        assert client.post(f"{view}delete/", data={"id": "1"}).status_code == 302
    assert len(all_matches(api.bracket(c.id).get_json())) == 3  # nothing was deleted


def test_staff_regenerate_a_bracket_until_a_match_starts(app, client, staff, cup, api):
    c = cup(4)
    api.generated(c.id, seeding="manual", seeds=c.registrations[::-1])
    sign_in(client, staff.id)
    run_action(client, VIEWS[0], "regenerate", [_stage_id(app, c.id)])
    assert "Regenerated 1 bracket(s)." in flashes(client)
    first = all_matches(api.bracket(c.id).get_json())["W1.1"]
    assert first["participants"][0]["registration_id"] == c.registrations[-1]  # same manual list
    assert api.start(c.id).status_code == 200
    winner = first["participants"][0]["registration_id"]
    assert api.result(first["id"], winner, [[1, 0]]).status_code == 200
    run_action(client, VIEWS[0], "regenerate", [_stage_id(app, c.id)])
    assert any("Matches have started" in message for message in flashes(client))
    assert all_matches(api.bracket(c.id).get_json())["W1.1"]["status"] == "completed"

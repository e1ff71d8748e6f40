"""Flask-Admin is for staff: anonymous → 302 to sign-in, signed-in non-staff → 403."""

import re

from tests.helpers import DEFAULT_PASSWORD, sign_in_admin


def sign_in(client, user_id):
    sign_in_admin(client, user_id)


def test_anonymous_is_redirected_to_the_login_page(client):
    for path in ("/admin/", "/admin/admin_users/", "/admin/admin_games/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/admin/login/" in response.headers["Location"]


def test_login_page_is_open(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert b"Staff sign-in" in response.data


def test_signed_in_non_staff_gets_an_html_403_page_with_a_way_back(client, user):
    sign_in(client, user.id)
    for path in ("/admin/", "/admin/admin_users/", "/admin/admin_users/details/?id=1"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert response.mimetype == "text/html", path
        page = response.get_data(as_text=True)
        assert "Staff only" in page and user.username in page
        assert 'href="/admin/logout/"' in page


def test_staff_sees_users_and_games(client, staff):
    sign_in(client, staff.id)
    assert client.get("/admin/").status_code == 200
    users = client.get("/admin/admin_users/")
    assert users.status_code == 200 and staff.username.encode() in users.data
    games = client.get("/admin/admin_games/")
    assert games.status_code == 200 and b"valorant" in games.data


def test_staff_can_sign_in_through_the_form(client, staff):
    page = client.get("/admin/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/admin/login/",
        data={"csrf_token": token, "login": staff.username, "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wrong_password_stays_on_the_form(client, staff):
    page = client.get("/admin/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/admin/login/",
        data={"csrf_token": token, "login": staff.username, "password": "nope-nope"},
    )
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_staff_cannot_delete_users_from_the_admin(client, staff):
    sign_in(client, staff.id)
    response = client.post("/admin/admin_users/delete/", data={"id": staff.id})
    assert response.status_code in (302, 403, 404)
    sign_in(client, staff.id)
    assert client.get("/admin/").status_code == 200


def test_enum_filters_work_by_stored_value(client, staff):
    sign_in(client, staff.id)
    page = client.get("/admin/admin_games/")
    assert page.status_code == 200
    # Flask-Admin numbers filters; find the "Result Shape equals" one from the page's JS data.
    import json
    import re

    data = json.loads(
        re.search(r'id="filter-groups-data"[^>]*>([^<]+)<', page.get_data(as_text=True)).group(1)
    )
    index = next(f["index"] for f in data["Result Shape"] if f["operation"] == "equals")
    response = client.get(f"/admin/admin_games/?flt0_{index}=placement_points")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "pubg-mobile" in body and "valorant" not in body

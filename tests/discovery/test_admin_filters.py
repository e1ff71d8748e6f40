"""The tournament admin's list filters and search added with discovery: participant type,
region, organizer id, and search by the organizer's username."""

from __future__ import annotations

import html
import json
import re

from tests.helpers import sign_in_admin

VIEW = "/admin/admin_tournaments/"


def sign_in(client, user_id):
    sign_in_admin(client, user_id)


def filter_param(page, column, operation):
    raw = re.search(r'id="filter-groups-data" class="d-none">(.*?)</div>', page, re.S).group(1)
    groups = json.loads(html.unescape(raw))
    [arg] = [f["arg"] for f in groups[column] if f["operation"] == operation]
    return f"flt0_{arg}"


def names(response):
    assert response.status_code == 200
    return set(
        re.findall(r'<td class="col-name">\s*([^<]+?)\s*</td>', response.get_data(as_text=True))
    )


def test_staff_filter_by_participant_type_region_and_organizer(client, staff, tourney, stranger):
    tourney("Team Cup", region="South Asia")
    tourney("Solo Cup", game="efootball", participant_type="solo", region="Europe", by=stranger)
    sign_in(client, staff.id)
    page = client.get(VIEW).get_data(as_text=True)
    solo = filter_param(page, "Participant type", "equals")
    assert names(client.get(f"{VIEW}?{solo}=solo")) == {"Solo Cup"}
    region = filter_param(page, "Region", "equals")
    assert names(client.get(f"{VIEW}?{region}=South Asia")) == {"Team Cup"}
    organizer = filter_param(page, "Organizer id", "equals")
    assert names(client.get(f"{VIEW}?{organizer}={stranger.id}")) == {"Solo Cup"}


def test_staff_search_by_organizer_username(client, staff, tourney, stranger):
    tourney("Owner Cup")
    tourney("Stranger Cup", by=stranger)
    sign_in(client, staff.id)
    assert names(client.get(f"{VIEW}?search=stranger")) == {"Stranger Cup"}

"""The certificates' endpoints: who may list, make, download and revoke; the public
verification; the download's headers and counter."""

from __future__ import annotations

from typing import Any

import pytest

from tests.certificates.conftest import TINY_PDF, build_completed
from tests.helpers import UserInfo, assert_problem


@pytest.fixture
def cup(app: Any, organizer: UserInfo, winner: UserInfo, quick_draw: list[Any]) -> Any:
    """A completed four-player tournament whose certificates were made (tiny stand-in files)."""
    from deltacrown.certificates import batch
    from deltacrown.extensions import db

    cup = build_completed(app, organizer.id, [winner.id], extra=3)
    with app.app_context():
        assert batch.generate(cup.id).made == 8
        db.session.remove()
    return cup


def mine(client: Any, user: UserInfo) -> list[dict[str, Any]]:
    response = client.get("/api/me/certificates/", headers=user.headers)
    assert response.status_code == 200
    return response.get_json()


def test_lists_show_organizers_everything_and_players_their_own(
    client: Any, cup: Any, organizer: UserInfo, winner: UserInfo, user: UserInfo
) -> None:
    url = f"/api/tournaments/{cup.id}/certificates/"
    everything = client.get(url, headers=organizer.headers).get_json()
    assert len(everything) == 8
    own = client.get(url, headers=winner.headers).get_json()
    assert {c["user_id"] for c in own} == {winner.id} and len(own) == 2
    assert {c["language"] for c in own} == {"en", "bn"}
    assert client.get(url, headers=user.headers).get_json() == []
    assert_problem(client.get(url), 401)
    listed = mine(client, winner)
    assert {c["id"] for c in listed} == {c["id"] for c in own}
    first = listed[0]
    assert first["certificate_type"] == "winner" and first["placement"] == 1
    assert first["verify_url"] == f"http://127.0.0.1:5000/api/certificates/verify/{first['code']}/"
    page = client.get(url + "?limit=3", headers=organizer.headers)
    assert len(page.get_json()) == 3 and page.headers["X-Next-Cursor"]


def test_download_is_for_the_owner_organizers_and_staff_and_is_counted(
    client: Any,
    cup: Any,
    organizer: UserInfo,
    winner: UserInfo,
    staff: UserInfo,
    user: UserInfo,
) -> None:
    certificate = next(c for c in mine(client, winner) if c["language"] == "en")
    url = f"/api/certificates/{certificate['id']}/download/"
    response = client.get(url, headers=winner.headers)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(TINY_PDF)
    assert response.headers["ETag"] == f'"{certificate["pdf_sha256"]}-pdf"'
    assert response.headers["Cache-Control"] == "private, max-age=300"
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=certificate-dhaka-cup-rahim-uddin-en.pdf"
    png = client.get(url + "?format=png", headers=organizer.headers)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert client.get(url, headers=staff.headers).status_code == 200
    assert_problem(client.get(url, headers=user.headers), 403, "forbidden")
    assert_problem(client.get(url + "?format=gif", headers=winner.headers), 422)
    assert_problem(
        client.get("/api/certificates/999999/download/", headers=winner.headers),
        404,
        "certificate_not_found",
    )
    again = next(c for c in mine(client, winner) if c["id"] == certificate["id"])
    assert again["download_count"] == 3 and again["downloaded_at"]


def test_verification_is_public_and_revocation_is_staff_only_and_final(
    client: Any, cup: Any, winner: UserInfo, staff: UserInfo, organizer: UserInfo
) -> None:
    certificate = mine(client, winner)[0]
    verify = f"/api/certificates/verify/{certificate['code']}/"
    answer = client.get(verify).get_json()
    assert answer["valid"] is True and answer["participant_name"] == "Rahim Uddin"
    assert answer["tournament_name"] == "Dhaka Cup" and answer["issued_at"].endswith("Z")
    assert_problem(client.get("/api/certificates/verify/AAAAAAAAAAAAAAAAAAAAAA/"), 404)
    assert_problem(client.get("/api/certificates/verify/not%20a%20code/"), 404)

    revoke = f"/api/admin/certificates/{certificate['id']}/revoke/"
    assert_problem(client.post(revoke, json={"reason": "Smurf"}, headers=organizer.headers), 403)
    done = client.post(revoke, json={"reason": "Smurf account"}, headers=staff.headers)
    assert done.status_code == 200 and done.get_json()["revoked"] is True
    assert_problem(
        client.post(revoke, json={"reason": "again"}, headers=staff.headers),
        409,
        "certificate_already_revoked",
    )
    answer = client.get(verify).get_json()
    assert (answer["valid"], answer["revoked"], answer["revoked_reason"]) == (
        False,
        True,
        "Smurf account",
    )
    gone = client.get(f"/api/certificates/{certificate['id']}/download/", headers=winner.headers)
    problem = assert_problem(gone, 410, "certificate_revoked")
    assert problem["reason"] == "Smurf account"


def test_organizers_make_certificates_of_completed_tournaments_in_the_background(
    app: Any,
    client: Any,
    organizer: UserInfo,
    winner: UserInfo,
    user: UserInfo,
    quick_draw: list[Any],
) -> None:
    from tests.factories import make_tournament

    cup = build_completed(app, organizer.id, [winner.id], extra=1)
    url = f"/api/tournaments/{cup.id}/certificates/generate/"
    assert_problem(client.post(url, json={}, headers=user.headers), 403)
    response = client.post(url, json={"lang": "bn"}, headers=organizer.headers)
    assert response.status_code == 202
    job = response.get_json()
    assert len(job["job_id"]) == 32 and job["languages"] == ["bn"] and job["participants"] == 2
    # The embedded default ran the job after the commit.
    made = client.get(f"/api/tournaments/{cup.id}/certificates/", headers=organizer.headers)
    assert [c["language"] for c in made.get_json()] == ["bn", "bn"]
    assert_problem(client.post(url, json={"lang": "fr"}, headers=organizer.headers), 422)

    ongoing = make_tournament(app, organizer.id, status="ongoing")
    late = client.post(
        f"/api/tournaments/{ongoing}/certificates/generate/", json={}, headers=organizer.headers
    )
    assert_problem(late, 409, "tournament_not_completed")


def test_staff_list_and_revoke_certificates_in_the_admin(
    app: Any, client: Any, cup: Any, winner: UserInfo, staff: UserInfo
) -> None:
    from tests.teams.test_admin import run_action, sign_in

    view = "/admin/admin_certificates/"
    sign_in(client, winner.id)
    assert client.get(view).status_code == 403
    sign_in(client, staff.id)
    assert "Rahim Uddin" in client.get(view).get_data(as_text=True)
    certificate = mine(client, winner)[0]
    run_action(client, view, "revoke", [certificate["id"]])
    answer = client.get(f"/api/certificates/verify/{certificate['code']}/").get_json()
    assert answer["revoked"] is True and answer["revoked_reason"] == "Revoked by staff."

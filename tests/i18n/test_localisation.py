"""Bengali (`Accept-Language: bn`, `?lang=bn`): `*_label` fields beside the stable codes,
localised problem titles, English for anything else; the committed catalogue is compiled."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from deltacrown.core.i18n import TRANSLATIONS
from deltacrown.matches.models import MATCH_STATUS_LABELS
from deltacrown.registrations.models import REGISTRATION_STATUS_LABELS
from deltacrown.tournaments.models import FORMAT_LABELS, STATUS_LABELS

BN = {"Accept-Language": "bn-BD,bn;q=0.9,en;q=0.5"}
PO = TRANSLATIONS / "bn" / "LC_MESSAGES" / "messages.po"


def test_bengali_labels_sit_beside_the_stable_codes(client: Any, cup: Any) -> None:
    c = cup(4, format="double_elimination")
    url = f"/api/tournaments/{c.id}/"
    english = client.get(url).get_json()
    bengali = client.get(url, headers=BN)
    assert bengali.headers["Content-Language"] == "bn"
    body = bengali.get_json()
    assert (body["status"], body["format"]) == (english["status"], english["format"])
    assert (english["status_label"], english["format_label"]) == (
        "Registration closed",
        "Double elimination",
    )
    assert (body["status_label"], body["format_label"]) == ("নিবন্ধন বন্ধ", "ডাবল এলিমিনেশন")
    assert client.get(url, query_string={"lang": "bn"}).get_json() == body
    assert client.get(url, headers={"Accept-Language": "fr"}).get_json() == english


def test_match_and_registration_states_are_labelled(
    client: Any, cup: Any, api: Any, organizer: Any
) -> None:
    c = cup(4)
    api.generated(c.id)
    matches = client.get(f"/api/tournaments/{c.id}/matches/?lang=bn").get_json()
    assert {(m["status"], m["status_label"]) for m in matches} <= {
        ("ready", "প্রস্তুত"),
        ("scheduled", "নির্ধারিত"),
    }
    registrations = client.get(
        f"/api/tournaments/{c.id}/registrations/?lang=bn", headers=organizer.headers
    ).get_json()
    assert {(r["status"], r["status_label"]) for r in registrations} == {("confirmed", "নিশ্চিত")}


def test_problem_titles_are_localised_and_fall_back_to_english(client: Any) -> None:
    missing = client.get("/api/tournaments/2000000000/", headers=BN)
    assert missing.status_code == 404
    problem = missing.get_json()
    assert (problem["code"], problem["title"]) == ("tournament_not_found", "টুর্নামেন্ট পাওয়া যায়নি")
    unsigned = client.get("/api/auth/me/?lang=bn").get_json()
    assert unsigned["title"] == "প্রমাণীকরণ প্রয়োজন"
    assert unsigned["detail"].startswith("একটি অ্যাক্সেস টোকেন পাঠান")
    assert client.get("/api/auth/me/").get_json()["title"] == "Authentication required"


def test_every_label_has_a_bengali_translation() -> None:
    with PO.open("rb") as source:
        catalog = read_po(source)
    for labels in (STATUS_LABELS, FORMAT_LABELS, MATCH_STATUS_LABELS, REGISTRATION_STATUS_LABELS):
        for label in labels.values():
            message = catalog.get(label._args[0])
            assert message is not None and message.string, label._args[0]


def test_the_committed_catalogue_is_compiled_from_the_po(tmp_path: Path) -> None:
    with PO.open("rb") as source:
        source_catalog = read_po(source)
    with PO.with_suffix(".mo").open("rb") as compiled:
        compiled_catalog = read_mo(io.BytesIO(compiled.read()))
    expected = {m.id: m.string for m in source_catalog if m.id}
    assert {m.id: m.string for m in compiled_catalog if m.id} == expected


def test_each_language_has_its_own_etag(client: Any, cup: Any, organizer: Any) -> None:
    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    english = client.get(url).headers["ETag"]
    bengali = client.get(url, headers=BN).headers["ETag"]
    assert english != bengali
    assert client.get(url, headers={**BN, "If-None-Match": english}).status_code == 200
    assert client.get(url, headers={**BN, "If-None-Match": bengali}).status_code == 304
    renamed = client.patch(
        url, json={"name": "Bengali cup"}, headers={**organizer.headers, **BN, "If-Match": bengali}
    )
    assert renamed.status_code == 200, renamed.get_json()
    stale = client.patch(
        url, json={"name": "Stale cup"}, headers={**organizer.headers, "If-Match": english}
    )
    assert stale.status_code == 412  # the version moved on, in every language

"""End to end: a cup played to the end through the API has, by itself, every participant's
certificate in English and Bengali, and the QR code on a downloaded one verifies it."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.brackets_api.conftest import api, cup  # noqa: F401  (fixtures)
from tests.certificates.zbar import decode
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)


def test_a_completed_cup_has_verifiable_certificates_for_everyone(
    app: Any,
    monkeypatch: Any,
    client: Any,
    cup: Any,  # noqa: F811
    api: Any,  # noqa: F811
    organizer: Any,
) -> None:
    monkeypatch.setitem(app.config, "CERTIFICATES_ON_COMPLETION", True)
    c = cup(4, format="single_elimination")
    api.generated(c.id, options={"best_of": 1})
    assert api.start(c.id).status_code == 200
    api.play(c.id)
    assert client.get(f"/api/tournaments/{c.id}/").get_json()["status"] == "completed"

    made = client.get(f"/api/tournaments/{c.id}/certificates/", headers=organizer.headers)
    certificates = made.get_json()
    assert len(certificates) == 8
    assert {(x["user_id"], x["language"]) for x in certificates} == {
        (p.id, lang) for p in c.players for lang in ("en", "bn")
    }
    assert sorted(x["placement"] for x in certificates if x["language"] == "en")[:2] == [1, 2]

    champion = next(
        x for x in certificates if x["certificate_type"] == "winner" and x["language"] == "bn"
    )
    owner = next(p for p in c.players if p.id == champion["user_id"])
    png = client.get(
        f"/api/certificates/{champion['id']}/download/?format=png", headers=owner.headers
    )
    assert png.status_code == 200
    (url,) = decode(Image.open(io.BytesIO(png.data)))
    assert url == champion["verify_url"]
    path = url.split("127.0.0.1:5000", 1)[1]
    answer = client.get(path).get_json()
    assert answer["valid"] is True and answer["certificate_type"] == "winner"

"""Compressed answers for clients that ask (phones on slow networks), identical once decoded."""

from __future__ import annotations

import gzip
from typing import Any

import brotli
import pytest

DOC = "/api/openapi.json"


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [("gzip", "gzip", gzip.decompress), ("br, gzip;q=0.5", "br", brotli.decompress)],
)
def test_large_json_is_compressed_as_asked_and_decodes_to_the_same_body(
    client: Any, accept: str, encoding: str, decode: Any
) -> None:
    plain = client.get(DOC)
    packed = client.get(DOC, headers={"Accept-Encoding": accept})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) < len(plain.data) // 4
    assert decode(packed.data) == plain.data


def test_small_bodies_and_clients_that_ask_for_identity_get_plain_answers(client: Any) -> None:
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert small.status_code == 200 and "Content-Encoding" not in small.headers
    identity = client.get(DOC, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers


def test_a_compressed_detail_still_answers_304_to_its_etag(
    app: Any, client: Any, user: Any
) -> None:
    from tests.factories import make_tournament

    tournament_id = make_tournament(
        app, user.id, status="registration_open", description="A long description. " * 80
    )
    url = f"/api/tournaments/{tournament_id}/"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    again = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""

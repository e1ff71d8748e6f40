"""PUT/DELETE /api/auth/me/avatar/: uploads through core.storage, sniffed and size-limited."""

from __future__ import annotations

import io

import pytest

from deltacrown.accounts import services
from deltacrown.accounts.models import User
from deltacrown.core import storage
from deltacrown.core.storage import StoredFileNotFoundError, UnsupportedFileTypeError
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from tests.helpers import assert_problem
from tests.uploads import JPEG_BYTES, TEXT_BYTES, png_bytes, png_of_size

URL = "/api/auth/me/avatar/"


def _upload(client, user, data: bytes, filename: str = "me.png"):
    return client.put(
        URL,
        data={"file": (io.BytesIO(data), filename), "alt_text": "A crown on a blue field"},
        headers=user.headers,
        content_type="multipart/form-data",
    )


def test_png_upload_is_served_at_the_avatar_url(client, user):
    response = _upload(client, user, png_bytes())
    assert response.status_code == 200, response.get_json()
    avatar_url = response.get_json()["avatar_url"]
    assert avatar_url.startswith("/media/avatar/") and avatar_url.endswith(".png")

    me = client.get("/api/auth/me/", headers=user.headers).get_json()
    assert me["avatar_url"] == avatar_url

    image = client.get(avatar_url, buffered=True)  # public: no token needed
    assert image.status_code == 200
    assert image.data == png_bytes()
    assert image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"


def test_replacing_the_avatar_deletes_the_old_file(client, user):
    first = _upload(client, user, png_bytes()).get_json()["avatar_url"]
    second_response = _upload(client, user, JPEG_BYTES, "me.jpeg")
    assert second_response.status_code == 200
    second = second_response.get_json()["avatar_url"]
    assert second != first and second.endswith(".jpg")
    assert client.get(second, buffered=True).data == JPEG_BYTES
    assert_problem(client.get(first), 404, "file_not_found")


def test_text_renamed_png_is_refused_with_415(client, user):
    response = _upload(client, user, TEXT_BYTES, "cat.png")
    body = assert_problem(response, 415, "unsupported_file_type")
    assert sorted(body["allowed"]) == ["image/jpeg", "image/png", "image/webp"]
    assert client.get("/api/auth/me/", headers=user.headers).get_json()["avatar_url"] is None


def test_avatar_over_2_mib_is_refused_with_413(client, user):
    response = _upload(client, user, png_of_size(2 * 1024 * 1024 + 1))
    body = assert_problem(response, 413, "file_too_large")
    assert body["max_bytes"] == 2 * 1024 * 1024
    assert client.get("/api/auth/me/", headers=user.headers).get_json()["avatar_url"] is None


def test_json_body_is_refused_with_415(client, user):
    response = client.put(URL, json={"file": "aGVsbG8="}, headers=user.headers)
    body = assert_problem(response, 415, "unsupported_media_type")
    assert "multipart/form-data" in body["detail"]


def test_missing_file_part_is_a_422(client, user):
    response = client.put(
        URL,
        data={"picture": "not a file"},
        headers=user.headers,
        content_type="multipart/form-data",
    )
    body = assert_problem(response, 422, "validation_error")
    assert "file" in body["errors"]


def test_upload_needs_a_token(client):
    response = client.put(
        URL, data={"file": (io.BytesIO(png_bytes()), "a.png")}, content_type="multipart/form-data"
    )
    assert_problem(response, 401, "authentication_required")


def test_delete_removes_the_avatar_and_its_file(client, user):
    avatar_url = _upload(client, user, png_bytes()).get_json()["avatar_url"]
    response = client.delete(URL, headers=user.headers)
    assert response.status_code == 204
    assert client.get("/api/auth/me/", headers=user.headers).get_json()["avatar_url"] is None
    assert_problem(client.get(avatar_url), 404, "file_not_found")
    assert client.delete(URL, headers=user.headers).status_code == 204  # idempotent


def test_old_avatar_survives_a_rolled_back_replacement(app_ctx, user):
    with unit_of_work():
        account = db.session.get(User, user.id)
        services.set_avatar(
            account, stream=io.BytesIO(png_bytes()), filename="a.png", alt_text="A crown"
        )
    old_key = db.session.get(User, user.id).avatar_key

    with pytest.raises(RuntimeError), unit_of_work():
        replaced = services.set_avatar(
            db.session.get(User, user.id),
            stream=io.BytesIO(JPEG_BYTES),
            filename="b.jpg",
            alt_text="A crown",
        )
        orphan_key = replaced.avatar_key
        storage.open(orphan_key).close()  # written before the commit
        raise RuntimeError("something later in the request failed")
    assert db.session.get(User, user.id).avatar_key == old_key
    storage.open(old_key).close()  # still there
    with pytest.raises(StoredFileNotFoundError):
        storage.open(orphan_key)  # the rolled-back upload was removed again

    with unit_of_work():
        services.set_avatar(
            db.session.get(User, user.id),
            stream=io.BytesIO(JPEG_BYTES),
            filename="b.jpg",
            alt_text="A crown",
        )
    with pytest.raises(StoredFileNotFoundError):
        storage.open(old_key)


def test_refused_upload_leaves_the_user_unchanged(app_ctx, user):
    account = db.session.get(User, user.id)
    version = account.version
    with pytest.raises(UnsupportedFileTypeError):
        services.set_avatar(
            account, stream=io.BytesIO(TEXT_BYTES), filename="x.png", alt_text="A crown"
        )
    assert account.avatar_key is None
    assert account.version == version


def test_an_avatar_needs_its_alt_text_which_is_returned_beside_the_url(client, user):
    missing = client.put(
        URL,
        data={"file": (io.BytesIO(png_bytes()), "me.png")},
        headers=user.headers,
        content_type="multipart/form-data",
    )
    problem = assert_problem(missing, 422, "validation_error")
    assert "alt_text" in str(problem["errors"])
    blank = client.put(
        URL,
        data={"file": (io.BytesIO(png_bytes()), "me.png"), "alt_text": "   "},
        headers=user.headers,
        content_type="multipart/form-data",
    )
    assert_problem(blank, 422, "validation_error")
    assert client.get("/api/auth/me/", headers=user.headers).get_json()["avatar_url"] is None
    me = _upload(client, user, png_bytes()).get_json()
    assert me["avatar_url"] and me["avatar_alt_text"] == "A crown on a blue field"

"""Kernel storage on S3: a real S3-compatible server (moto's server mode) on this machine.

Covers the backend's round trip, the app's flows with `STORAGE_BACKEND=s3` (uploads, direct
links to the bucket, deletes after a rolled-back change), and `flask storage migrate`.
"""

from __future__ import annotations

import io
import os
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from deltacrown.core import storage
from deltacrown.core.storage import LocalStorage
from deltacrown.core.storage_cli import migrate_files
from deltacrown.core.storage_s3 import S3Storage
from tests.uploads import JPEG_BYTES, PDF_BYTES, png_bytes

BUCKET = "deltacrown-test"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    S3Storage(bucket=BUCKET, endpoint_url=endpoint).client.create_bucket(Bucket=BUCKET)
    try:
        yield endpoint
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.fixture
def bucket(s3_endpoint: str, request: pytest.FixtureRequest) -> S3Storage:
    """The bucket under a prefix of this test's own (tests share the server)."""
    prefix = f"t-{request.node.name[:40]}/"
    return S3Storage(
        bucket=BUCKET, prefix=prefix, endpoint_url=s3_endpoint, inline_types=storage.IMAGES
    )


@pytest.fixture
def on_s3(app: Any, bucket: S3Storage) -> Iterator[S3Storage]:
    """The test app stores its files in the bucket for the duration of the test."""
    previous = app.extensions.get("deltacrown_storage")
    app.extensions["deltacrown_storage"] = bucket
    try:
        yield bucket
    finally:
        app.extensions["deltacrown_storage"] = previous


def _fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test server
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_objects_round_trip_with_type_and_disposition(bucket: S3Storage) -> None:
    key = "evidence/" + "a" * 32 + ".pdf"
    assert not bucket.exists(key)
    bucket.write(key, PDF_BYTES, "application/pdf")
    assert bucket.exists(key)
    with bucket.open(key) as handle:
        assert handle.read() == PDF_BYTES
    head = bucket.client.head_object(Bucket=BUCKET, Key=bucket.name(key))
    assert head["ContentType"] == "application/pdf"
    assert head["ContentDisposition"] == f'attachment; filename="{"a" * 32}.pdf"'
    assert list(bucket.keys()) == [key]
    bucket.delete(key)
    bucket.delete(key)  # idempotent, as on disk
    assert not bucket.exists(key)
    with pytest.raises(FileNotFoundError):
        bucket.open(key)


def test_a_private_file_gets_a_presigned_link_that_expires_with_the_apps_own(
    app: Any, on_s3: S3Storage
) -> None:
    with app.app_context():
        key = storage.save(io.BytesIO(PDF_BYTES), "payment_proof", "receipt.pdf")
        link = storage.url(key)
    assert link.startswith(on_s3.client.meta.endpoint_url)
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == [str(storage.PRIVATE_URL_MAX_AGE)]
    status, body, _ = _fetch(link)
    assert (status, body) == (200, PDF_BYTES)
    unsigned = link.split("?", 1)[0]
    assert _fetch(unsigned)[0] == 403  # no signature, no file


def test_a_public_file_links_to_the_public_base_when_one_is_set(app: Any, on_s3: S3Storage) -> None:
    on_s3.public_base_url = "https://cdn.example.test"
    with app.app_context():
        key = storage.save(io.BytesIO(png_bytes()), "avatar", "me.png")
        assert storage.url(key) == f"https://cdn.example.test/{on_s3.name(key)}"
        head = on_s3.client.head_object(Bucket=BUCKET, Key=on_s3.name(key))
    assert head["ContentType"] == "image/png"
    assert head["ContentDisposition"].startswith("inline;")


def test_avatar_uploads_through_the_api_land_in_the_bucket_and_replacing_removes_the_old(
    client: Any, user: Any, on_s3: S3Storage
) -> None:
    def upload(data: bytes, name: str) -> str:
        response = client.put(
            "/api/auth/me/avatar/",
            data={"file": (io.BytesIO(data), name), "alt_text": "My face"},
            headers=user.headers,
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, response.get_json()
        return str(response.get_json()["avatar_url"])

    first = upload(png_bytes(), "a.png")
    assert _fetch(first)[1] == png_bytes()
    second = upload(JPEG_BYTES, "b.jpg")
    assert _fetch(second)[1] == JPEG_BYTES
    assert len(list(on_s3.keys())) == 1  # the first avatar was deleted after the commit


def test_migrate_copies_verifies_resumes_and_a_dry_run_writes_nothing(
    tmp_path: Any, bucket: S3Storage
) -> None:
    local = LocalStorage(tmp_path)
    keys = [
        "avatar/" + "1" * 32 + ".png",
        "evidence/" + "2" * 32 + ".pdf",
        "payment_proof/" + "3" * 32 + ".jpg",
    ]
    for key, data in zip(keys, (png_bytes(), PDF_BYTES, JPEG_BYTES), strict=True):
        local.write(key, data, storage.content_type(key))
    (tmp_path / "avatar" / "notes.txt").write_text("not a stored file")
    assert list(local.keys()) == keys

    dry = migrate_files(local, bucket, keys, dry_run=True)
    assert (dry.copied, dry.skipped, list(bucket.keys())) == (3, 0, [])

    bucket.write(keys[0], png_bytes(), "image/png")  # a run stopped after the first file
    bucket.write(keys[1], b"%PDF-1.4 damaged", "application/pdf")  # and a bad earlier copy
    report = migrate_files(local, bucket, keys)
    assert (report.copied, report.skipped, report.failed) == (2, 1, [])
    with bucket.open(keys[1]) as handle:
        assert handle.read() == PDF_BYTES

    again = migrate_files(local, bucket, keys)
    assert (again.copied, again.skipped) == (0, 3)


def test_the_migrate_command_reports_and_refuses_one_backend_to_itself(
    app: Any, s3_endpoint: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "STORAGE_ROOT", str(tmp_path))
    monkeypatch.setitem(app.config, "STORAGE_S3_BUCKET", BUCKET)
    monkeypatch.setitem(app.config, "STORAGE_S3_PREFIX", "cli/")
    monkeypatch.setitem(app.config, "STORAGE_S3_ENDPOINT_URL", s3_endpoint)
    LocalStorage(tmp_path).write("avatar/" + "4" * 32 + ".png", png_bytes(), "image/png")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["storage", "migrate", "--from", "local", "--to", "s3"])
    assert result.exit_code == 0, result.output
    assert "copied 1, already there 0" in result.output
    result = runner.invoke(args=["storage", "migrate", "--from", "local", "--to", "s3"])
    assert "copied 0, already there 1" in result.output
    result = runner.invoke(args=["storage", "migrate", "--from", "s3", "--to", "s3"])
    assert result.exit_code != 0 and "different backends" in result.output


def test_an_s3_backend_without_a_bucket_is_refused_at_start() -> None:
    from deltacrown.config import ConfigError
    from deltacrown.config_checks import validate

    with pytest.raises(ConfigError, match="STORAGE_S3_BUCKET"):
        validate({"STORAGE_BACKEND": "s3"})
    with pytest.raises(ConfigError, match="local or s3"):
        validate({"STORAGE_BACKEND": "ftp"})

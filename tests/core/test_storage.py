"""File storage: sniffed types per kind, size limits, safe keys, and the /media/ route."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from deltacrown.core import storage
from deltacrown.core.storage import (
    FileTooLargeError,
    InvalidKeyError,
    LocalStorage,
    StoredFileNotFoundError,
    UnsupportedFileTypeError,
)
from tests.helpers import assert_problem
from tests.uploads import JPEG_BYTES, PDF_BYTES, TEXT_BYTES, WEBP_BYTES, png_bytes, png_of_size

KEY_RE = re.compile(r"^avatar/[0-9a-f]{32}\.png$")


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


# ----- sniffing ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (png_bytes(), "image/png"),
        (JPEG_BYTES, "image/jpeg"),
        (WEBP_BYTES, "image/webp"),
        (PDF_BYTES, "application/pdf"),
        (TEXT_BYTES, None),
        (b"", None),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None),
    ],
)
def test_sniff_reads_the_type_from_the_bytes(data, expected):
    assert storage.sniff(data) == expected


def test_check_upload_ignores_the_file_name():
    assert storage.check_upload(png_bytes(), "avatar", "holiday.pdf") == "image/png"
    with pytest.raises(UnsupportedFileTypeError) as info:
        storage.check_upload(TEXT_BYTES, "avatar", "photo.png")
    assert "photo.png" in str(info.value.detail)
    assert info.value.status == 415 and info.value.code == "unsupported_file_type"


def test_check_upload_applies_each_kinds_allow_list():
    assert storage.check_upload(PDF_BYTES, "payment_proof") == "application/pdf"
    assert storage.check_upload(PDF_BYTES, "evidence") == "application/pdf"
    with pytest.raises(UnsupportedFileTypeError):
        storage.check_upload(PDF_BYTES, "avatar")
    gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
    with pytest.raises(UnsupportedFileTypeError):
        storage.check_upload(gif, "evidence")


def test_check_upload_allows_exactly_the_limit_and_refuses_one_byte_more():
    limit = storage.KINDS["avatar"].max_bytes
    assert storage.check_upload(png_of_size(limit), "avatar") == "image/png"
    with pytest.raises(FileTooLargeError) as info:
        storage.check_upload(png_of_size(limit + 1), "avatar")
    assert info.value.status == 413 and info.value.code == "file_too_large"
    assert storage.check_upload(png_of_size(limit + 1), "evidence") == "image/png"


# ----- keys and the local backend ----------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    [
        "../secret.png",
        "avatar/../../etc/passwd",
        "avatar/" + "a" * 32 + ".png/../../x",
        "/etc/passwd",
        "avatar/" + "A" * 32 + ".png",  # keys are lower-case hex
        "avatar/" + "a" * 31 + ".png",
        "avatar/" + "a" * 32 + ".svg",
        "unknown/" + "a" * 32 + ".png",
        "avatar\\" + "a" * 32 + ".png",
        "",
    ],
)
def test_malformed_keys_are_refused_before_touching_the_disk(tmp_path, key):
    backend = LocalStorage(tmp_path / "root")
    with pytest.raises(InvalidKeyError):
        backend.path(key)
    with pytest.raises(InvalidKeyError):
        backend.delete(key)
    with pytest.raises(InvalidKeyError):
        backend.open(key)


def test_local_backend_writes_opens_and_deletes(tmp_path):
    backend = LocalStorage(tmp_path)
    key = "evidence/" + "0123456789abcdef" * 2 + ".pdf"
    assert not backend.exists(key)
    backend.write(key, PDF_BYTES, "application/pdf")
    assert backend.exists(key)
    assert (tmp_path / key).read_bytes() == PDF_BYTES
    with backend.open(key) as handle:
        assert handle.read() == PDF_BYTES
    backend.delete(key)
    backend.delete(key)  # idempotent
    assert not backend.exists(key)
    assert _files_under(tmp_path) == []  # no temp files left behind


# ----- the module interface (app context) -------------------------------------------------------
def test_save_stores_under_a_random_key_with_the_sniffed_extension(app_ctx):
    first = storage.save(io.BytesIO(png_bytes()), "avatar", "me.jpg")
    second = storage.save(io.BytesIO(png_bytes()), "avatar", "me.jpg")
    assert KEY_RE.match(first) and KEY_RE.match(second) and first != second
    assert storage.content_type(first) == "image/png"
    with storage.open(first) as handle:
        assert handle.read() == png_bytes()
    root = Path(app_ctx.config["STORAGE_ROOT"])
    assert (root / first).is_file()
    jpeg_key = storage.save(io.BytesIO(JPEG_BYTES), "avatar", "x.png")
    assert jpeg_key.endswith(".jpg") and storage.content_type(jpeg_key) == "image/jpeg"
    webp_key = storage.save(io.BytesIO(WEBP_BYTES), "avatar", "x")
    assert webp_key.endswith(".webp")


def test_refused_uploads_store_nothing(app_ctx):
    root = Path(app_ctx.config["STORAGE_ROOT"])
    before = set(_files_under(root))
    with pytest.raises(UnsupportedFileTypeError):
        storage.save(io.BytesIO(TEXT_BYTES), "avatar", "notes.png")
    with pytest.raises(FileTooLargeError):
        storage.save(io.BytesIO(png_of_size(3 * 1024 * 1024)), "avatar", "big.png")
    assert set(_files_under(root)) == before


def test_save_reads_no_more_than_the_limit_plus_one_byte(app_ctx):
    class Endless(io.RawIOBase):
        """A PNG header followed by zeros forever."""

        def __init__(self) -> None:
            self.served = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            assert size > 0, "an unbounded read would load the whole upload"
            head = png_bytes()[:16] if self.served == 0 else b""
            chunk = (head + b"\x00" * size)[:size]
            self.served += len(chunk)
            return chunk

    stream = Endless()
    with pytest.raises(FileTooLargeError):
        storage.save(stream, "avatar", "stream.png")
    assert stream.served == storage.KINDS["avatar"].max_bytes + 1


def test_save_refuses_an_unknown_kind(app_ctx):
    with pytest.raises(ValueError, match="unknown storage kind"):
        storage.save(io.BytesIO(png_bytes()), "banner", "x.png")


def test_open_and_delete_of_missing_or_forged_keys(app_ctx):
    missing = "avatar/" + "f" * 32 + ".png"
    with pytest.raises(StoredFileNotFoundError):
        storage.open(missing)
    with pytest.raises(StoredFileNotFoundError):
        storage.open("avatar/../../config.py")
    storage.delete(missing)  # nothing there: fine
    with pytest.raises(InvalidKeyError):
        storage.delete("../../deltacrown.sqlite3")


def test_delete_removes_the_file(app_ctx):
    key = storage.save(io.BytesIO(png_bytes()), "avatar", "a.png")
    storage.delete(key)
    with pytest.raises(StoredFileNotFoundError):
        storage.open(key)


def test_url_of_a_public_kind_is_a_plain_media_path(app_ctx):
    key = storage.save(io.BytesIO(png_bytes()), "avatar", "a.png")
    assert storage.url(key) == f"/media/{key}"
    with app_ctx.test_request_context():
        assert storage.url(key) == f"/media/{key}"


# ----- serving ----------------------------------------------------------------------------------
def _save(app, data: bytes, kind: str) -> str:
    with app.app_context():
        return storage.save(io.BytesIO(data), kind, "f")


def test_media_serves_a_public_file_with_its_stored_type(app, client):
    key = _save(app, png_bytes(), "avatar")
    response = client.get(f"/media/{key}", buffered=True)
    assert response.status_code == 200
    assert response.data == png_bytes()
    assert response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "public" in response.headers["Cache-Control"]
    again = client.get(
        f"/media/{key}", headers={"If-None-Match": response.headers["ETag"]}, buffered=True
    )
    assert again.status_code == 304


def test_media_answers_404_problems_for_unknown_or_forged_paths(app, client):
    assert_problem(client.get("/media/avatar/" + "e" * 32 + ".png"), 404, "file_not_found")
    assert_problem(client.get("/media/avatar/..%2F..%2Fapp.py"), 404, "file_not_found")
    assert_problem(client.get("/media/avatar/notakey.png"), 404, "file_not_found")


def test_private_files_need_a_valid_unexpired_signature(app, client):
    key = _save(app, PDF_BYTES, "payment_proof")
    with app.test_request_context():
        signed = storage.url(key)
    assert signed.startswith(f"/media/{key}?sig=")
    response = client.get(signed, buffered=True)
    assert response.status_code == 200 and response.data == PDF_BYTES
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "private" in response.headers["Cache-Control"]
    assert_problem(client.get(f"/media/{key}"), 404, "file_not_found")
    assert_problem(client.get(signed[:-2] + "xx"), 404, "file_not_found")
    other = _save(app, PDF_BYTES, "payment_proof")
    sig = signed.split("?sig=")[1]
    assert_problem(client.get(f"/media/{other}?sig={sig}"), 404, "file_not_found")
    later = datetime.now(UTC) + timedelta(seconds=storage.PRIVATE_URL_MAX_AGE + 60)
    with time_machine.travel(later):
        assert_problem(client.get(signed), 404, "file_not_found")

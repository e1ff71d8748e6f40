"""File storage for uploads: per-kind allow-lists and size limits, sniffed types, `/media/` serving.

`save(stream, kind, filename) -> key`, `open(key)`, `url(key)` and `delete(key)` are the whole
interface domains use. Bytes go to a `StorageBackend`; `LocalStorage` keeps them under
`STORAGE_ROOT` (default `<instance>/uploads`); `S3Storage` (`core.storage_s3`, chosen with
`STORAGE_BACKEND=s3`) keeps them in a bucket and hands out direct links. Callers never know
which backend is in use; `flask storage migrate` copies files from one to the other.

Decisions:
* The content type is sniffed from the bytes (`filetype`); the client's Content-Type and the
  file name are never trusted. A type that is unknown or not on the kind's allow-list is a
  415 `unsupported_file_type`, whatever the file is called.
* Keys are `<kind>/<uuid4 hex>.<sniffed extension>`: random, immutable (a new upload gets a
  new key) and validated by one pattern before any path is built, so no key can leave the
  storage root. The extension is the stored content type; no side files are needed.
* Public kinds (avatars) are served to anyone at `/media/<key>`. Private kinds are served
  only with a signed, time-limited `?sig=` that `url()` adds: a view that has checked who may
  see the file hands out the link, as an S3 presigned URL would.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

import filetype
from flask import Blueprint, Response, current_app, has_request_context, request, send_file, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from deltacrown.core.errors import DomainError, NotFoundError
from deltacrown.core.storage_s3 import S3Storage

MiB = 1024 * 1024
READ_CHUNK = 64 * 1024
PRIVATE_URL_MAX_AGE = 15 * 60  # seconds a signed link to a private file stays valid
# Keys never change content, so caches need not revalidate; a day bounds how long a removed
# avatar lingers in them.
PUBLIC_MAX_AGE = 24 * 60 * 60
_SIGNER_SALT = "deltacrown.storage.media"

# Sniffed content type → the extension stored in the key (and back, when serving).
EXTENSIONS: dict[str, str] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
CONTENT_TYPES: dict[str, str] = {ext: mime for mime, ext in EXTENSIONS.items()}
IMAGES = frozenset({"image/png", "image/jpeg", "image/webp"})


@dataclass(frozen=True)
class Kind:
    content_types: frozenset[str]
    max_bytes: int
    public: bool = False


# The one table of what may be uploaded, how big, and who may fetch it.
KINDS: dict[str, Kind] = {
    "avatar": Kind(IMAGES, 2 * MiB, public=True),
    "payment_proof": Kind(IMAGES | {"application/pdf"}, 5 * MiB),
    "evidence": Kind(IMAGES | {"application/pdf"}, 5 * MiB),
}

_KEY_RE = re.compile(
    r"^(?P<kind>" + "|".join(map(re.escape, KINDS)) + r")/[0-9a-f]{32}\."
    r"(?P<ext>" + "|".join(map(re.escape, CONTENT_TYPES)) + r")$"
)


class UnsupportedFileTypeError(DomainError):
    status, code, title = 415, "unsupported_file_type", "Unsupported file type"


class FileTooLargeError(DomainError):
    status, code, title = 413, "file_too_large", "File too large"


class StoredFileNotFoundError(NotFoundError):
    code, title = "file_not_found", "File not found"


class InvalidKeyError(ValueError):
    """Not a key `save()` could have produced (a bug, or a forged path)."""


def parse_key(key: str) -> tuple[str, str]:
    """(kind, content type) of a well-formed key; InvalidKeyError otherwise."""
    match = _KEY_RE.match(key) if isinstance(key, str) else None
    if match is None:
        raise InvalidKeyError(f"not a storage key: {key!r}")
    return match["kind"], CONTENT_TYPES[match["ext"]]


class StorageBackend(ABC):
    """Where the bytes live. Keys reaching a backend are already validated."""

    @abstractmethod
    def write(self, key: str, data: bytes, content_type: str) -> None: ...

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary stream of the file; FileNotFoundError when there is none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...


class LocalStorage(StorageBackend):
    """Files under a directory on the local disk (the instance folder by default)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def path(self, key: str) -> Path:
        parse_key(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):  # the key pattern already rules this out
            raise InvalidKeyError(f"key escapes the storage root: {key!r}")
        return path

    def write(self, key: str, data: bytes, content_type: str) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def keys(self) -> Iterator[str]:
        """Every stored key, in name order (temporary and foreign files left out)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            key = path.relative_to(self.root).as_posix()
            if path.is_file() and _KEY_RE.match(key):
                yield key


StorageBackend.register(S3Storage)
BACKENDS = ("local", "s3")


def build_backend(name: str, config: Any, instance_path: str) -> StorageBackend:
    """A backend by name (`local` or `s3`) from the app's settings."""
    if name == "local":
        return LocalStorage(config.get("STORAGE_ROOT") or os.path.join(instance_path, "uploads"))
    if name == "s3":
        backend = S3Storage(
            bucket=config.get("STORAGE_S3_BUCKET") or "",
            prefix=config.get("STORAGE_S3_PREFIX") or "",
            region=config.get("STORAGE_S3_REGION"),
            endpoint_url=config.get("STORAGE_S3_ENDPOINT_URL"),
            public_base_url=config.get("STORAGE_PUBLIC_BASE_URL"),
            inline_types=IMAGES,
        )
        return cast(StorageBackend, backend)
    raise ValueError(f"unknown storage backend {name!r}; one of: {', '.join(BACKENDS)}")


def get_backend() -> StorageBackend:
    """The current app's backend (`STORAGE_BACKEND`), created on first use."""
    backend = current_app.extensions.get("deltacrown_storage")
    if backend is None:
        backend = current_app.extensions["deltacrown_storage"] = build_backend(
            current_app.config.get("STORAGE_BACKEND") or "local",
            current_app.config,
            current_app.instance_path,
        )
    return backend


def _read_limited(stream: BinaryIO, limit: int) -> bytes:
    """Read at most `limit` bytes; one more means the file is too big."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def sniff(data: bytes) -> str | None:
    """The content type the bytes say they are (None when unknown)."""
    guess = filetype.guess(data[:8192]) if data else None
    return guess.mime if guess is not None else None


def check_upload(data: bytes, kind: str, filename: str | None = None) -> str:
    """The sniffed content type if `data` may be stored as `kind`.

    Raises UnsupportedFileTypeError (415) and FileTooLargeError (413).
    """
    spec = KINDS[kind]
    name = (filename or "the file")[:100]
    if len(data) > spec.max_bytes:
        raise FileTooLargeError(
            f"{name} is larger than the {spec.max_bytes // MiB} MiB allowed for {kind} files.",
            max_bytes=spec.max_bytes,
        )
    content_type = sniff(data)
    if content_type not in spec.content_types:
        allowed = sorted(spec.content_types)
        found = content_type or "not a recognised file type"
        raise UnsupportedFileTypeError(
            f"{name} is {found}; {kind} files must be one of: {', '.join(allowed)}.",
            allowed=allowed,
        )
    return content_type


def save(stream: BinaryIO, kind: str, filename: str | None = None) -> str:
    """Store an upload of `kind` and return its new key.

    `filename` is only used in error messages. Raises UnsupportedFileTypeError (415) and
    FileTooLargeError (413); nothing is stored then.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown storage kind {kind!r}")
    data = _read_limited(stream, KINDS[kind].max_bytes)
    content_type = check_upload(data, kind, filename)
    key = f"{kind}/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
    get_backend().write(key, data, content_type)
    return key


def open(key: str) -> BinaryIO:  # shadows the builtin on purpose: storage.open(key)
    """A binary stream of a stored file. Raises StoredFileNotFoundError."""
    try:
        return get_backend().open(key)
    except (FileNotFoundError, InvalidKeyError) as exc:
        raise StoredFileNotFoundError("No such file.") from exc


def delete(key: str) -> None:
    """Remove a stored file (idempotent). An invalid key raises InvalidKeyError."""
    parse_key(key)
    get_backend().delete(key)


def content_type(key: str) -> str:
    return parse_key(key)[1]


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SIGNER_SALT)


def url(key: str) -> str:
    """A URL that serves the file; signed and short-lived for private kinds. With the local
    backend it is this app's `/media/`; with S3, the bucket's own (presigned) link."""
    kind, _ = parse_key(key)
    backend = get_backend()
    if isinstance(backend, S3Storage):
        return backend.link(key, public=KINDS[kind].public, max_age=PRIVATE_URL_MAX_AGE)
    params: dict[str, Any] = {} if KINDS[kind].public else {"sig": _signer().dumps(key)}
    if has_request_context():
        return url_for("media.serve", key=key, **params)
    query = f"?sig={params['sig']}" if params else ""
    return f"/media/{key}{query}"


# ----- serving ---------------------------------------------------------------------------------
bp = Blueprint("media", __name__, url_prefix="/media")


def _may_serve(key: str, kind: str) -> bool:
    if KINDS[kind].public:
        return True
    try:
        return _signer().loads(request.args.get("sig", ""), max_age=PRIVATE_URL_MAX_AGE) == key
    except BadSignature:
        return False


@bp.get("/<path:key>")
def serve(key: str) -> Response:
    try:
        kind, mimetype = parse_key(key)
    except InvalidKeyError as exc:
        raise StoredFileNotFoundError("No such file.") from exc
    if not _may_serve(key, kind):
        raise StoredFileNotFoundError("No such file.")  # do not reveal that it exists
    response = send_file(
        open(key),
        mimetype=mimetype,
        as_attachment=mimetype not in IMAGES,
        download_name=key.rsplit("/", 1)[-1],
        etag=key.replace("/", "-"),
        conditional=True,
        max_age=PUBLIC_MAX_AGE if KINDS[kind].public else PRIVATE_URL_MAX_AGE,
    )
    if KINDS[kind].public:
        response.cache_control.public = True
        response.cache_control.immutable = True
    else:
        response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

"""The S3 backend of kernel storage (`STORAGE_BACKEND=s3`): AWS S3 or any S3-compatible server.

Objects are named `<STORAGE_S3_PREFIX><key>` in `STORAGE_S3_BUCKET`, with the content type and
a `Content-Disposition` (inline for images, attachment otherwise) set on upload. Clients are
sent to the bucket directly instead of through `/media/`:

* private kinds get a presigned GET URL that expires with the app's own signed links;
* public kinds get `STORAGE_PUBLIC_BASE_URL` + the object name (a CDN or a public bucket
  policy), or a presigned URL when no public base is configured.

Credentials come from boto3's usual chain (environment, shared files, instance role);
`STORAGE_S3_ENDPOINT_URL` points at an S3-compatible server (MinIO, Ceph, moto).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(exc: Exception) -> bool:
    """Whether a botocore `ClientError` says the object does not exist."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code")) in MISSING


def _client(region: str | None, endpoint_url: str | None) -> Any:
    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(
            signature_version="s3v4",
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


class S3Storage:
    """Files as objects of one bucket, under an optional prefix (a `core.storage`
    `StorageBackend`; keys reaching it are already validated)."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        region: str | None = None,
        endpoint_url: str | None = None,
        public_base_url: str | None = None,
        inline_types: frozenset[str] = frozenset(),
        client: Any = None,
    ) -> None:
        if not bucket:
            raise ValueError("STORAGE_S3_BUCKET is required when STORAGE_BACKEND is s3")
        self.bucket = bucket
        self.prefix = prefix
        self.public_base_url = (public_base_url or "").rstrip("/") or None
        self.inline_types = inline_types
        self.client = client or _client(region, endpoint_url)

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def write(self, key: str, data: bytes, content_type: str) -> None:
        filename = key.rsplit("/", 1)[-1]
        disposition = "inline" if content_type in self.inline_types else "attachment"
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.name(key),
            Body=data,
            ContentType=content_type,
            ContentDisposition=f'{disposition}; filename="{filename}"',
        )

    def open(self, key: str) -> BinaryIO:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(key) from exc
            raise
        return io.BytesIO(response["Body"].read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.name(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.name(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def keys(self) -> Iterator[str]:
        """Every stored key (object names under the prefix), in name order."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]

    def link(self, key: str, *, public: bool, max_age: int) -> str:
        """Where a client fetches the file straight from the bucket."""
        if public and self.public_base_url:
            return f"{self.public_base_url}/{self.name(key)}"
        url: str = self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.name(key)},
            ExpiresIn=max_age,
        )
        return url

"""Objects in an S3 bucket (AWS S3 or any S3-compatible store) under one key prefix.

boto3 is the client because it alone among the well-kept Python libraries both streams
multipart uploads and presigns every S3 operation (GET downloads and multipart parts), which
is what downloads straight from the store need. Every node reaches the same bucket, so
nothing a request writes stays on the node that received it.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from pluto.server.config import StorageConfig
from pluto.server.errors import NotFound, PlutoError
from pluto.server.storage import CHUNK, StoredObject, check_key

MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
# A read after a seek asks for at least this much, so sequential reads take few requests
# and a reader that stops early (a Parquet footer, one row group) wastes little.
READ_WINDOW = 8 * CHUNK
# Parts are held in memory while they go out, so a few at a time bound an upload's memory.
TRANSFER = TransferConfig(
    multipart_threshold=8 * CHUNK, multipart_chunksize=8 * CHUNK, max_concurrency=4
)


def make_client(config: StorageConfig, endpoint_url: str) -> Any:
    """A boto3 S3 client; unset options fall back to the standard AWS settings."""
    style = config.option("addressing_style") or ("path" if endpoint_url else "auto")
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=config.option("region") or None,
        aws_access_key_id=config.option("access_key_id") or None,
        aws_secret_access_key=config.option("secret_access_key") or None,
        config=BotoConfig(
            signature_version="s3v4",
            s3={"addressing_style": style},
            retries={"max_attempts": 5, "mode": "standard"},
            # Many S3-compatible stores refuse the trailing checksums boto3 sends by default.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def is_missing(error: ClientError) -> bool:
    """Whether S3 answered that the object does not exist."""
    return str(error.response.get("Error", {}).get("Code", "")) in MISSING_CODES


def unavailable(error: Exception) -> PlutoError:
    """The error for a store that cannot be reached or refuses the request."""
    return PlutoError(
        f"The object store did not answer as expected ({error}); try again shortly.",
        code="storage_unavailable",
        status=503,
    )


class S3Storage:
    """Objects as S3 keys ``<prefix>/<key>`` in one bucket."""

    def __init__(self, config: StorageConfig) -> None:
        self.bucket = config.bucket
        self.prefix = config.prefix
        self.client = make_client(config, config.option("endpoint_url"))
        public = config.option("presign_endpoint_url")
        # Download URLs may need the address users reach the store at, not the nodes' one.
        self.presigner = make_client(config, public) if public else self.client

    def object_key(self, key: str) -> str:
        """The S3 key of a store key."""
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def root_prefix(self) -> str:
        """What every S3 key of this store starts with."""
        return f"{self.prefix}/" if self.prefix else ""

    def put(self, key: str, source: BinaryIO | bytes | Path) -> StoredObject:
        """Stream ``source`` into the object (multipart when large), hashing it on the way."""
        reader = HashingReader(source)
        try:
            self.client.upload_fileobj(reader, self.bucket, self.object_key(key), Config=TRANSFER)
        except Exception as exc:
            # The source's own error (a short request body) wins over how boto3 reports it.
            if reader.error is not None:
                raise reader.error from exc
            if isinstance(exc, ClientError | BotoCoreError):
                raise unavailable(exc) from exc
            raise
        finally:
            reader.close()
        if reader.error is not None:
            raise reader.error
        return StoredObject(key=key, size=reader.size, sha256=reader.digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        """A seekable, buffered file whose reads are ranged GETs."""
        raw = S3ObjectReader(self, key, self.size(key))
        return io.BufferedReader(raw, buffer_size=CHUNK)

    def get(self, key: str, first: int, last: int) -> Any:
        """The streamed body of bytes ``first..last`` of an object."""
        try:
            answer = self.client.get_object(
                Bucket=self.bucket, Key=self.object_key(key), Range=f"bytes={first}-{last}"
            )
        except ClientError as exc:
            if is_missing(exc):
                raise NotFound(f"Stored object {key} is missing.") from exc
            raise unavailable(exc) from exc
        except BotoCoreError as exc:
            raise unavailable(exc) from exc
        return answer["Body"]

    def open_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """The bytes ``start`` to ``end`` inclusive, in chunks, from one ranged GET."""
        body = self.get(key, start, end)
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        """Remove an object (S3 answers success for a key that is already gone)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))
        except (ClientError, BotoCoreError) as exc:
            raise unavailable(exc) from exc

    def head(self, key: str) -> dict[str, Any] | None:
        """The object's metadata, or None when it does not exist."""
        try:
            answer: dict[str, Any] = self.client.head_object(
                Bucket=self.bucket, Key=self.object_key(key)
            )
        except ClientError as exc:
            if is_missing(exc):
                return None
            raise unavailable(exc) from exc
        except BotoCoreError as exc:
            raise unavailable(exc) from exc
        return answer

    def exists(self, key: str) -> bool:
        """Whether the object exists."""
        return self.head(key) is not None

    def size(self, key: str) -> int:
        """The object's size in bytes."""
        found = self.head(key)
        if found is None:
            raise NotFound(f"Stored object {key} is missing.")
        return int(found["ContentLength"])

    def local_path(self, key: str) -> Path | None:
        """S3 objects have no filesystem path."""
        return None

    def keys(self) -> Iterator[str]:
        """Every stored object's key, sorted; unfinished uploads' chunks are not objects yet
        (as on the local store, whose staging lives outside the objects folder)."""
        return iter(sorted(key for key in self.listing("") if not key.startswith("uploads/")))

    def listing(self, prefix: str) -> dict[str, int]:
        """Every object under the folder ``prefix`` (all of them for ''), with its size."""
        folder = prefix.strip("/")
        start = self.object_key(folder) + "/" if folder else self.root_prefix()
        found: dict[str, int] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start
            )
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.root_prefix()) :]
                    found[key] = item["Size"]
        except (ClientError, BotoCoreError) as exc:
            raise unavailable(exc) from exc
        return found

    def download_url(self, key: str, filename: str, content_type: str, ttl: int) -> str | None:
        """A presigned GET of the object, named and typed, valid for ``ttl`` seconds."""
        params = {
            "Bucket": self.bucket,
            "Key": self.object_key(key),
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": content_type,
        }
        url: str = self.presigner.generate_presigned_url("get_object", Params=params, ExpiresIn=ttl)
        return url


class HashingReader:
    """A read-only stream over bytes, a path or a file that counts and hashes what it yields.

    An exception raised by the source is kept in ``error``: boto3 may wrap it, and the
    caller re-raises the original (a short upload body must stay a 400, not become a 503).
    """

    def __init__(self, source: BinaryIO | bytes | Path) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.error: Exception | None = None
        self.owned = isinstance(source, bytes | Path)
        if isinstance(source, bytes):
            self.source: BinaryIO = io.BytesIO(source)
        elif isinstance(source, Path):
            self.source = source.open("rb")
        else:
            self.source = source

    def read(self, size: int = -1) -> bytes:
        """The next bytes of the source, hashed."""
        try:
            block = self.source.read(size)
        except Exception as exc:
            self.error = exc
            raise
        self.digest.update(block)
        self.size += len(block)
        return block

    def close(self) -> None:
        """Close the source when this reader opened it."""
        if self.owned:
            self.source.close()


class S3ObjectReader(io.RawIOBase):
    """The raw, seekable side of :meth:`S3Storage.open`: reads stream from ranged GETs."""

    def __init__(self, storage: S3Storage, key: str, size: int) -> None:
        super().__init__()
        self.storage, self.key, self.length = storage, key, size
        self.position = 0
        self.body: Any = None
        self.body_end = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        target = max(0, base + offset)
        if target != self.position:
            self.drop_body()
        self.position = target
        return self.position

    def readinto(self, buffer: Any) -> int:
        wanted = min(len(buffer), self.length - self.position)
        if wanted <= 0:
            return 0
        if self.body is None or self.position >= self.body_end:
            self.open_body(wanted)
        data = self.body.read(min(wanted, self.body_end - self.position))
        if not data:
            self.drop_body()
            raise unavailable(OSError(f"the read of {self.key} ended early"))
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)

    def open_body(self, wanted: int) -> None:
        """Start a GET from the current position, at least ``READ_WINDOW`` long."""
        self.drop_body()
        self.body_end = min(self.length, self.position + max(wanted, READ_WINDOW))
        self.body = self.storage.get(self.key, self.position, self.body_end - 1)

    def drop_body(self) -> None:
        if self.body is not None:
            self.body.close()
            self.body = None

    def close(self) -> None:
        self.drop_body()
        super().close()

"""Where an artifact store keeps its bytes: a local directory (files written under a
temporary name, synced, then renamed) or an S3 bucket (multipart uploads, visible once
complete). Both list, read, delete and abort unfinished writes the same way
(``Backend``); core/artifacts.py keeps manifests, checksums and retention above them."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Protocol

from maint_assets.core.s3_store import s3_client

CHUNK = 8 * 1024 * 1024


class ArtifactStoreUnavailable(RuntimeError):
    """The directory or bucket cannot be written or read; the message names it."""


@dataclass(frozen=True)
class Unfinished:
    """An upload a put began and never completed."""

    key: str  # the artifact's key
    started: datetime  # when the store says it began
    handle: str  # what the backend aborts it by (an upload id, a temporary file)


class Backend(Protocol):
    def describe(self) -> str: ...
    def put_file(self, source: Path, key: str) -> None: ...
    def put_bytes(self, data: bytes, key: str) -> None: ...
    def get_file(self, key: str, destination: Path) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def open(self, key: str) -> BinaryIO: ...
    def keys(self, prefix: str) -> list[str]: ...
    def delete(self, keys: list[str]) -> None: ...
    def unfinished(self, folder: str) -> list[Unfinished]: ...
    def abort(self, upload: Unfinished) -> None: ...


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_folder(folder: Path) -> None:
    """``folder`` and its missing parents, each new one's entry synced into its parent: the
    files synced into a folder a crash then loses are lost with it."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(exist_ok=True)
        with suppress(OSError):  # a file system that refuses to sync a folder (EINVAL)
            fsync(new.parent)


class LocalBackend:
    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return f"directory {self.root}"

    def _path(self, key: str) -> Path:
        return self.root / PurePosixPath(key)

    @contextmanager
    def _atomic(self, key: str) -> Iterator[Path]:
        final = self._path(key)
        _make_folder(final.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
        os.close(fd)
        try:
            yield Path(tmp)
            # On disk before it takes its name, and the name on disk after: a crash just after
            # a put left a zero-length manifest under the new name (ext4's auto_da_alloc only
            # covers a rename over an existing file), which failed every later listing.
            fsync(Path(tmp))
            os.replace(tmp, final)
            # Some file systems refuse to sync a folder (EINVAL): the file itself is on disk.
            with suppress(OSError):
                fsync(final.parent)
        finally:
            Path(tmp).unlink(missing_ok=True)

    def put_file(self, source: Path, key: str) -> None:
        with self._atomic(key) as tmp:
            # The source is a temporary file its producer gives up: renamed when it is on the
            # same file system (no second copy of a large dump), copied otherwise.
            try:
                os.replace(source, tmp)
            except OSError:
                shutil.copyfile(source, tmp)

    def put_bytes(self, data: bytes, key: str) -> None:
        with self._atomic(key) as tmp:
            tmp.write_bytes(data)

    def get_file(self, key: str, destination: Path) -> None:
        shutil.copyfile(self._path(key), destination)

    def get_bytes(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def keys(self, prefix: str) -> list[str]:
        base = self._path(prefix)
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    def unfinished(self, folder: str) -> list[Unfinished]:
        # _atomic's temporary files: .<artifact name>.<random>.part, left by a killed put
        base = self._path(folder)
        if not base.is_dir():
            return []
        found = []
        for tmp in base.glob(".*.part"):
            name = tmp.name[1 : -len(".part")].rpartition(".")[0]
            started = datetime.fromtimestamp(tmp.stat().st_mtime, UTC)
            found.append(Unfinished(f"{folder}/{name}", started, tmp.name))
        return found

    def abort(self, upload: Unfinished) -> None:
        (self._path(upload.key).parent / upload.handle).unlink(missing_ok=True)


class S3Backend:
    def __init__(self, client: Any, bucket: str, prefix: str, describe: str) -> None:
        from boto3.s3.transfer import TransferConfig

        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._describe = describe
        # upload_file reads each part from disk when it sends it: memory stays at a few parts.
        self.transfer = TransferConfig(
            multipart_threshold=CHUNK * 2, multipart_chunksize=CHUNK * 2, max_concurrency=4
        )

    def describe(self) -> str:
        return self._describe

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_file(self, source: Path, key: str) -> None:
        try:
            self.client.upload_file(
                str(source), self.bucket, self._key(key), Config=self.transfer
            )
        except Exception as err:
            # s3transfer aborts the multipart upload of a failed transfer, but once and
            # silently (a failure cleanup that only logs at debug level): when the endpoint
            # went away mid-upload its abort failed too and the parts stayed, billed. Tried
            # again here, and said when it fails; the next put into the folder aborts it.
            from botocore.exceptions import BotoCoreError, ClientError

            try:
                self._abort_uploads_of(key)
            except (BotoCoreError, ClientError) as abort_err:
                raise ArtifactStoreUnavailable(
                    f"{self.describe()}: {err}; the unfinished multipart upload of {key} "
                    f"could not be aborted either ({abort_err}): the next put into "
                    f"{PurePosixPath(key).parent} aborts it"
                ) from err
            raise

    def _abort_uploads_of(self, key: str) -> None:
        # The key holds the put's time to the microsecond: an upload of it is this put's.
        full = self._key(key)
        for upload in self._uploads(full):
            if upload["Key"] == full:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=full, UploadId=upload["UploadId"]
                )

    def _uploads(self, prefix: str) -> list[dict[str, Any]]:
        pages = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        return [u for page in pages for u in page.get("Uploads", [])]

    def put_bytes(self, data: bytes, key: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def get_file(self, key: str, destination: Path) -> None:
        self.client.download_file(self.bucket, self._key(key), str(destination))

    def get_bytes(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()

    def open(self, key: str) -> BinaryIO:
        return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]

    def keys(self, prefix: str) -> list[str]:
        full = self._key(prefix).rstrip("/") + "/"
        strip = len(self.prefix) + 1 if self.prefix else 0
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=full
        )
        return sorted(obj["Key"][strip:] for page in pages for obj in page.get("Contents", []))

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # the API's limit per request
            batch = [{"Key": self._key(k)} for k in keys[start : start + 1000]]
            answer = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            # S3 answers 200 with an <Error> per key it did not delete (InternalError,
            # SlowDown, AccessDenied): botocore raises nothing.
            if failed := answer.get("Errors"):
                first = failed[0]
                raise ArtifactStoreUnavailable(
                    f"{self.describe()}: {len(failed)} of {len(batch)} key(s) not deleted, "
                    f"first {first.get('Key')}: {first.get('Code')} {first.get('Message')}"
                )

    def unfinished(self, folder: str) -> list[Unfinished]:
        strip = len(self.prefix) + 1 if self.prefix else 0
        return [
            Unfinished(u["Key"][strip:], u["Initiated"], u["UploadId"])
            for u in self._uploads(self._key(folder).rstrip("/") + "/")
        ]

    def abort(self, upload: Unfinished) -> None:
        self.client.abort_multipart_upload(
            Bucket=self.bucket, Key=self._key(upload.key), UploadId=upload.handle
        )


def s3_backend(bucket: str, prefix: str, endpoint_url: str, region_name: str) -> S3Backend:
    where = f" at {endpoint_url}" if endpoint_url else ""
    client = s3_client(endpoint_url, region_name)
    return S3Backend(client, bucket, prefix, f"bucket {bucket}{where}")

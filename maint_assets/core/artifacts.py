"""Where the files the assets produce (dumps first of all) are kept: a local directory by
default, an S3 bucket (AWS, MinIO, Ceph: any endpoint) when one is configured.

Every artifact is a file plus a JSON manifest named after it (``<key>.manifest.json``):
what it is, its size and SHA-256, and whatever its producer records (source database, server
version, row counts). The manifest is written last, so an artifact without one is an
unfinished write and is never listed. Files are streamed in both directions (a dump of any
size never sits whole in memory); on a local disk they are written under a temporary name and
renamed, on S3 they only become visible once their upload completes.

A put that dies half-way leaves an unfinished upload (an S3 multipart upload, billed until it
is aborted; a local temporary file): the failing put aborts its own when the store answers,
and the next put into the same folder aborts those that no run still going can own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Protocol

import dagster as dg
from pydantic import Field

from maint_assets.core.file_stores import s3_client
from maint_assets.core.paths import STATE_DIR
from maint_assets.core.retention import RetentionPolicy

MANIFEST_SUFFIX = ".manifest.json"
_CHUNK = 8 * 1024 * 1024
_STAMP = "%Y%m%dT%H%M%S%fZ"


class ArtifactCorrupt(RuntimeError):
    """A stored file does not match the size or checksum its manifest records."""


class ManifestUnreadable(RuntimeError):
    """A manifest in the store is not one a put wrote (empty, cut, edited by hand)."""


class ArtifactStoreUnavailable(RuntimeError):
    """The directory or bucket cannot be written or read; the message names it."""


@dataclass(frozen=True)
class Artifact:
    key: str  # path inside the store, e.g. atlas/backups/regions/regions-20261122T2100…Z.dump
    size: int
    sha256: str
    created_at: datetime
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# The name a put gives an artifact: <stem>-<UTC time><suffix> (the time is _STAMP's).
_NAME = re.compile(r"[^/]+-(?P<stamp>\d{8}T\d{12}Z)(\..*)?")


@dataclass(frozen=True)
class Unfinished:
    """An upload a put began and never completed."""

    key: str  # the artifact's key
    started: datetime  # when the store says it began
    handle: str  # what the backend aborts it by (an upload id, a temporary file)


class _Backend(Protocol):
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


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _LocalBackend:
    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return f"directory {self.root}"

    def _path(self, key: str) -> Path:
        return self.root / PurePosixPath(key)

    @contextmanager
    def _atomic(self, key: str) -> Iterator[Path]:
        final = self._path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
        os.close(fd)
        try:
            yield Path(tmp)
            # On disk before it takes its name, and the name on disk after: a crash just after
            # a put left a zero-length manifest under the new name (ext4's auto_da_alloc only
            # covers a rename over an existing file), which failed every later listing.
            _fsync(Path(tmp))
            os.replace(tmp, final)
            _fsync(final.parent)
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


class _S3Backend:
    def __init__(self, client: Any, bucket: str, prefix: str, describe: str) -> None:
        from boto3.s3.transfer import TransferConfig

        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._describe = describe
        # upload_file reads each part from disk when it sends it: memory stays at a few parts.
        self.transfer = TransferConfig(
            multipart_threshold=_CHUNK * 2, multipart_chunksize=_CHUNK * 2, max_concurrency=4
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


class ArtifactStore(dg.ConfigurableResource):
    """A local directory, or an S3 bucket when ``bucket`` is set (credentials from the
    environment: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or an AWS profile)."""

    directory: str = Field(
        default=str(STATE_DIR / "artifacts"), description="local directory (when no bucket)"
    )
    bucket: str = Field(default="", description="S3 bucket; empty keeps artifacts locally")
    prefix: str = Field(default="", description="key prefix inside the bucket")
    endpoint_url: str = Field(default="", description="S3-compatible endpoint (MinIO, Ceph)")
    region_name: str = Field(default="us-east-1")
    retention: RetentionPolicy = Field(default_factory=RetentionPolicy)
    unfinished_upload_margin_s: int = Field(
        default=600,
        ge=0,
        description="an unfinished upload is aborted only when it began at least this long "
        "before every run still in progress (hosts' clocks differ)",
    )

    def _backend(self) -> _Backend:
        if not self.bucket:
            return _LocalBackend(Path(self.directory))
        return _s3_backend(self.bucket, self.prefix, self.endpoint_url, self.region_name)

    def describe(self) -> str:
        return self._backend().describe()

    def put(
        self,
        source: Path,
        folder: str,
        filename: str,
        manifest: dict[str, Any],
        created: datetime | None = None,
        sha256: str | None = None,
    ) -> Artifact:
        """Store ``source`` as ``<folder>/<stem>-<UTC time><suffix>`` with its manifest;
        ``created`` backdates an imported artifact (default: now); ``sha256`` is the file's
        checksum when its producer computed it while writing (else it is computed here).
        ``source`` is consumed: a local store may move it instead of copying it."""
        created = (created or datetime.now(UTC)).astimezone(UTC)
        stem, dot, suffix = filename.partition(".")
        key = f"{folder}/{stem}-{created.strftime(_STAMP)}{dot}{suffix}"
        size = source.stat().st_size
        record = {
            **manifest,
            "key": key,
            "size": size,
            "sha256": sha256 or sha256_of(source),
            "created_at": created.isoformat(),
        }
        backend = self._backend()
        with _reaching(backend):
            backend.put_file(source, key)
            try:
                backend.put_bytes(
                    json.dumps(record, indent=2, default=str).encode(), key + MANIFEST_SUFFIX
                )
            except BaseException:
                # Without its manifest the file is never listed, so never pruned: removed
                # here, best effort (the manifest's error is the one raised). The manifest
                # first: an answer lost after S3 stored it would otherwise list a backup
                # whose file is gone.
                with suppress(Exception):
                    backend.delete([key + MANIFEST_SUFFIX])
                    backend.delete([key])
                raise
        return _artifact(record)

    def abort_unfinished(self, folder: str, before: datetime) -> list[Unfinished]:
        """Abort the unfinished uploads of artifacts of ``folder`` (direct children, named as
        a put names them) that began, by the store's clock and by the time in their key,
        ``unfinished_upload_margin_s`` before ``before``; return them. Anything else under
        the folder is left alone: it is not known to be ours."""
        cutoff = before - timedelta(seconds=self.unfinished_upload_margin_s)
        backend = self._backend()
        aborted = []
        with _reaching(backend):
            for upload in backend.unfinished(folder):
                parent, _, name = upload.key.rpartition("/")
                named = _NAME.fullmatch(name)
                if parent != folder.strip("/") or named is None:
                    continue
                stamped = datetime.strptime(named["stamp"], _STAMP).replace(tzinfo=UTC)
                if max(upload.started, stamped) < cutoff:
                    backend.abort(upload)
                    aborted.append(upload)
        return aborted

    def list(self, folder: str) -> list[Artifact]:
        """Complete artifacts under ``folder``, oldest first."""
        backend = self._backend()
        with _reaching(backend):
            keys = backend.keys(folder)
            manifests = {k: backend.get_bytes(k) for k in keys if k.endswith(MANIFEST_SUFFIX)}
        return sorted(
            (_read_manifest(backend, k, data) for k, data in manifests.items()),
            key=lambda a: a.created_at,
        )

    def latest(self, folder: str) -> Artifact | None:
        artifacts = self.list(folder)
        return artifacts[-1] if artifacts else None

    def read(self, artifact: Artifact, block: int = 1 << 20) -> Iterator[bytes]:
        """``artifact``'s content in blocks, hashed on the way; raises ArtifactCorrupt after the
        last block when it does not match its manifest, so a consumer streaming it into a
        transaction can still roll back. The hash runs in a thread (hashlib releases the GIL),
        beside the consumer's own work on the blocks."""
        backend = self._backend()
        digest, size = hashlib.sha256(), 0
        with (
            _reaching(backend),
            closing(backend.open(artifact.key)) as f,
            ThreadPoolExecutor(max_workers=1) as hasher,
        ):
            hashed = None
            while data := f.read(block):
                if hashed is not None:
                    hashed.result()
                hashed = hasher.submit(digest.update, data)
                size += len(data)
                yield data
            if hashed is not None:
                hashed.result()
        if size != artifact.size or digest.hexdigest() != artifact.sha256:
            raise ArtifactCorrupt(
                f"{artifact.key} in {backend.describe()} does not match its manifest "
                f"(size {size} vs {artifact.size}, "
                f"sha256 {digest.hexdigest()[:12]}… vs {artifact.sha256[:12]}…)"
            )

    def fetch(self, artifact: Artifact, destination: Path) -> Path:
        """Download ``artifact`` to ``destination`` and verify it against its manifest."""
        backend = self._backend()
        with _reaching(backend):
            backend.get_file(artifact.key, destination)
        size = destination.stat().st_size
        digest = sha256_of(destination)
        if size != artifact.size or digest != artifact.sha256:
            raise ArtifactCorrupt(
                f"{artifact.key} in {backend.describe()} does not match its manifest "
                f"(size {size} vs {artifact.size}, "
                f"sha256 {digest[:12]}… vs {artifact.sha256[:12]}…)"
            )
        return destination

    def prune(
        self,
        folder: str,
        policy: RetentionPolicy,
        verdicts: Mapping[str, bool] | None = None,
        unchecked: Collection[str] = (),
    ) -> list[Artifact]:
        """Delete the artifacts of ``folder`` that ``policy`` does not keep; return them.

        ``verdicts`` ({key: passed}: the restore check's, from the event log) and
        ``unchecked`` (keys whose check has not run yet: never deleted) decide what counts.
        The policy counts only the artifacts whose check did not fail: a week of dumps that
        do not restore never pushes the last restorable ones out. Those that failed are not
        kept beside them either (a store of twice the policy's count): deleted, but for the
        newest when no passing one is newer (what to diagnose). An artifact no evaluation
        names (copied in by hand, older than the event log) counts as a passing one: deleting
        it as a failed one needs evidence."""
        verdicts = verdicts or {}
        artifacts = self.list(folder)
        failed = [a for a in artifacts if verdicts.get(a.key) is False]
        counted = [
            a for a in artifacts if verdicts.get(a.key) is not False and a.key not in unchecked
        ]
        kept = policy.kept([a.created_at for a in counted])
        kept |= {a.created_at for a in artifacts if a.key in unchecked}
        passed = [a.created_at for a in artifacts if verdicts.get(a.key)]
        if failed and (not passed or failed[-1].created_at > max(passed)):
            kept.add(failed[-1].created_at)
        doomed = [a for a in artifacts if a.created_at not in kept]
        backend = self._backend()
        with _reaching(backend):
            # Manifests first: an interrupted prune leaves unlisted files, never listed
            # artifacts whose file is gone.
            backend.delete([a.key + MANIFEST_SUFFIX for a in doomed])
            backend.delete([a.key for a in doomed])
        return doomed


def _s3_backend(bucket: str, prefix: str, endpoint_url: str, region_name: str) -> _S3Backend:
    where = f" at {endpoint_url}" if endpoint_url else ""
    client = s3_client(endpoint_url, region_name)
    return _S3Backend(client, bucket, prefix, f"bucket {bucket}{where}")


def _read_manifest(backend: _Backend, key: str, data: bytes) -> Artifact:
    """The artifact ``key``'s content records; ManifestUnreadable naming it otherwise: a
    bare JSONDecodeError failed every listing of the folder (each backup's retention, its
    restore check, the restore) without saying which file. Nothing is deleted for it."""
    try:
        return _artifact(json.loads(data))
    except (ValueError, KeyError, TypeError) as err:
        raise ManifestUnreadable(
            f"manifest {key} in {backend.describe()} cannot be read "
            f"({type(err).__name__}: {err}; {len(data)} bytes): move it and its file "
            f"{key.removesuffix(MANIFEST_SUFFIX)} out of the folder, or write it again"
        ) from None


def _artifact(record: dict[str, Any]) -> Artifact:
    return Artifact(
        key=record["key"],
        size=record["size"],
        sha256=record["sha256"],
        created_at=datetime.fromisoformat(record["created_at"]),
        manifest=record,
    )


@contextmanager
def _reaching(backend: _Backend) -> Iterator[None]:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (OSError, Boto3Error, BotoCoreError, ClientError) as err:
        raise ArtifactStoreUnavailable(f"{backend.describe()}: {err}") from err


def put_artifact(
    context: dg.AssetExecutionContext,
    artifacts: ArtifactStore,
    source: Path,
    folder: str,
    manifest: dict[str, Any],
    *,
    filename: str | None = None,
    name: str = "artifact",
    sha256: str | None = None,
    checked_by: str | None = None,
    asset_key: dg.AssetKey | None = None,
) -> dict[str, Any]:
    """Store ``source`` (consumed) in ``folder`` with ``manifest`` plus the asset and run,
    prune ``folder`` under the store's retention policy, and return the materialization
    metadata that records it: ``name`` (the key restore checks read),
    ``<name>_size_bytes``, ``<name>_sha256``, ``<name>_pruned``, ``<name>_aborted_uploads``
    and ``store``; with the default name the four are ``size_bytes``, ``sha256``, ``pruned``
    and ``aborted_uploads``.

    ``checked_by`` names the asset's check that restores what ``name`` records: the artifacts
    it failed (its evaluations in the event log) and the new one, not checked yet, do not
    count toward the number kept, so the retention never deletes the newest backups that
    restored in favour of ones that do not; those it failed are deleted but for the newest
    when no passing one is newer (``prune``). Artifacts no evaluation names (older than the
    event log, copied in by hand) count as passing ones: deleting them as failed needs
    evidence.

    ``asset_key``: the asset the artifact is of, when the step materializes several.

    Before storing, the unfinished uploads a killed or cut-off put left in ``folder`` are
    aborted when every run still in progress began after them (``<name>_aborted_uploads``)."""
    aborted = artifacts.abort_unfinished(folder, _oldest_run_in_progress(context.instance))
    if aborted:
        context.log.warning(
            f"aborted unfinished uploads left in {artifacts.describe()}: "
            f"{', '.join(u.key for u in aborted)}"
        )
    asset_key = asset_key or context.asset_key
    artifact = artifacts.put(
        source,
        folder,
        filename or source.name,
        {"asset": asset_key.to_user_string(), **manifest, "run_id": context.run.run_id},
        sha256=sha256,
    )
    verdicts = (
        check_verdicts(context.instance, dg.AssetCheckKey(asset_key, checked_by))
        if checked_by is not None
        else {}
    )
    pruned = artifacts.prune(folder, artifacts.retention, verdicts, unchecked={artifact.key})
    prefix = "" if name == "artifact" else f"{name}_"
    return {
        name: artifact.key,
        f"{prefix}size_bytes": artifact.size,
        f"{prefix}sha256": artifact.sha256,
        f"{prefix}pruned": dg.MetadataValue.json([a.key for a in pruned]),
        f"{prefix}aborted_uploads": dg.MetadataValue.json(
            [{"key": u.key, "started": u.started.isoformat()} for u in aborted]
        ),
        "store": artifacts.describe(),
    }


_FINISHED = {
    dg.DagsterRunStatus.SUCCESS,
    dg.DagsterRunStatus.FAILURE,
    dg.DagsterRunStatus.CANCELED,
}


def _oldest_run_in_progress(instance: dg.DagsterInstance) -> datetime:
    """When the oldest run not finished (the caller's at least) was created: an upload begun
    before that belongs to no run that could still complete it."""
    unfinished = [s for s in dg.DagsterRunStatus if s not in _FINISHED]
    records = instance.get_run_records(dg.RunsFilter(statuses=unfinished))
    return min((r.create_timestamp for r in records), default=datetime.now(UTC))


# The metadata of a restore check's evaluation that failed because of its server, not the
# artifact (core/restore_server.py): it says nothing about the artifact.
RESTORE_SERVER_FAILURE = "restore_server_failure"
# Enough evaluations to cover a year of daily backups (the monthly slots of the default
# policy); an artifact older than that counts as unchecked, so it is kept, never deleted.
_VERDICT_HISTORY = 1000


def check_verdicts(instance: dg.DagsterInstance, check_key: dg.AssetCheckKey) -> dict[str, bool]:
    """{artifact key: passed} from the evaluations of ``check_key`` in the event log (the
    ``artifact`` each recorded), the latest evaluation of an artifact winning. Evaluations
    that failed because of the restore server (``RESTORE_SERVER_FAILURE``) are left out:
    retention deletes a failed artifact, which needs evidence against the artifact."""
    verdicts: dict[str, bool] = {}
    records = instance.event_log_storage.get_asset_check_execution_history(
        check_key, limit=_VERDICT_HISTORY
    )
    for record in records:  # newest first
        evaluation = record.event and record.event.dagster_event
        data = evaluation and evaluation.event_specific_data
        if not isinstance(data, dg.AssetCheckEvaluation) or RESTORE_SERVER_FAILURE in data.metadata:
            continue
        recorded = data.metadata.get("artifact")
        if recorded is not None:
            verdicts.setdefault(str(recorded.value), data.passed)
    return verdicts

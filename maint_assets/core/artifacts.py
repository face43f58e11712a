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
import re
from collections.abc import Collection, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

import dagster as dg
from pydantic import Field

from maint_assets.core.artifact_backends import (
    CHUNK,
    ArtifactStoreUnavailable,
    Backend,
    LocalBackend,
    Unfinished,
    s3_backend,
)
from maint_assets.core.paths import STATE_DIR
from maint_assets.core.retention import RetentionPolicy

MANIFEST_SUFFIX = ".manifest.json"
_STAMP = "%Y%m%dT%H%M%S%fZ"


class ArtifactCorrupt(RuntimeError):
    """A stored file does not match the size or checksum its manifest records."""


class ManifestUnreadable(RuntimeError):
    """A manifest in the store is not one a put wrote (empty, cut, edited by hand)."""


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
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# The name a put gives an artifact: <stem>-<UTC time><suffix> (the time is _STAMP's).
_NAME = re.compile(r"[^/]+-(?P<stamp>\d{8}T\d{12}Z)(\..*)?")


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

    def _backend(self) -> Backend:
        if not self.bucket:
            return LocalBackend(Path(self.directory))
        return s3_backend(self.bucket, self.prefix, self.endpoint_url, self.region_name)

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
        source: str | None = None,
        listed: list[Artifact] | None = None,
    ) -> list[Artifact]:
        """Delete the artifacts of ``folder`` that ``policy`` does not keep; return them.

        ``verdicts`` ({key: passed}: the restore check's, from the event log) and
        ``unchecked`` (keys whose check has not run yet: never deleted) decide what counts.
        The policy counts only the artifacts whose check did not fail: a week of dumps that
        do not restore never pushes the last restorable ones out. Those that failed are not
        kept beside them either (a store of twice the policy's count): deleted, but for the
        newest when no passing one is newer (what to diagnose). An artifact no evaluation
        names (copied in by hand, older than the event log) counts as a passing one: deleting
        it as a failed one needs evidence. The newest one that passed is always kept: the newer
        ones are not known to be good.

        ``source``: only the artifacts whose manifest names this source (or none) are counted
        and pruned. Backups of another database in the folder (another environment's, given
        this store by mistake; the database's server before it moved) are left alone: newer
        backups of one database are no evidence that another's are no longer needed.
        ``listed``: the folder's listing, when the caller has just read it."""
        verdicts = verdicts or {}
        artifacts = [
            a for a in (self.list(folder) if listed is None else listed)
            if source is None or a.manifest.get("source", source) == source
        ]
        failed = [a for a in artifacts if verdicts.get(a.key) is False]
        counted = [
            a for a in artifacts if verdicts.get(a.key) is not False and a.key not in unchecked
        ]
        kept = policy.kept([a.created_at for a in counted])
        kept |= {a.created_at for a in artifacts if a.key in unchecked}
        passed = [a.created_at for a in artifacts if verdicts.get(a.key)]
        if failed and (not passed or failed[-1].created_at > max(passed)):
            kept.add(failed[-1].created_at)
        # The newest artifact proven good is kept whatever is newer: artifacts whose check
        # did not run or failed because of its server count toward the policy without being
        # known to restore, and weeks of them pushed the last one that did out.
        if passed:
            kept.add(max(passed))
        doomed = [a for a in artifacts if a.created_at not in kept]
        backend = self._backend()
        with _reaching(backend):
            # Manifests first: an interrupted prune leaves unlisted files, never listed
            # artifacts whose file is gone.
            backend.delete([a.key + MANIFEST_SUFFIX for a in doomed])
            backend.delete([a.key for a in doomed])
        return doomed

    def adopt(self, folder: str, former: str, source: str) -> list[Artifact]:
        """Name ``source`` as the source of the artifacts of ``folder`` whose manifest names
        ``former`` (the database's server before it moved, under its old name), the old name
        kept in ``adopted_from``; return them. From then on retention counts and prunes them
        with ``source``'s backups, and a restore of ``source`` takes them as its own: the
        operator saying both are one database is the evidence ``prune`` left them alone for.
        Each manifest is replaced whole (a rename, an S3 put): never half written."""
        if former == source:
            raise ValueError(f"{former!r} is already the name of those backups")
        adopted = [a for a in self.list(folder) if a.manifest.get("source") == former]
        backend = self._backend()
        with _reaching(backend):
            for a in adopted:
                record = {**a.manifest, "source": source, "adopted_from": former}
                backend.put_bytes(
                    json.dumps(record, indent=2, default=str).encode(), a.key + MANIFEST_SUFFIX
                )
        return adopted


def _read_manifest(backend: Backend, key: str, data: bytes) -> Artifact:
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
def _reaching(backend: Backend) -> Iterator[None]:
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (OSError, Boto3Error, BotoCoreError, ClientError) as err:
        raise ArtifactStoreUnavailable(f"{backend.describe()}: {err}") from err

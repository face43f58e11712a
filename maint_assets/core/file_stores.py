"""File stores: files listed and read the same way whatever holds them (WARCs, catalogue pages).

(No Dagster import at load time: indexing workers load this module.)

A store is addressed by URL: a local directory (``/data/warcs`` or ``file:///data/warcs``) or
an S3 prefix (``s3://bucket/prefix``, any endpoint). Each store has one spelling, its identity
(``store_identity``), which records about its files are keyed on: ``/data/warcs/``,
``file:///data/warcs`` and ``/data/x/../warcs`` are all ``/data/warcs``. Another kind
(WebHDFS) is one more backend class registered under its scheme; the assets use ``list``,
``local_copy``, ``stat`` (asking the store itself whether a file is gone), ``read_range`` and
``probe`` (whether this reader may read a file).
"""

from __future__ import annotations

import errno
import functools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlparse

from maint_assets.core import mounts

if TYPE_CHECKING:  # botocore is loaded with the first S3 client, never by a local worker
    from botocore.client import BaseClient


class StoreError(RuntimeError):
    """The store cannot be listed or read; the message names it.

    ``scope`` is the part of the store the error is known to be about, for a reader of many
    files deciding what to try next: None for this file alone (one bad sector, one object),
    ``""`` for the whole store (its endpoint refuses connections, its root cannot be read), or
    a folder (``"a/b/"``: a disk not mounted there) whose files would all fail alike."""

    def __init__(self, message: str, scope: str | None = None) -> None:
        super().__init__(message)
        self.scope = scope


class ObjectDenied(RuntimeError):
    """The store answers, but refuses this one file to this user or these credentials (its
    mode, owner or ACL; an S3 object's policy): the file's problem, not the store's."""


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the store's root, '/'-separated
    size: int
    mtime: datetime


@dataclass
class Skipped:
    """What a listing left out, for the run to report: names, never evidence that a file is
    gone (nothing under them can have been recorded, or it was listed without them)."""

    not_utf8: list[str] = field(default_factory=list)  # escaped: TrackDB's paths are text
    # Not followed: a link back up loops, and one to another part of the store lists its
    # files twice. Nor looked behind: files recorded there are not known to be gone.
    symlinks: list[str] = field(default_factory=list)
    # Folders ('…/') the listing user may not read: files recorded under them were not looked
    # for, so their absence from this listing says nothing.
    unreadable: list[str] = field(default_factory=list)
    # Removed between the folder's scan and their stat (a rename, a deletion): not in this
    # listing, as a file that was already gone would not be. A folder ('…/') removed between
    # its parent's scan and its own was not read: like an unreadable one, it says nothing
    # about the files recorded under it (a folder being moved is gone from here for a moment).
    vanished: list[str] = field(default_factory=list)

    @property
    def folders_not_read(self) -> list[str]:
        """The folders ('…/') under which this listing saw nothing: the files recorded under
        them may still be there, and only a later listing that reads them can tell."""
        return self.unreadable + [v for v in self.vanished if v.endswith("/")]

    def hiding(self, path: str) -> str | None:
        """The folder not read or the symlink not followed at or above ``path``, if any: a
        file there that the listing does not hold is not known to be absent."""
        for folder in self.folders_not_read:
            if path.startswith(folder):
                return folder
        for link in self.symlinks:
            if path == link or path.startswith(f"{link}/"):
                return link
        return None


def _escaped(name: str) -> str:
    """A file name as read from the OS, printable: bytes that are not UTF-8 as ``\\xe9``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


class Backend(Protocol):
    def list(
        self, skipped: Skipped | None = None, recursive: bool = True
    ) -> Iterator[StoredFile]:
        """Every file (without ``recursive``, only those directly under the root, as ``ls``
        lists them); what is left out is recorded in ``skipped`` (without ``recursive``, no
        folder is: none is asked for)."""

    def local_copy(self, path: str) -> Iterator[Path]: ...

    def stat(self, path: str) -> StoredFile | None:
        """The file at ``path``, or None when the store says it does not exist; ObjectDenied
        when it refuses to say."""

    def read_range(self, path: str, offset: int, length: int) -> bytes:
        """``length`` bytes of the file from ``offset``: FileNotFoundError when the store says
        it does not exist, ObjectDenied when it refuses it, StoreError when it cannot say."""

    def probe(self, path: str) -> None:
        """Nothing when this reader may read the file (its first byte is read, if it has one);
        the errors of ``read_range``."""


@dataclass(frozen=True)
class LocalBackend:
    root: Path
    # Mount points its bookkeeping saw at earlier runs: one not mounted now hides its files.
    remembered: mounts.Remembered = mounts.NOTHING_REMEMBERED

    def list(
        self, skipped: Skipped | None = None, recursive: bool = True
    ) -> Iterator[StoredFile]:
        skipped = skipped if skipped is not None else Skipped()
        if not self.root.is_dir():
            raise StoreError(f"{self.root} is not a readable directory")
        # Plain strings, not Path objects: a store holds hundreds of thousands of files.
        root = str(self.root)
        skip = len(root) + 1
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = os.scandir(folder)
            except FileNotFoundError:
                if folder == root:
                    raise StoreError(f"{self.root} was removed while it was listed") from None
                skipped.vanished.append(folder[skip:] + "/")
                continue
            except PermissionError as err:
                self._unreadable(folder, err, skipped)
                continue
            with entries:
                for entry in entries:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    if is_dir and not recursive:
                        continue  # its files are not asked for (``ls``): none is left out
                    if not _utf8(entry.name):
                        # A folder's whole subtree: none of it can be a TrackDB path.
                        skipped.not_utf8.append(_escaped(entry.path[skip:]) + "/" * is_dir)
                    elif entry.is_symlink():
                        if recursive or not _links_to_folder(entry):
                            skipped.symlinks.append(entry.path[skip:])
                    elif is_dir:
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        try:
                            stat = entry.stat(follow_symlinks=False)
                        except FileNotFoundError:
                            skipped.vanished.append(entry.path[skip:])
                            continue
                        except PermissionError as err:
                            # Names readable but not searchable: none of its files can be
                            # looked at, so the folder is left out whole.
                            self._unreadable(folder, err, skipped)
                            break
                        yield StoredFile(
                            entry.path[skip:], stat.st_size,
                            datetime.fromtimestamp(stat.st_mtime, UTC),
                        )

    def _unreadable(self, folder: str, err: PermissionError, skipped: Skipped) -> None:
        if folder == str(self.root):
            raise StoreError(
                f"{self.root} is not a readable directory: {err.strerror} (the listing user "
                "may not read it or enter it: fix its permissions)"
            )
        skipped.unreadable.append(folder[len(str(self.root)) + 1:] + "/")

    @contextmanager
    def local_copy(self, path: str) -> Iterator[Path]:
        yield self.root / path

    def stat(self, path: str) -> StoredFile | None:
        try:
            found = (self.root / path).stat()
        except PermissionError as err:
            raise ObjectDenied(f"{self.root / path}: {err.strerror}") from None
        except (FileNotFoundError, NotADirectoryError) as err:
            self._check_gone(path, err)
            return None
        except OSError as err:
            if err.errno in _THE_PATHS_OWN:
                raise
            raise self._disk_error(path, err) from None
        return StoredFile(path, found.st_size, datetime.fromtimestamp(found.st_mtime, UTC))

    def read_range(self, path: str, offset: int, length: int) -> bytes:
        try:
            with (self.root / path).open("rb") as f:
                f.seek(offset)
                return f.read(length)
        except PermissionError as err:
            raise ObjectDenied(f"{self.root / path}: {err.strerror}") from None
        except (FileNotFoundError, NotADirectoryError) as err:
            self._check_gone(path, err)
            raise FileNotFoundError(f"{self.root / path}: {err.strerror}") from None
        except OSError as err:
            if err.errno in _THE_PATHS_OWN:
                raise
            raise self._disk_error(path, err) from None

    def _check_gone(self, path: str, err: OSError) -> None:
        """Nothing when "not found" for ``path`` is the store's answer that the file is gone;
        StoreError when it is no evidence of that: the store's root is not there, or a folder
        at or above the file is a mount point the system declares (fstab, a systemd unit), or
        one ``remembered`` mounted at an earlier run, and is not mounted now. A disk not
        mounted leaves its mount point an empty folder, where every file of the disk is "not
        found"; a folder emptied on purpose (its last WARC deleted) was never a mount point,
        and its files are gone. Emptiness alone cannot tell them apart; the declaration, or
        the memory of the mount, can."""
        if not os.path.isdir(self.root):
            raise StoreError(
                f"cannot read {self.root / path}: {err.strerror}, and the store's root "
                f"{self.root} is not a directory (not mounted, or moved)", scope=""
            )
        found = mounts.TABLES.unmounted(self.root, (self.root / path).parent, self.remembered)
        if found is not None:
            folder, known, retire = found
            scope = "" if folder == self.root else f"{folder.relative_to(self.root)}/"
            raise StoreError(
                f"cannot read {self.root / path}: {err.strerror}, and {folder} is a mount point "
                f"({known}) that is not mounted: the files of its disk are not known to be gone"
                + (f"; mount it again, or, if its disk is retired for good, {retire}"
                   if retire else ""), scope=scope
            )

    def _disk_error(self, path: str, err: OSError) -> StoreError:
        """An error of the disk, the mount or this host (EIO, ESTALE, ENOTCONN...): about the
        whole store when its root cannot be looked at either, else about this file alone (one
        bad sector, one sub-disk failing)."""
        try:
            os.stat(self.root)
        except OSError:
            scope: str | None = ""
        else:
            scope = None
        return StoreError(
            f"cannot read {self.root / path}: {err.strerror} "
            f"({errno.errorcode.get(err.errno or 0, err.errno)})", scope=scope
        )

    def probe(self, path: str) -> None:
        self.read_range(path, 0, 1)


@dataclass(frozen=True)
class S3Backend:
    bucket: str
    prefix: str
    endpoint_url: str
    region_name: str

    def _client(self) -> BaseClient:
        return s3_client(self.endpoint_url, self.region_name)

    def list(
        self, skipped: Skipped | None = None, recursive: bool = True
    ) -> Iterator[StoredFile]:
        # S3 keys are UTF-8 and hold no links: nothing is skipped.
        from botocore.exceptions import BotoCoreError, ClientError

        start = f"{self.prefix}/" if self.prefix else ""
        # With a delimiter, S3 lists the keys directly under the prefix and groups the rest
        # under their "folders" (CommonPrefixes), not listed: s3fs's ``ls``.
        delimiter = {} if recursive else {"Delimiter": "/"}
        try:
            pages = self._client().get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start, **delimiter
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield StoredFile(
                        item["Key"][len(start):], item["Size"], item["LastModified"]
                    )
        except (BotoCoreError, ClientError) as err:
            raise StoreError(f"cannot list s3://{self.bucket}/{start}: {err}") from None

    @contextmanager
    def local_copy(self, path: str) -> Iterator[Path]:
        key = f"{self.prefix}/{path}" if self.prefix else path
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        with tempfile.TemporaryDirectory(prefix="warc-") as tmp:
            local = Path(tmp) / Path(path).name
            try:
                self._client().download_file(self.bucket, key, str(local))
            except ClientError as err:
                if missing(err):
                    raise  # the indexing tells a file gone from a store error
                raise self._refused(key, err) from None
            except (BotoCoreError, Boto3Error) as err:
                # A download cut on every attempt (boto3's "Max Retries Exceeded" names
                # nothing), the endpoint not reached: the store's, named with the object.
                last = getattr(err, "last_exception", None)
                why = f"{err} ({type(last).__name__}: {last})" if last else str(err)
                raise StoreError(f"cannot read s3://{self.bucket}/{key}: {why}",
                                 scope=None) from None
            yield local

    def stat(self, path: str) -> StoredFile | None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self._client().head_object(Bucket=self.bucket, Key=self._key(path))
        except ClientError as err:
            if missing(err):
                return None
            raise self._refused(self._key(path), err) from None
        except BotoCoreError as err:
            # The endpoint not reached (after botocore's retries): the store cannot say, for
            # any of its files.
            raise StoreError(f"cannot read s3://{self.bucket}/{self._key(path)}: {err}",
                             scope="") from None
        return StoredFile(path, head["ContentLength"], head["LastModified"])

    def _refused(self, key: str, err: Exception) -> Exception:
        """A 403 on one object while the store lists that very key is the object's own refusal
        (a policy denying it); anything else (credentials refused everywhere, the store down)
        is the store's."""
        from botocore.exceptions import BotoCoreError, ClientError

        if getattr(err, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode") == 403:
            try:
                self._client().list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
            except (BotoCoreError, ClientError):
                pass
            else:
                return ObjectDenied(f"s3://{self.bucket}/{key}: access denied ({err})")
        return StoreError(f"cannot read s3://{self.bucket}/{key}: {err}")

    def read_range(self, path: str, offset: int, length: int) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(path)
        try:
            answer = self._client().get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}"
            )
            return answer["Body"].read()
        except (BotoCoreError, ClientError) as err:
            raise self._failed(key, err) from None

    def probe(self, path: str) -> None:
        # A GET, as the reader's: S3 answers a HEAD for an object whose GET it refuses (one in
        # Glacier), and moto applies a bucket policy's Deny to the GET alone.
        from botocore.exceptions import BotoCoreError, ClientError

        key = self._key(path)
        try:
            self._client().get_object(Bucket=self.bucket, Key=key, Range="bytes=0-0")[
                "Body"
            ].read()
        except (BotoCoreError, ClientError) as err:
            # An empty object has no first byte: a 416, answered once the GET was authorized.
            if getattr(err, "response", {}).get("Error", {}).get("Code") != "InvalidRange":
                raise self._failed(key, err) from None

    def _failed(self, key: str, err: Exception) -> Exception:
        if missing(err):
            return FileNotFoundError(f"s3://{self.bucket}/{key}: no such key")
        if getattr(err, "response", None):  # S3 answered: the object's refusal or the store's
            return self._refused(key, err)
        from botocore.exceptions import ConnectionError as NoConnection

        # No connection to the endpoint at all (refused, no route, TLS failing, connect timeout)
        # is the whole store's; a read cut or timing out on an open connection may be this
        # object's alone (one slow or failing disk of the cluster).
        whole = isinstance(err, NoConnection)
        return StoreError(f"cannot read s3://{self.bucket}/{key}: {err}",
                          scope="" if whole else None)

    def _key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path


# Errors about the path itself, which the store answered: the line names something that is not
# a readable file there. Any other error of the OS (EIO, ESTALE, ENOTCONN, EHOSTDOWN, ETIMEDOUT,
# ENODEV, ENXIO, EMFILE...) is the disk's, the mount's or this host's, and says nothing about
# the file: the store cannot be read.
_THE_PATHS_OWN = {errno.EISDIR, errno.ELOOP, errno.ENAMETOOLONG}


def missing(err: Exception) -> bool:
    """Whether an S3 error says the key does not exist."""
    return getattr(err, "response", {}).get("Error", {}).get("Code") in (
        "404", "NoSuchKey", "NotFound"
    )


def _links_to_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # its target cannot be looked at: it may be a file left out
        return False


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")  # undecodable bytes are lone surrogates (surrogateescape)
    except UnicodeEncodeError:
        return False
    return True


def s3_client(endpoint_url: str, region_name: str) -> BaseClient:
    """The one way to S3 (file stores and the artifact store): dagster-aws's S3Resource, with
    its retry settings. Imported here, not at the top: an indexing worker reading local files
    never loads Dagster.

    botocore retries a failed request itself, with a growing random backoff: up to
    ``AWS_MAX_ATTEMPTS`` attempts in all when the environment sets it (the AWS SDKs' variable),
    otherwise S3Resource's default of 5 retries. S3Resource's setting would override the
    variable, so it is passed on, as the retries after the first attempt that S3Resource's
    ``max_attempts`` counts."""
    return _s3_client(endpoint_url, region_name, os.environ.get("AWS_MAX_ATTEMPTS"))


@functools.cache
def _s3_client(endpoint_url: str, region_name: str, max_attempts: str | None) -> BaseClient:
    """One client per endpoint, region and retry setting for the process: building one loads
    botocore's service models (0.1-0.5 s of CPU), and the index's verification reads a range of
    a WARC for each sampled line. Clients are thread-safe, and refresh their own credentials."""
    from dagster_aws.s3 import S3Resource

    retries = {}
    if max_attempts:
        if not max_attempts.strip().isdigit() or int(max_attempts) < 1:
            raise ValueError(f"AWS_MAX_ATTEMPTS must be a number of attempts (1 or more), "
                             f"not {max_attempts!r}")
        retries["max_attempts"] = int(max_attempts) - 1
    return S3Resource(
        endpoint_url=endpoint_url or None, region_name=region_name, **retries
    ).get_client()


def store_identity(url: str) -> str:
    """The one spelling of the store at ``url``: an absolute local path, or
    ``s3://bucket[/prefix]``.

    Local paths are normalised lexically (trailing slashes, ``.`` and ``..`` segments, ``file:``
    URLs), not resolved: a store mounted through a symlink keeps the name it is configured
    under, and does not change identity when the link is pointed at another disk. (A ``..``
    after a symlink therefore names the link's parent, not its target's.)"""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise StoreError(f"store URL {url!r} names a host: a file: URL is local")
        return os.path.normpath(unquote(parsed.path))
    if parsed.scheme == "":
        return os.path.abspath(url)  # normalised too; relative to the working directory
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise StoreError(f"store URL {url!r} names no bucket (s3://bucket/prefix)")
        # Keys are literal ('.' and '..' are names in S3): only the prefix's slashes go.
        prefix = parsed.path.strip("/")
        return f"s3://{parsed.netloc}/{prefix}" if prefix else f"s3://{parsed.netloc}"
    raise StoreError(f"unsupported store URL {url!r} (a directory or s3://bucket/prefix)")


def backend_for(
    url: str, endpoint_url: str = "", region_name: str = "us-east-1",
    remembered: mounts.Remembered = mounts.NOTHING_REMEMBERED,
) -> Backend:
    """The store at ``url``; a local one knows the mount points ``remembered`` (an S3 store
    has none)."""
    identity = store_identity(url)
    if identity.startswith("s3://"):
        bucket, _, prefix = identity.removeprefix("s3://").partition("/")
        return S3Backend(bucket, prefix, endpoint_url, region_name)
    return LocalBackend(Path(identity), remembered)

"""What a file store holds and how reading one fails, for every backend (local_store.py,
s3_store.py; file_stores.py picks one by URL) and for the code that lists and reads them.

(No Dagster import: indexing workers load this module.)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol


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

"""The mount points under a local WARC store's root, remembered from one index run to the next
(``webarchive.store_mounts``). A disk mounted by hand, declared nowhere, then unmounted leaves
an empty folder under which every WARC of the disk is "not found", as if deleted. Remembered,
that folder is known to be a disk not mounted: its WARCs' lines are kept (a store error, the
run retried) until it is mounted again, or the operator retires it (``retired_mounts``).

Paths, not device numbers: a disk's device number (``st_dev``) can change from one boot to the
next (the order the disks are found in, a ``dm-N`` minor, the anonymous device of btrfs or
NFS), and a folder is what the error names and the operator retires.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg

from maint_assets.core import mounts
from maint_assets.core.sql_files import statement
from maint_assets.webarchive.keys import CDX_INDEX, SQL_CDX_INDEX

WHERE = "webarchive.store_mounts"
RETIRE = (f"launch {CDX_INDEX.to_user_string()} with the config retired_mounts: ['{{folder}}'] "
          "(the lines of the WARCs gone with its disk are then removed)")


class MountNotRetired(ValueError):
    """A folder the operator asked to retire is not a mount point remembered for the store, or
    is mounted now; the message names it."""


@dataclass(frozen=True)
class StoreMounts:
    """The remembered mount points of one local store, on ``conn`` (autocommit)."""

    conn: psycopg.Connection
    store: str  # its identity: an absolute path

    @classmethod
    def of(cls, conn: psycopg.Connection, store: str) -> StoreMounts | None:
        """Those of ``store``; None for an S3 or WebHDFS store (a URL), which has none."""
        return None if "://" in store else cls(conn, store)

    @property
    def root(self) -> Path:
        return Path(self.store)

    def record(self) -> None:
        """Remember the mount points under the root that are mounted now."""
        seen = sorted(mounts.TABLES.mounted_under(self.root))
        if seen:
            self.conn.execute(statement(SQL_CDX_INDEX, "mounts_seen"),
                              {"store": self.store, "folders": seen})

    def remembered(self) -> mounts.Remembered:
        folders = frozenset(f for f, retired in self._rows() if not retired)
        return mounts.Remembered(folders, WHERE, RETIRE)

    def retire(self, folders: list[str]) -> list[str]:
        """Retire ``folders`` for good (absolute, as a failed run names them, or relative to
        the root); returns them relative to the root. Nothing is retired when one of them is
        not a remembered mount point of the store, or is mounted now (MountNotRetired)."""
        if not folders:
            return []
        known = {f for f, _ in self._rows()}
        wanted = {folder: self._relative(folder) for folder in folders}
        unknown = [f for f, rel in wanted.items() if rel not in known]
        if unknown:
            raise MountNotRetired(
                f"retired_mounts names {', '.join(unknown)}: not a mount point remembered under "
                f"the store {self.store} (remembered: "
                f"{', '.join(str(self.root / f) for f in sorted(known)) or 'none'}); nothing "
                "was retired"
            )
        mounted = mounts.TABLES.mounted_under(self.root)
        if busy := [f for f, rel in wanted.items() if rel in mounted]:
            raise MountNotRetired(
                f"retired_mounts names {', '.join(busy)}, mounted now: a disk still mounted is "
                "not retired (unmount it first); nothing was retired"
            )
        relative = sorted(set(wanted.values()))
        self.conn.execute(statement(SQL_CDX_INDEX, "mounts_retired"),
                          {"store": self.store, "folders": relative})
        return relative

    def _rows(self) -> list[tuple[str, bool]]:
        return self.conn.execute(statement(SQL_CDX_INDEX, "mounts_remembered"),
                                 {"store": self.store}).fetchall()

    def _relative(self, folder: str) -> str | None:
        path = Path(os.path.normpath(folder))
        if path.is_absolute():
            if not path.is_relative_to(self.root):
                return None
            path = path.relative_to(self.root)
        return "" if path == Path(".") else path.as_posix()

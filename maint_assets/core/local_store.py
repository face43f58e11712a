"""A file store on a local (or mounted) file system: listed with os.scandir, read in place.

(No Dagster import: indexing workers load this module.)
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from maint_assets.core import mounts
from maint_assets.core.stored_files import ObjectDenied, Skipped, StoredFile, StoreError

# Errors about the path itself, which the store answered: the line names something that is not
# a readable file there. Any other error of the OS (EIO, ESTALE, ENOTCONN, EHOSTDOWN, ETIMEDOUT,
# ENODEV, ENXIO, EMFILE...) is the disk's, the mount's or this host's, and says nothing about
# the file: the store cannot be read.
_THE_PATHS_OWN = {errno.EISDIR, errno.ELOOP, errno.ENAMETOOLONG}



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


def _escaped(name: str) -> str:
    """A file name as read from the OS, printable: bytes that are not UTF-8 as ``\\xe9``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


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

"""Which folders are mount points and which are mounted now: the evidence that tells a disk
not mounted (its mount point an empty folder) from a folder emptied on purpose, before a "not
found" in a local store is taken to mean that a file is gone.

A folder is known to be a mount point when the system declares it (``/etc/fstab`` (fstab(5))
and systemd's ``.mount`` units (``Where=``; a masked unit, a link to /dev/null, declares
nothing)), or when a store's own bookkeeping remembers it mounted at an earlier run
(``Remembered``: a disk mounted by hand is declared nowhere, and leaves the same empty folder
when it is unmounted). Mounted: the kernel's ``/proc/self/mountinfo`` (proc(5)), which cannot
be read means nothing is known to be mounted (a store error, not a deletion). Declared mount
points are compared as written, never looked up: one of a hung network mount would hang the
question.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Paths in both files escape a space, tab, newline and backslash as octal (\040...).
_ESCAPES = {"\\040": " ", "\\011": "\t", "\\012": "\n", "\\134": "\\"}


@dataclass(frozen=True)
class Remembered:
    """The folders of a store (relative to its root, ``""`` for the root) its bookkeeping saw
    mounted at an earlier run (``where``), and what the operator does to retire one for good
    (``retire``, with ``{folder}``): until then a folder among them that is not mounted now
    holds files not known to be gone."""

    folders: frozenset[str] = frozenset()
    where: str = ""
    retire: str = ""


NOTHING_REMEMBERED = Remembered()  # a store without bookkeeping (catalogue pages, ingest)


@dataclass(frozen=True)
class MountTables:
    fstab: Path
    mountinfo: Path
    unit_dirs: tuple[Path, ...]

    def declared(self) -> dict[str, str]:
        """Mount points the system declares, each with the file declaring it."""
        found: dict[str, str] = {}
        for line in _lines(self.fstab):
            fields = line.split()
            if len(fields) >= 2 and not fields[0].startswith("#") and fields[1].startswith("/"):
                found.setdefault(os.path.normpath(_unescaped(fields[1])), str(self.fstab))
        for folder in self.unit_dirs:
            for parent, _, names in os.walk(folder):
                for name in sorted(n for n in names if n.endswith(".mount")):
                    unit = Path(parent) / name
                    for line in _lines(unit):
                        key, _, value = line.strip().partition("=")
                        if key.strip() == "Where" and value.strip().startswith("/"):
                            found.setdefault(os.path.normpath(value.strip()), str(unit))
        return found

    def mounted(self) -> set[str]:
        # Fields: id, parent id, major:minor, root, mount point, ...
        return {_unescaped(f[4]) for f in map(str.split, _lines(self.mountinfo)) if len(f) > 4}

    def mounted_under(self, root: Path) -> set[str]:
        """The folders at or under ``root`` that are mount points now, relative to it (``""``
        for the root itself). The kernel names them by their real path."""
        found: set[str] = set()
        mounted = self.mounted()
        for base in {str(root), os.path.realpath(root)}:
            for point in mounted:
                if point == base:
                    found.add("")
                elif point.startswith(base.rstrip("/") + "/"):
                    found.add(point[len(base.rstrip("/")) + 1:])
        return found

    def unmounted(
        self, root: Path, folder: Path, remembered: Remembered = NOTHING_REMEMBERED
    ) -> tuple[Path, str, str] | None:
        """The folder at or above ``folder``, up to ``root``, that is a mount point (declared,
        or ``remembered``) and is not mounted now, with why it is known to be one (the file
        declaring it, or the bookkeeping remembering it) and how to retire it (for a remembered
        one: a declared one is retired by its declaration); None when there is none."""
        declared, mounted = self.declared(), None
        for candidate in (folder, *folder.parents):
            spellings = {str(candidate), os.path.realpath(candidate)}
            source = next((f"declared in {declared[s]}" for s in spellings if s in declared),
                          None)
            retire = ""
            if source is None and _under(candidate, root) in remembered.folders:
                source = f"seen mounted at an earlier run, remembered in {remembered.where}"
                retire = remembered.retire.format(folder=candidate)
            if source is not None:
                mounted = self.mounted() if mounted is None else mounted
                if not spellings & mounted:
                    return candidate, source, retire
            if candidate == root:
                return None
        return None


def _under(folder: Path, root: Path) -> str | None:
    if folder == root:
        return ""
    return folder.relative_to(root).as_posix() if folder.is_relative_to(root) else None


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(errors="replace").splitlines()
    except OSError:  # not there (no fstab in a container) or not a file: nothing declared
        return []


def _unescaped(field: str) -> str:
    for escaped, char in _ESCAPES.items():
        field = field.replace(escaped, char)
    return field


SYSTEM = MountTables(
    Path("/etc/fstab"), Path("/proc/self/mountinfo"),
    (Path("/etc/systemd/system"), Path("/run/systemd"), Path("/lib/systemd/system")),
)
# What the stores ask; a test points it at tables of its own (it cannot edit the system's).
TABLES = SYSTEM

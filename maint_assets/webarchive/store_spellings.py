"""Rows recorded under older spellings of a store's URL (``/data/warcs/``, ``file://…``), from
before a store had one identity (``store_identity``), brought to the identity so that they are
not orphaned and the store's files are not listed and indexed a second time.

The spelling listed most recently is moved whole, with its indexing status and index segments,
when the identity has no rows yet. Any other one (the same store configured under two
spellings, each with its own rows and index lines) is merged into the identity when every file
both record is the same file: same path in the store, same size and modification time. Each
such file keeps the state of its earliest indexing, and the other copy of its lines is left for
the next index run to remove (``cdx_duplicate_lines``); files only the older spelling has are
moved. A spelling that records a file with another size or time than the identity does is left
as it is and its conflicts reported: which version the store holds is not known, and which
index lines to drop is for an operator to decide.
"""

from dataclasses import dataclass, field

import psycopg

from maint_assets.core.file_stores import store_identity
from maint_assets.core.sql_files import statement
from maint_assets.core.stored_files import StoreError
from maint_assets.webarchive.keys import SQL_TRACKDB

SHOWN_CONFLICTS = 20  # per spelling


@dataclass
class Adoption:
    moved: str | None = None  # renamed whole to the identity
    merged: list[str] = field(default_factory=list)
    # left as they were, each with its conflicting files (path: theirs, the identity's)
    left: dict[str, list[str]] = field(default_factory=dict)


def adopt_older_spellings(conn: psycopg.Connection, store: str) -> Adoption:
    """Bring the rows of every older spelling of ``store`` (an identity) to it, in one
    transaction (``conn``'s): the newest moved if the identity has none, the others merged."""
    recorded = [s for (s,) in conn.execute(statement(SQL_TRACKDB, "recorded_stores"))]
    others = [s for s in recorded if s != store and _identity(s) == store]
    done = Adoption()
    if others and store not in recorded:
        done.moved = others.pop(0)
        conn.execute(statement(SQL_TRACKDB, "rename_store"), {"store": store, "old": done.moved})
    for old in others:
        params = {"store": store, "old": old}
        conflicts = conn.execute(statement(SQL_TRACKDB, "spelling_conflicts"), params).fetchall()
        if conflicts:
            done.left[old] = [
                f"{path}: {size} bytes, {mtime:%Y-%m-%d %H:%M:%S} there; "
                f"{now_size} bytes, {now_mtime:%Y-%m-%d %H:%M:%S} here"
                for path, size, mtime, now_size, now_mtime in conflicts[:SHOWN_CONFLICTS]
            ] + ([f"… {len(conflicts) - SHOWN_CONFLICTS} more"]
                 if len(conflicts) > SHOWN_CONFLICTS else [])
            continue
        for step in ("merge_duplicate_lines", "merge_same_files", "merge_spelling"):
            conn.execute(statement(SQL_TRACKDB, step), params)
        done.merged.append(old)
    return done


def _identity(recorded: str) -> str | None:
    try:
        return store_identity(recorded)
    except StoreError:  # not a store URL this version reads: not one of ours to move
        return None

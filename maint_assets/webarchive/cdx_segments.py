"""The index of a store as segment files, and the ledger (``webarchive.cdx_segments``) that says
which files make it; each WARC's TrackDB row names the segment holding its lines.

CDXJ: the segments are the index, byte-sorted, under ``<cdxj_dir>/<collection>/indexes/``
(pywb merges every ``*.cdxj`` there). OutbackCDX: they are the record of the CDX11 lines posted,
under ``<ledger_dir>/<collection>/``, what the delete endpoint is given when a WARC's lines go.

A change never edits a file: the new file is registered ``writing`` (committed) before it is
written (``posting`` while its lines are sent to OutbackCDX), made ``live`` in the transaction
that points the WARCs at it and ``retired`` the files it replaces, which are deleted last. A run
that dies leaves rows that the next run undoes or finishes (``unfinished``), so the index never
lists a WARC twice for longer than a run, and never loses one.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import psycopg

from maint_assets.core.files import atomic_file
from maint_assets.core.sql_files import statement

SQL = "webarchive/cdx_index"
PREFIX = "maint-"
_FILENAME = '"filename": '


@dataclass(frozen=True)
class Segment:
    name: str
    collection: str
    lines: int = 0
    bytes: int = 0


class Ledger:
    """The segments of one store for one output, on ``conn`` (autocommit)."""

    def __init__(self, conn: psycopg.Connection, store: str, output: str, root: Path) -> None:
        self.conn, self.store, self.output, self.root = conn, store, output, root
        self.suffix = ".cdxj" if output == "cdxj" else ".cdx"
        self.tag = hashlib.sha1(store.encode()).hexdigest()[:8]

    def file(self, segment: Segment | str, collection: str | None = None) -> Path:
        name = segment if isinstance(segment, str) else segment.name
        collection = collection or (segment.collection if isinstance(segment, Segment) else "")
        folder = self.root / collection
        return (folder / "indexes" if self.output == "cdxj" else folder) / name

    def begin(self, collection: str) -> Segment:
        """A new segment, registered ``writing`` before anything is written."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        segment = Segment(f"{PREFIX}{self.tag}-{stamp}-{uuid.uuid4().hex[:8]}{self.suffix}",
                          collection)
        self.conn.execute(statement(SQL, "segment_begin"), {
            "store": self.store, "name": segment.name, "collection": collection,
            "output": self.output,
        })
        self.file(segment).parent.mkdir(parents=True, exist_ok=True)
        return segment

    def live(self) -> list[Segment]:
        rows = self.conn.execute(
            statement(SQL, "segments_live"), {"store": self.store, "output": self.output}
        ).fetchall()
        return [Segment(*row) for row in rows]

    def unfinished(self) -> list[tuple[Segment, str]]:
        rows = self.conn.execute(
            statement(SQL, "segments_unfinished"), {"store": self.store, "output": self.output}
        ).fetchall()
        return [(Segment(name, collection), state) for name, collection, state in rows]

    def posting(self, segment: Segment) -> None:
        """Its lines are about to be sent to the CDX server (committed before the first)."""
        self.conn.execute(statement(SQL, "segment_posting"),
                          {"store": self.store, "name": segment.name})

    def make_live(self, conn: psycopg.Connection, segment: Segment) -> None:
        conn.execute(statement(SQL, "segment_live"), {
            "store": self.store, "name": segment.name, "lines": segment.lines,
            "bytes": segment.bytes,
        })

    def retire(self, conn: psycopg.Connection, segments: Iterable[Segment | str]) -> None:
        names = [s if isinstance(s, str) else s.name for s in segments]
        conn.execute(statement(SQL, "segments_retire"), {"store": self.store, "names": names})

    def forget(self, segments: Iterable[Segment]) -> None:
        """Delete the files of retired or abandoned segments, then their rows."""
        segments = list(segments)
        for segment in segments:
            self.file(segment).unlink(missing_ok=True)
        self.conn.execute(
            statement(SQL, "segments_forget"),
            {"store": self.store, "names": [s.name for s in segments]},
        )


def filename_of(line: str, fmt: str) -> str:
    """The file a CDXJ or CDX11 line points into."""
    if fmt == "cdx11":
        return line.rstrip("\r\n").rsplit(" ", 1)[1]
    # In CDXJ the key "filename" is followed by the JSON-encoded path; a quote inside a JSON
    # string is escaped, so the key cannot be mistaken for text of another field. Decoded by
    # hand unless escaped (8 times faster: a removal reads every line of a segment).
    start = line.rindex(_FILENAME) + len(_FILENAME)
    value = line[start + 1:line.find('"', start + 1)]
    return json.JSONDecoder().raw_decode(line, start)[0] if "\\" in value else value


def url_of(line: str, fmt: str) -> str:
    """The URL a CDXJ or CDX11 line indexes."""
    if fmt == "cdx11":
        return line.split(" ", 3)[2]
    return json.loads(line.split(" ", 2)[2])["url"]


def write_sorted(sources: list[Path], target: Path) -> tuple[int, int]:
    """Merge byte-sorted ``sources`` into ``target`` (atomically); its lines and bytes."""
    with ExitStack() as stack, atomic_file(target) as out:
        files = [stack.enter_context(p.open()) for p in sources]
        count = _copy(heapq.merge(*files), out)
    return count, target.stat().st_size


def rewrite_without(
    source: Path, target: Path, paths: set[str], fmt: str, removed: TextIO | None = None
) -> tuple[int, int, int]:
    """``source`` without the lines of ``paths``, written to ``target``; the lines kept, their
    bytes, and the lines removed (written to ``removed`` when given)."""
    gone = 0

    def kept() -> Iterator[str]:
        nonlocal gone
        with source.open() as lines:
            for line in lines:
                if filename_of(line, fmt) in paths:
                    gone += 1
                    if removed is not None:
                        removed.write(line)
                else:
                    yield line

    with atomic_file(target) as out:
        count = _copy(kept(), out)
    return count, target.stat().st_size, gone


def _copy(lines: Iterable[str], out: TextIO) -> int:
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count

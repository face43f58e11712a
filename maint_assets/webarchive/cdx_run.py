"""One run of the CDX index of a store: finish what a dead run left, remove the lines of files
that are gone, rewritten or re-queued, index new files, publish their lines, compact.

Order matters: second copies of lines (two spellings of the store merged) and stale lines
leave before anything is added, so a moved WARC (old path gone,
new path new) is never listed twice, and OutbackCDX's deletes (keyed by URL and second in its
default index version) cannot remove the new lines. Files that failed for transient reasons
are not recorded at all: the run raises ``TransientFailures`` once everything else is
recorded, and the asset asks Dagster to retry it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

import psycopg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.sql_files import statement
from maint_assets.core.stored_files import Backend, ObjectDenied, StoreError
from maint_assets.webarchive.cdx_outputs import OutbackCdx
from maint_assets.webarchive.cdx_segments import (
    SQL,
    Ledger,
    Segment,
    filename_of,
    rewrite_without,
    url_of,
    write_sorted,
)
from maint_assets.webarchive.indexing import IndexedWarc, index_all, indexed_rows
from maint_assets.webarchive.resources import CdxSettings
from maint_assets.webarchive.store_mounts import StoreMounts
from maint_assets.webarchive.warc_reading import INDEX_RULES_VERSION, crawlers_own_uri


class TransientFailures(RuntimeError):
    """Some files could not be read or removed for reasons that are not theirs."""


@dataclass(frozen=True)
class RunOptions:
    batch_size: int
    workers: int
    retry_quarantined: bool
    file_retries: int
    retry_backoff_s: float


@dataclass
class RunSummary:
    indexed: list[IndexedWarc] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    transient: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)
    denied: list[tuple[str, str]] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    requeued: int = 0
    requeued_for_rules: int = 0
    recovered: int = 0
    warcs_removed: int = 0
    lines_removed: int = 0
    duplicate_lines_removed: int = 0
    compacted: int = 0
    waiting: int = 0


class IndexRun:
    def __init__(
        self, conn: psycopg.Connection, db: PostgresResource, store_url: str, endpoint_url: str,
        backend: Backend, cdx: CdxSettings, options: RunOptions,
        log: Callable[[str], None], mounts: StoreMounts | None = None,
    ) -> None:
        self.conn, self.db, self.backend, self.cdx, self.options = conn, db, backend, cdx, options
        self.store_url, self.endpoint_url, self.log = store_url, endpoint_url, log
        self.mounts = mounts
        self.fmt = "cdxj" if cdx.target == "cdxj" else "cdx11"
        root = cdx.cdxj_dir if cdx.target == "cdxj" else cdx.outbackcdx_ledger_dir
        self.ledger = Ledger(conn, store_url, cdx.target, Path(root))
        self.server = (
            OutbackCdx(cdx.outbackcdx_url, cdx.outbackcdx_collection, cdx.outbackcdx_batch_lines,
                       retries=options.file_retries, backoff_s=options.retry_backoff_s)
            if cdx.target == "outbackcdx" else None
        )
        self.summary = RunSummary()
        self.params = {"store": store_url}

    def execute(self) -> RunSummary:
        self._recover()
        self._requeue_for_rules()
        if self.options.retry_quarantined:
            self.summary.requeued = self.conn.execute(
                statement(SQL, "requeue_quarantined"), self.params
            ).rowcount
        self._remove_duplicates()
        self._remove_stale()
        batch = self.conn.execute(statement(SQL, "to_index"), {
            **self.params, "batch": self.options.batch_size,
            "default_collection": self.cdx.default_collection,
        }).fetchall()
        with tempfile.TemporaryDirectory(prefix="cdx-") as tmp:
            results = index_all(self._tasks(batch, Path(tmp)), self.options.workers)
            if self.mounts is not None:
                # Again: a disk mounted since the run began (its files read by the workers) is
                # remembered with the lines it gave.
                self.mounts.record()
            self._sort(results)
            self._publish([r for r in results if r.status == "indexed"])
        self._compact()
        self.summary.waiting = self.conn.execute(
            statement(SQL, "waiting"), self.params
        ).fetchone()[0]
        if self.summary.transient:
            raise TransientFailures(
                f"{len(self.summary.transient)} file(s) could not be read or cleared for reasons "
                "that are not theirs (not marked; retried): "
                + "; ".join(f"{p}: {e}" for p, e in self.summary.transient[:5])
            )
        return self.summary

    # -- what a dead run left ----------------------------------------------------------------

    def _recover(self) -> None:
        """``writing`` segments are dropped, ``retired`` ones deleted; a ``posting`` segment
        (OutbackCDX: some of its batches may have been posted) has its lines deleted from the
        server first: its files are still waiting in TrackDB and are posted again."""
        keys: set[tuple[str, ...]] = set()
        for segment, state in self.ledger.unfinished():
            path = self.ledger.file(segment)
            if state == "posting" and path.exists():
                keys |= self._delete_from_server(path)
            self.ledger.forget([segment])
            self.summary.recovered += 1
        self._repost(keys)

    def _requeue_for_rules(self) -> None:
        """Once per new INDEX_RULES_VERSION: the files with lines the indexing now leaves out
        (a crawler's own metadata: records, which pywb would serve as pages) are re-queued,
        so this run removes their lines and indexes them again. Reads every live segment."""
        row = self.conn.execute(statement(SQL, "index_rules_version"), self.params).fetchone()
        if row is None or (row[0] or 0) >= INDEX_RULES_VERSION:
            return
        paths: set[str] = set()
        for segment in self.ledger.live():
            path = self.ledger.file(segment)
            if not path.exists():  # the index check names it; nothing of it is served
                continue
            with path.open() as lines:
                paths |= {filename_of(line, self.fmt) for line in lines
                          if "metadata:" in line and crawlers_own_uri(url_of(line, self.fmt))}
        with self.db.transaction(self.conn) as conn:
            self.summary.requeued_for_rules = conn.execute(
                statement(SQL, "requeue_for_rules"), {**self.params, "paths": sorted(paths)}
            ).rowcount
            conn.execute(statement(SQL, "record_index_rules"),
                         {**self.params, "version": INDEX_RULES_VERSION})
        if paths:
            self.log(f"{len(paths)} indexed file(s) hold lines the indexing now leaves out "
                     "(a crawler's own metadata: records): re-queued, their lines removed")

    # -- stale lines -------------------------------------------------------------------------

    def _remove_stale(self) -> None:
        rows = self.conn.execute(statement(SQL, "stale_lines"), self.params).fetchall()
        by_segment: dict[str, set[str]] = defaultdict(set)
        for path, segment, missing in rows:
            if missing and not self._confirmed_gone(path):
                continue
            by_segment[segment].add(path)
        live = {s.name: s for s in self.ledger.live()}
        for name, paths in by_segment.items():
            segment = live.get(name)
            if segment is None:  # its segment is gone: nothing of it is in the index
                with self.db.transaction(self.conn) as conn:
                    conn.execute(statement(SQL, "lines_removed"), {**self.params,
                                                                    "paths": sorted(paths)})
                continue
            self._rewrite(segment, paths)

    def _remove_duplicates(self) -> None:
        """Second copies of files' lines (two spellings of the store merged) leave their
        segment; the files keep their rows and the segments holding the copies kept. OutbackCDX
        is not asked to delete them: it holds identical lines once, the kept ones."""
        live = {s.name: s for s in self.ledger.live()}
        duplicates = self.conn.execute(statement(SQL, "duplicate_lines"), self.params).fetchall()
        for name, paths in duplicates:
            if name in live:
                self._rewrite(live[name], set(paths), duplicates=True)
            else:  # its segment is gone: nothing of it is in the index
                self.conn.execute(statement(SQL, "duplicates_removed"),
                                  {**self.params, "segment": name})

    def _confirmed_gone(self, path: str) -> bool:
        """A file no longer listed loses its lines only once the store itself says it is gone:
        absence from a listing is not evidence enough."""
        try:
            found = self.backend.stat(path)
        except ObjectDenied as err:
            self.log(f"{path} was not in the last listing and the store refuses to say whether "
                     f"it is gone ({err}): lines kept")
            return False
        except (StoreError, OSError) as err:
            self.summary.transient.append((path, f"cannot ask the store whether it is gone: {err}"))
            return False
        if found is not None:
            self.log(f"{path} was not in the last listing but the store has it: lines kept")
        return found is None

    def _rewrite(self, segment: Segment, paths: set[str], duplicates: bool = False) -> None:
        """``segment`` without the lines of ``paths``: their files' lines leave the index, or,
        for ``duplicates``, only this second copy of them does."""
        new = self.ledger.begin(segment.collection)
        source, target = self.ledger.file(segment), self.ledger.file(new)
        keys: set[tuple[str, ...]] = set()
        server = None if duplicates else self.server
        with tempfile.NamedTemporaryFile("w+", prefix="removed-", suffix=".cdx") as removed:
            lines, size, gone = rewrite_without(
                source, target, paths, self.fmt, removed if server else None
            )
            if server is not None:
                removed.flush()
                keys = self._delete_from_server(Path(removed.name))
        new = Segment(new.name, new.collection, lines, size)
        with self.db.transaction(self.conn) as conn:
            if duplicates:
                conn.execute(statement(SQL, "duplicates_removed"),
                             {**self.params, "segment": segment.name})
            else:
                conn.execute(statement(SQL, "lines_removed"),
                             {**self.params, "paths": sorted(paths)})
            if lines:
                self.ledger.make_live(conn, new)
                conn.execute(statement(SQL, "repoint"),
                             {**self.params, "new": new.name, "old": [segment.name]})
            else:
                self.ledger.retire(conn, [new])
            self.ledger.retire(conn, [segment])
        self.ledger.forget([segment] if lines else [segment, new])
        self._repost(keys)
        if duplicates:
            self.summary.duplicate_lines_removed += gone
            return
        self.summary.warcs_removed += len(paths)
        self.summary.lines_removed += gone

    def _delete_from_server(self, lines_file: Path) -> set[tuple[str, ...]]:
        """Delete the lines of ``lines_file`` from OutbackCDX; returns the capture keys (URL
        key and second) that index version 3 may have deleted for other files too."""
        with lines_file.open() as lines:
            self.server.delete(lines)
        if self.server.index_version() >= 4:
            return set()
        with lines_file.open() as lines:
            return {tuple(line.split(" ", 2)[:2]) for line in lines}

    def _repost(self, keys: set[tuple[str, ...]]) -> None:
        """Post again the live lines with those keys (a v3 delete took them with the others)."""
        if not keys:
            return
        for segment in self.ledger.live():
            with self.ledger.file(segment).open() as lines:
                again = [(filename_of(line, self.fmt), line) for line in lines
                         if tuple(line.split(" ", 2)[:2]) in keys]
            if again:
                self.server.add(again)

    # -- indexing ----------------------------------------------------------------------------

    def _tasks(self, batch: list[tuple], tmp: Path) -> list[dict]:
        return [
            {"store_url": self.store_url, "endpoint_url": self.endpoint_url, "path": path,
             "collection": collection, "out": str(tmp / f"{i}.{self.fmt}"), "fmt": self.fmt,
             "size": size, "retries": self.options.file_retries,
             "backoff_s": self.options.retry_backoff_s}
            for i, (path, collection, size) in enumerate(batch)
        ]

    def _sort(self, results: list[IndexedWarc]) -> None:
        s = self.summary
        for r in results:
            if r.warnings:
                s.warnings[r.path] = r.warnings
            if r.status == "transient":
                s.transient.append((r.path, r.error))
            elif r.status == "stale":
                s.stale.append((r.path, r.error))
        quarantined = [r for r in results if r.status == "invalid"]
        denied = [(r.path, r.error) for r in results if r.status == "denied"]
        if not quarantined and not denied:
            return
        with self.db.transaction(self.conn) as conn:
            if quarantined:
                conn.execute(statement(SQL, "record_quarantined"), {
                    **self.params, "paths": [r.path for r in quarantined],
                    "errors": [r.error for r in quarantined],
                    "warnings": [json.dumps(r.warnings) for r in quarantined],
                })
            if denied:
                conn.execute(statement(SQL, "record_denied"),
                             {**self.params, "paths": [p for p, _ in denied]})
        # Once recorded: the run's log says quarantined only of what is.
        s.quarantined += [(r.path, r.error) for r in quarantined]
        s.denied += denied

    def _publish(self, indexed: list[IndexedWarc]) -> None:
        if not indexed:
            return
        if self.server is None:
            ordered = sorted(indexed, key=lambda r: r.collection)
            for collection, group in groupby(ordered, key=lambda r: r.collection):
                self._publish_segment(collection, list(group))
        else:
            self._publish_segment(self.cdx.outbackcdx_collection, indexed)

    def _publish_segment(self, collection: str, indexed: list[IndexedWarc]) -> None:
        segment = self.ledger.begin(collection)
        path = self.ledger.file(segment)
        lines, size = write_sorted([r.output for r in indexed], path)
        refused: dict[str, list[str]] = {}
        if self.server is not None:
            self.ledger.posting(segment)
            with path.open() as posted:
                refused = self.server.add((filename_of(line, self.fmt), line) for line in posted)
            if refused:
                lines, size = self._drop_refused(path, refused)
        segment = Segment(segment.name, collection, lines, size)
        with self.db.transaction(self.conn) as conn:
            self.ledger.make_live(conn, segment)
            conn.execute(statement(SQL, "record_indexed"),
                         indexed_rows(segment.name, indexed, refused, self.params))
        self.summary.indexed += indexed
        self.summary.refused.update(refused)

    def _drop_refused(self, path: Path, refused: dict[str, list[str]]) -> tuple[int, int]:
        bad = {line for lines in refused.values() for line in lines}
        kept = path.with_name(path.name + ".kept")
        count = 0
        with path.open() as lines, kept.open("w") as out:
            for line in lines:
                if line not in bad:
                    out.write(line)
                    count += 1
        os.replace(kept, path)
        return count, path.stat().st_size

    # -- compaction --------------------------------------------------------------------------

    def _compact(self) -> None:
        """Past ``max_index_files`` segments in a collection, the smallest are merged into one
        (big ones stay: removing a WARC's lines rewrites only the segment holding them)."""
        limit = self.cdx.max_index_files
        live = sorted(self.ledger.live(), key=lambda s: s.collection)
        for collection, group in groupby(live, key=lambda s: s.collection):
            segments = sorted(group, key=lambda s: (s.bytes, s.name))
            if len(segments) <= limit:
                continue
            merged = segments[: len(segments) - limit // 2 + 1]
            new = self.ledger.begin(collection)
            lines, size = write_sorted([self.ledger.file(s) for s in merged],
                                       self.ledger.file(new))
            new = Segment(new.name, collection, lines, size)
            with self.db.transaction(self.conn) as conn:
                self.ledger.make_live(conn, new)
                conn.execute(statement(SQL, "repoint"),
                             {**self.params, "new": new.name, "old": [s.name for s in merged]})
                self.ledger.retire(conn, merged)
            self.ledger.forget(merged)
            self.summary.compacted += len(merged)


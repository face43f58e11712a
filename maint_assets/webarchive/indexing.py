"""Indexing WARCs with cdxj-indexer in worker processes: each WARC's sorted lines and stats.

Only response, revisit and resource records are indexed: Heritrix's metadata records carry
the page's URL and second and sort first, so pywb would replay them instead of the page.
Lines are sorted in byte order (pywb finds nothing in an index sorted any other way), and the
filename field is the WARC's path in its store, which is what pywb's ``archive_paths`` and
OutbackCDX's consumers resolve.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from cdxj_indexer.main import CDX11Indexer, CDXJIndexer

from maint_assets.core.file_stores import backend_for

RECORDS = "response,revisit,resource"
_BLOCK = 1 << 20


class InvalidWarc(ValueError):
    pass
FORMATS = {"cdxj": CDXJIndexer, "cdx11": CDX11Indexer}


@dataclass(frozen=True)
class IndexedWarc:
    path: str
    collection: str
    output: Path | None = None
    records: int = 0
    first_capture: str | None = None
    last_capture: str | None = None
    error: str | None = None


def index_warc(
    store_url: str, endpoint_url: str, path: str, collection: str, out: Path, fmt: str
) -> IndexedWarc:
    """Index ``path`` of the store into ``out`` (sorted lines, no header); a WARC that cannot
    be read (truncated, not a WARC, unreadable) comes back with its error instead."""
    try:
        with backend_for(store_url, endpoint_url).local_copy(path) as local:
            raw = out.with_suffix(".raw")
            with raw.open("w") as fh:
                FORMATS[fmt](
                    output=fh, inputs=[str(local)], filename=path, records=RECORDS
                ).process_all()
            lines = [
                line for line in raw.read_text().splitlines(keepends=True)
                if line.strip() and not line.startswith(" CDX")
            ]
            raw.unlink()
            verify_warc(local, max((_offset(line, fmt) for line in lines), default=0))
        if not lines:
            return IndexedWarc(path, collection, error="no response, revisit or resource record")
    except Exception as err:
        return IndexedWarc(path, collection, error=f"{type(err).__name__}: {err}"[:1000])
    lines.sort()
    out.write_text("".join(lines))
    stamps = sorted(line.split(" ", 2)[1] for line in lines)
    return IndexedWarc(path, collection, out, len(lines), stamps[0], stamps[-1])


def verify_warc(path: Path, last_record: int = 0) -> None:
    """Raise InvalidWarc unless ``path`` starts with a WARC record and, when gzipped, its
    members from ``last_record`` (the offset of the last record indexed) to the end are
    complete. cdxj-indexer checks neither: it indexes a text file named .warc.gz as one odd
    record, and a truncated WARC up to where it was cut, silently. Only the tail is read again:
    the indexer stops at a cut, so a cut lies after the last record it indexed."""
    with path.open("rb") as f:
        head = f.read(2)
        f.seek(0)
        if head != b"\x1f\x8b":
            if f.read(5) != b"WARC/":
                raise InvalidWarc("not a WARC file (no WARC/ version line)")
            return
        if not zlib.decompressobj(wbits=31).decompress(f.read(_BLOCK), 5).startswith(b"WARC/"):
            raise InvalidWarc("not a WARC file (no WARC/ version line)")
        f.seek(last_record)
        member, fed = zlib.decompressobj(wbits=31), False
        while block := f.read(_BLOCK):
            while block:
                member.decompress(block)
                fed = True
                if member.eof:
                    block, member, fed = member.unused_data, zlib.decompressobj(wbits=31), False
                else:
                    block = b""
        if fed:
            raise InvalidWarc(f"truncated: its last gzip member ends early ({f.tell()} bytes)")


def _offset(line: str, fmt: str) -> int:
    """The byte offset of a line's record (CDXJ's JSON "offset", CDX11's tenth field)."""
    if fmt == "cdxj":
        return int(json.loads(line.split(" ", 2)[2])["offset"])
    return int(line.split(" ")[9])


def index_all(tasks: list[dict], workers: int) -> list[IndexedWarc]:
    """``index_warc(**task)`` for every task, on ``workers`` processes, in task order.

    The workers are ``python -m maint_assets.webarchive.indexing`` processes fed one task at a
    time over a pipe, not a multiprocessing pool: a spawned pool re-imports the parent's main
    module in every worker (in a Dagster run, all of Dagster, about 1.5 s each), and a forked
    one would inherit the run's threads and locks."""
    if not tasks:
        return []
    results: list[IndexedWarc | None] = [None] * len(tasks)
    pending = iter(range(len(tasks)))
    lock = threading.Lock()

    def work() -> None:
        with subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        ) as worker:
            try:
                while True:
                    with lock:
                        i = next(pending, None)
                    if i is None:
                        return
                    worker.stdin.write(json.dumps(tasks[i]) + "\n")
                    worker.stdin.flush()
                    answer = worker.stdout.readline()
                    if not answer:
                        raise RuntimeError(f"the indexing worker died on {tasks[i]['path']}")
                    results[i] = _result(json.loads(answer))
            finally:
                worker.stdin.close()

    count = max(1, min(workers, len(tasks)))
    with ThreadPoolExecutor(max_workers=count) as pool:
        for running in [pool.submit(work) for _ in range(count)]:
            running.result()  # a worker's failure fails the batch
    return [r for r in results if r is not None]


def _result(fields: dict) -> IndexedWarc:
    output = fields.pop("output")
    return IndexedWarc(**fields, output=Path(output) if output else None)


def _serve() -> None:
    # Answers go to the real stdout; anything the libraries print goes to stderr.
    answers, sys.stdout = sys.stdout, sys.stderr
    for line in sys.stdin:
        task = json.loads(line)
        result = index_warc(**{**task, "out": Path(task["out"])})
        answers.write(json.dumps({**asdict(result), "output": str(result.output or "")}) + "\n")
        answers.flush()


if __name__ == "__main__":
    _serve()

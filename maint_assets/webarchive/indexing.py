"""Indexing WARC and ARC files with cdxj-indexer in worker processes: each file's sorted lines,
stats and warnings, and what kind of failure stopped it.

Only response, revisit and resource records are indexed: Heritrix's metadata records carry
the page's URL and second and sort first, so pywb would replay them instead of the page; nor
is a crawler's own file in a resource record of a ``metadata://`` URI (warc_reading). A
POST capture's key carries its request body, as pywb's own indexer writes it (post_captures).
Lines are sorted in byte order (pywb finds nothing in an index sorted any other way), and the
filename field is the file's path in its store, which is what pywb's ``archive_paths`` and
OutbackCDX's consumers resolve.

A failure is one of four kinds, never confused:

- ``invalid``: the file itself cannot be read to its end (warc_reading says why); it is
  quarantined until re-queued;
- ``transient``: the store could not be read (network, I/O, the file changing while it was
  read); retried here with exponential backoff, never recorded as bad, and the run fails;
- ``stale``: the file is gone from the store, or changed since TrackDB listed it; the next
  listing catches up (flags it missing, or queues it again with its new size).
- ``denied``: the indexing user may not read the file (its mode, owner or ACL; an S3
  object a policy denies while the store lists it): not
  quarantined (a chmod fixes it) and not retried here (it would be refused again); the run
  reports it and goes on, and it is tried again after the other waiting files.

warcio and cdxj-indexer print their warnings to stderr; each file's are captured and returned
with it, so that they are logged with the file they concern.

(No Dagster import here: this module runs as the worker.)
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from maint_assets.core.file_stores import backend_for
from maint_assets.core.stored_files import ObjectDenied
from maint_assets.webarchive.warc_reading import INDEXERS, InvalidWarc, check_head

RECORDS = "response,revisit,resource"
MAX_WARNINGS = 20


class TransientError(RuntimeError):
    pass


class StaleListing(RuntimeError):
    pass


class Denied(RuntimeError):
    pass


@dataclass(frozen=True)
class IndexedWarc:
    path: str
    collection: str
    status: str  # indexed | invalid | transient | stale | denied
    output: Path | None = None
    records: int = 0
    first_capture: str | None = None
    last_capture: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def index_warc(
    store_url: str, endpoint_url: str, path: str, collection: str, out: Path, fmt: str,
    size: int, retries: int = 3, backoff_s: float = 1.0,
) -> IndexedWarc:
    """Index ``path`` of the store into ``out`` (sorted lines, no header)."""
    refusal = unservable_name(store_url, path)
    if refusal:
        return IndexedWarc(path, collection, "invalid", error=refusal)
    attempt = 0
    while True:
        attempt += 1
        captured = io.StringIO()
        try:
            with _captured(captured):
                lines = _index_once(store_url, endpoint_url, path, out, fmt, size)
        except InvalidWarc as err:
            return IndexedWarc(path, collection, "invalid", error=str(err)[:1000],
                               warnings=_warnings(captured))
        except StaleListing as err:
            return IndexedWarc(path, collection, "stale", error=str(err)[:1000])
        except Denied as err:
            return IndexedWarc(path, collection, "denied", error=str(err)[:1000])
        except TransientError as err:
            if attempt > retries:
                error = f"{err} ({attempt} attempts)"[:1000]
                return IndexedWarc(path, collection, "transient", error=error,
                                   warnings=_warnings(captured))
            time.sleep(backoff_s * 2 ** (attempt - 1))
            continue
        # A whole file with nothing to replay (only request, metadata or warcinfo records)
        # is indexed with no line, not quarantined: nothing is wrong with it.
        stamps = sorted(line.split(" ", 2)[1] for line in lines) or [None]
        return IndexedWarc(
            path, collection, "indexed", out, len(lines), stamps[0], stamps[-1],
            warnings=_warnings(captured),
        )


# What pywb's loaders cannot load from a store reached by URL (pywb/utils/loaders.py): they
# split the index's filename appended to the store's URL with urlsplit, so a "?" or "#" ends
# the path; its WebHDFS loader sends that path as written, so the NameNode decodes a "%XX".
_UNSERVABLE = {"webhdfs": "%?#", "s3": "?#"}


def unservable_name(store_url: str, path: str) -> str | None:
    """Why pywb could not replay ``path`` from the store, if it could not: its lines would be
    indexed for a file no replay finds."""
    scheme = store_url.partition("://")[0] if "://" in store_url else ""
    found = sorted({c for c in path if c in _UNSERVABLE.get(scheme, "")})
    if not found:
        return None
    return (
        f"pywb's {scheme} loader cannot load this file: its name holds "
        + ", ".join(repr(c) for c in found)
        + " (the loader cuts the path at '?' or '#', and over WebHDFS the NameNode decodes "
        "'%XX'); rename it without them"
    )


@contextlib.contextmanager
def _captured(into: io.StringIO) -> Iterator[None]:
    """What warcio and cdxj-indexer say while one file is read: their prints to stderr
    ("Record not followed by newline…") and logged warnings ("Replacing spaces in invalid
    WARC-Target-URI…")."""
    handler = logging.StreamHandler(into)
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with contextlib.redirect_stderr(into), contextlib.redirect_stdout(into):
            yield
    finally:
        root.removeHandler(handler)


def _index_once(
    store_url: str, endpoint_url: str, path: str, out: Path, fmt: str, size: int
) -> list[str]:
    local = None
    try:
        with backend_for(store_url, endpoint_url).local_copy(path) as local:
            found = local.stat().st_size
            if found != size:
                raise StaleListing(f"changed since the listing: {size} bytes then, {found} now")
            return _index_local(local, path, out, fmt)
    except (InvalidWarc, TransientError, StaleListing):
        raise
    except ObjectDenied as err:
        raise Denied(f"the store refuses it to the indexing user: {err}") from None
    except FileNotFoundError as err:
        raise StaleListing(f"no longer in the store: {err}") from None
    except PermissionError as err:
        # The file's own permissions (or its folder's); a refusal on anything else (the
        # output file, a download's temporary copy) is this host's problem, not the file's.
        if local is not None and err.filename is not None and str(err.filename) == str(local):
            raise Denied(f"the indexing user may not read it: {err.strerror}") from None
        raise TransientError(_unreadable(err)) from None
    except OSError as err:
        raise TransientError(_unreadable(err)) from None
    except Exception as err:
        if _is_missing_key(err):
            raise StaleListing(f"no longer in the store: {err}") from None
        if _is_store_error(err):
            raise TransientError(_unreadable(err)) from None
        raise InvalidWarc(f"{type(err).__name__}: {err}") from None


def _unreadable(err: Exception) -> str:
    return f"cannot read it from the store: {type(err).__name__}: {err}"


def _index_local(local: Path, path: str, out: Path, fmt: str) -> list[str]:
    if fmt == "cdx11" and any(c.isspace() for c in path):
        raise InvalidWarc(
            "its path holds whitespace, which a CDX11 line cannot carry (OutbackCDX splits "
            "a line's fields at spaces): rename the file, or index into CDXJ"
        )
    gzipped, kind = check_head(local)
    raw = io.StringIO()
    indexer = INDEXERS[fmt](output=raw, inputs=[str(local)], filename=path, records=RECORDS)
    indexer.process_all()
    indexer.check(local, gzipped, kind)
    lines = [
        line for line in raw.getvalue().splitlines(keepends=True)
        if line.strip() and not line.startswith(" CDX")
    ]
    lines = indexer.posts.rekey(lines, fmt)
    lines.sort()
    out.write_text("".join(lines))
    return lines


def _is_missing_key(err: Exception) -> bool:
    response = getattr(err, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("404", "NoSuchKey", "NotFound")


def _is_store_error(err: Exception) -> bool:
    """Errors of the store's client library (botocore), not of the file's content."""
    from maint_assets.core.stored_files import StoreError

    if isinstance(err, StoreError):
        return True
    return type(err).__module__.split(".")[0] in ("botocore", "boto3", "urllib3", "requests")


def _warnings(captured: io.StringIO) -> list[str]:
    found = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return list(dict.fromkeys(found))[:MAX_WARNINGS]


def index_all(tasks: list[dict], workers: int) -> list[IndexedWarc]:
    """``index_warc(**task)`` for every task, on ``workers`` processes; results in task order.

    Files are handed out largest first (``dispatch_order``). The workers are ``python -m
    maint_assets.webarchive.indexing`` processes fed one task at a time over a pipe, not a
    multiprocessing pool: a spawned pool re-imports the parent's main module in every worker
    (in a Dagster run, all of Dagster, about 1.5 s each), and a forked one would inherit the
    run's threads and locks."""
    if not tasks:
        return []
    results: list[IndexedWarc | None] = [None] * len(tasks)
    pending = iter(dispatch_order(tasks))
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


def dispatch_order(tasks: list[dict]) -> list[int]:
    """Task indexes, largest file first (ties in task order): a worker that takes a big WARC
    last keeps the run waiting on one core while the others sit idle; largest first, the last
    files handed out are the smallest and the workers finish together."""
    return sorted(range(len(tasks)), key=lambda i: -tasks[i]["size"])


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


def indexed_rows(
    segment: str, indexed: list[IndexedWarc], refused: dict[str, list[str]], params: dict
) -> dict:
    """The parameters recording ``indexed`` in TrackDB, their lines in ``segment``, less the
    lines the CDX server ``refused`` (by path)."""
    def column(get: Callable[[IndexedWarc], object]) -> list:
        return [get(r) for r in indexed]

    def error(r: IndexedWarc) -> str | None:
        bad = refused.get(r.path)
        if not bad:
            return None
        return (f"{len(bad)} line(s) refused by the CDX server (the others are indexed), "
                f"first: {bad[0].rstrip()}")[:1000]

    return {
        **params,
        "paths": column(lambda r: r.path),
        "segments": column(lambda r: segment),
        "records": column(lambda r: r.records - len(refused.get(r.path, []))),
        "firsts": column(lambda r: r.first_capture),
        "lasts": column(lambda r: r.last_capture),
        "bad_lines": column(lambda r: len(refused.get(r.path, []))),
        "errors": column(error),
        "warnings": column(lambda r: json.dumps(r.warnings)),
    }

"""Does the index describe the store? Lines picked at random must resolve to a record at their
offset and length in their file, with their URL and timestamp; for OutbackCDX the server must
also answer each with that capture. (UKWA's tooling planned this verification and never had it:
ukwa-manage ``lib/windex/README.md``, "cdx-verify step has not yet been moved over".)"""

from __future__ import annotations

import io
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from maint_assets.core.stored_files import Backend, ObjectDenied, StoreError
from maint_assets.webarchive.cdx_outputs import OutbackCdx
from maint_assets.webarchive.cdx_segments import Ledger, Segment


@dataclass(frozen=True)
class CdxLine:
    url: str
    timestamp: str
    offset: int
    length: int
    filename: str


def parse(line: str, fmt: str) -> CdxLine:
    if fmt == "cdxj":
        _, timestamp, fields = line.split(" ", 2)
        found = json.loads(fields)
        return CdxLine(found["url"], timestamp, int(found["offset"]), int(found["length"]),
                       found["filename"])
    f = line.rstrip("\r\n").split(" ")
    return CdxLine(f[2], f[1], int(f[9]), int(f[8]), f[10])


# Different files failing one after another (each after its retries, none read between them),
# after which the store is taken as unreachable as a whole and the rest of the sample is not
# tried. A store that lost one sector or one sub-disk still answers for its other files, so
# three in a row is the store failing, not them (when its errors alone do not say so: a 5xx
# or an I/O error, which may be one object's); and every further file would cost its retries
# (14 s with the defaults) for the same answer.
FAILED_IN_A_ROW = 3


@dataclass
class Unreached:
    """The sampled lines the store could not be read for, by file, with the store's error. A
    line is not tried when its file failed already, when a folder above it is a disk not
    mounted, or once the store is taken as unreachable as a whole."""

    lines: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # 'a/b/' (StoreError.scope): error
    down: str = ""  # why the whole store is taken as unreachable
    in_a_row: int = 0

    def known(self, path: str) -> str | None:
        """The error already known to stand for ``path``: its line is not tried."""
        if self.down:
            return self.down
        if path in self.errors:
            return self.errors[path]
        return next((e for folder, e in self.folders.items() if path.startswith(folder)), None)

    def add(self, path: str, line: str, error: str) -> None:
        self.lines.setdefault(path, []).append(line)
        self.errors.setdefault(path, error)

    def failed(self, path: str, line: str, err: StoreError) -> None:
        self.add(path, line, str(err))
        self.in_a_row += 1
        if err.scope == "":
            self.down = f"the store as a whole cannot be reached ({err})"
            return
        if err.scope:
            self.folders[err.scope] = str(err)
        if self.in_a_row >= FAILED_IN_A_ROW:
            self.down = (f"{self.in_a_row} files in a row could not be read: the store is "
                         f"taken as unreachable (the last: {err})")

    def answered(self) -> None:
        """The store answered for a file (its record, or its refusal)."""
        self.in_a_row = 0

    @property
    def count(self) -> int:
        return sum(map(len, self.lines.values()))


def sample(ledger: Ledger, count: int, rng: random.Random) -> Iterator[tuple[Segment, str]]:
    """``count`` lines picked at random across the live segments (by size): a seek to a random
    byte, then the next whole line; a few KiB read per line however big the index is."""
    segments = [s for s in ledger.live() if s.bytes > 0]
    if not segments or not count:
        return
    for segment in rng.choices(segments, weights=[s.bytes for s in segments], k=count):
        try:
            with ledger.file(segment).open("rb") as f:
                at = rng.randrange(segment.bytes)
                f.seek(at)
                if at:
                    f.readline()  # the rest of the line the seek fell into
                line = f.readline()
                if not line:
                    f.seek(0)
                    line = f.readline()
        except FileNotFoundError:  # replaced by a run since listed; its file is checked apart
            continue
        yield segment, line.decode()


def resolve(backend: Backend, entry: CdxLine, retries: int, backoff_s: float) -> str | None:
    """What is wrong with the line, or None when its record is where it says. Neither error
    raised is the line's fault, and the line is not checked: ObjectDenied when the store
    refuses its file to this user (the file's permissions), StoreError when the store cannot
    be read (down, unreachable, answering 5xx; a local disk's I/O error, a stale NFS handle, an
    unmounted disk) after ``retries`` more tries."""
    try:
        data = _read(backend, entry, retries, backoff_s)
    except FileNotFoundError:
        return "its file is not in the store"
    except (ObjectDenied, StoreError):
        raise
    except Exception as err:
        return f"cannot read its file: {type(err).__name__}: {err}"
    if len(data) < entry.length:
        return f"its file ends before offset {entry.offset} + length {entry.length}"
    try:
        records = ArchiveIterator(io.BytesIO(data), arc2warc=True)
        record = next(records)
        records.read_to_end()
    except Exception as err:
        return f"no record at offset {entry.offset}: {type(err).__name__}: {err}"
    url = record.rec_headers.get_header("WARC-Target-URI")
    stamp = iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date") or "")
    if url != entry.url or stamp != entry.timestamp:
        return f"the record at offset {entry.offset} is {url} {stamp}"
    if records.get_record_length() != entry.length:
        return f"the record at offset {entry.offset} is {records.get_record_length()} bytes long"
    return None


def _read(backend: Backend, entry: CdxLine, retries: int, backoff_s: float) -> bytes:
    attempt = 0
    while True:
        try:
            return backend.read_range(entry.filename, entry.offset, entry.length)
        except StoreError:
            if attempt >= retries:
                raise
            time.sleep(backoff_s * 2**attempt)
            attempt += 1


def served(server: OutbackCdx, line: str, exact: bool) -> str | None:
    """Whether OutbackCDX answers the capture of a CDX11 line (with its file and offset when
    the server keys captures by them)."""
    f = line.rstrip("\r\n").split(" ")
    for answer in server.captures(f[2], *_method_and_body(f[0], f[2])):
        a = answer.split(" ")
        if a[1] == f[1] and (not exact or (a[9], a[10]) == (f[9], f[10])):
            return None
    return "the CDX server does not answer this capture"


def _method_and_body(key: str, url: str) -> tuple[str | None, str | None]:
    """A POST or PUT capture's method and body, as OutbackCDX infers them from the line's key
    when it is added (``Capture.inferMethodAndRequestBodyFromOldUrlKey``: the parameters of the
    key's query that the URL's own key lacks) and keys the capture by them: asked for the URL
    alone, it answers that URL's GET captures only."""
    if "__wb_method=" not in key:
        return None, None
    own = set(surt.surt(url).partition("?")[2].split("&"))
    extra = [p for p in key.partition("?")[2].split("&") if p not in own]
    method = next((p.split("=", 1)[1] for p in extra if p.startswith("__wb_method=")), None)
    body = "&".join(p for p in extra if not p.startswith("__wb_method="))
    return (method.upper(), body) if method else (None, None)

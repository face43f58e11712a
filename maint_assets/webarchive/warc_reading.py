"""Reading a WARC or ARC file whole while cdxj-indexer indexes it: one pass finds what the
indexer passes over silently.

cdxj-indexer (through warcio) indexes a truncated file up to where it was cut, a record whose
content ends before its declared length, a record whose Content-Length runs into the next one
(warcio only prints "Record not followed by newline"), and a text file named ``.warc.gz`` as an
ARC record. Here every record is read to its end during indexing and compared with the length
its header declares, the file must start with a WARC or ARC header, and the gzip members after
the last record must be complete (a cut in the gzip trailer leaves every record whole). An ARC
record must declare its length as a number (warcio reads ``-1`` or ``abc`` as an empty
record, which cdxj-indexer indexes and pywb then fails to replay), and an ARC record of an
HTTP URL must hold an HTTP response (pywb answers 500 for one that does not).

(No Dagster import here: the indexing workers load this module.)
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

from cdxj_indexer.main import CDX11Indexer, CDXJIndexer
from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

from maint_assets.webarchive.post_captures import PostCaptures

_BLOCK = 1 << 20
_HEADS = (b"WARC/", b"filedesc:")
# A zstd frame, or a skippable frame (0x184D2A50-5F, little-endian), which is how the warc-zstd
# proposal (Wget-AT, gowarc) stores its dictionary at the start of a .warc.zst.
_ZSTD_FRAME = b"\x28\xb5\x2f\xfd"
_ZSTD_SKIPPABLE = b"\x2a\x4d\x18"
# The status lines pywb's record loader accepts (warcio's ArcWarcRecordLoader.HTTP_TYPES, which
# pywb's BlockArcWarcRecordLoader verifies; cdxj-indexer reads the HTTP head unverified).
_PYWB_HTTP = ("HTTP/1.0", "HTTP/1.1")


class InvalidWarc(ValueError):
    """The file itself cannot be read to its end: it is quarantined, not retried."""


class _CheckedIterator(ArchiveIterator):
    """warcio's iterator, noting every record that ends before its declared length."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.short_records: list[tuple[int, int]] = []
        self.bad_lengths: list[tuple[int, str]] = []
        self.without_http: list[int] = []  # offsets of http(s) responses with no HTTP head
        self.last_offset = 0
        self.last_end = 0  # uncompressed: where the last record's declared content ends
        # The record's own stream as warcio opened it: cdxj-indexer replaces raw_stream with a
        # buffer of its own when it computes a digest (every record without a
        # WARC-Payload-Digest header: all ARC records), and that buffer knows no declared length.
        self.opened: tuple[object, object] | None = None

    def _iterate_records(self) -> Iterator[object]:
        for record in super()._iterate_records():
            self.opened = (record, record.raw_stream)
            yield record

    def read_to_end(self, record: object = None) -> None:
        pending = self.record is not None and not self.member_info
        super().read_to_end(record)
        if not pending:
            return
        self.last_offset = self.member_info[0]
        self.last_end = sum(self.member_info)
        headers = self.record.rec_headers
        declared = headers.get_header("Content-Length") or ""
        if not declared.isdecimal():
            self.bad_lengths.append((self.member_info[0], declared))
        target = headers.get_header("WARC-Target-URI") or ""
        if (self.record.rec_type == "response" and self.record.http_headers is None
                and not self.no_record_parse and target.startswith(("http://", "https://"))):
            self.without_http.append(self.member_info[0])
        stream = self.record.raw_stream
        if self.opened is not None and self.opened[0] is self.record:
            stream = self.opened[1]
        if isinstance(stream, LimitReader) and stream.limit > 0:
            self.short_records.append((self.member_info[0], stream.limit))


class _Checked:
    """cdxj-indexer with the checking iterator; ``check()`` raises what it found, and
    ``posts`` keys the file's POST captures (post_captures)."""

    iterator: _CheckedIterator | None = None
    posts: PostCaptures | None = None

    def _create_record_iter(self, input_: object) -> _CheckedIterator:
        self.iterator = _CheckedIterator(
            input_, no_record_parse=not self.record_parse, arc2warc=True,
            verify_http=self.verify_http,
        )
        self.posts = PostCaptures(self.get_url_key)
        return self.iterator

    def filter_record(self, record: object) -> bool:
        # Every record passes here in order, its content unread; the iterator's offset is
        # still the record's own.
        self.posts.see(record, self.iterator.offset)
        if not super().filter_record(record) or _crawlers_own(record):
            return False
        unservable = _unservable(record, self.iterator.no_record_parse)
        if unservable:
            # Printed to stderr: captured and kept with the file as its warnings.
            print(f"the {record.rec_type} record at offset {self.iterator.offset} "
                  f"({record.rec_headers.get_header('WARC-Target-URI')}) {unservable}: left "
                  "out of the index", file=sys.stderr)
            return False
        return True

    def check(self, path: Path, gzipped: bool, kind: str) -> None:
        it = self.iterator
        if it is None:
            raise InvalidWarc("no record could be read")
        if it.short_records:
            offset, missing = it.short_records[0]
            raise InvalidWarc(
                f"truncated: the record at offset {offset} ends {missing} bytes before its "
                "declared length"
            )
        if it.bad_lengths:
            offset, declared = it.bad_lengths[0]
            raise InvalidWarc(
                f"the record at offset {offset} declares its length as {declared!r}, not a "
                "number of bytes"
            )
        if kind == "arc" and it.without_http:
            raise InvalidWarc(
                f"the ARC record of an HTTP URL at offset {it.without_http[0]} holds no HTTP "
                "response (status line and headers)"
            )
        if it.err_count:
            raise InvalidWarc(
                f"{it.err_count} record(s) not followed by the record separator: a declared "
                "length is wrong or the file was cut inside a record"
            )
        if gzipped:
            check_gzip_tail(path, it.last_offset)
            return
        # Uncompressed: a cut inside a record's headers ends warcio's iteration silently, and
        # a cut in the separator after the last record leaves every record whole.
        size = path.stat().st_size
        if it.offset != size:
            raise InvalidWarc(
                f"truncated: {size - it.offset} bytes after the last whole record (ending at "
                f"{it.offset}) are not a complete record"
            )
        with path.open("rb") as f:
            f.seek(it.last_end)
            separator = f.read()
        if kind == "warc" and separator.count(b"\n") < 2:
            raise InvalidWarc("truncated: the last record is not followed by its two line breaks")


class CheckedCdxj(_Checked, CDXJIndexer):
    pass


class CheckedCdx11(_Checked, CDX11Indexer):
    pass


INDEXERS = {"cdxj": CheckedCdxj, "cdx11": CheckedCdx11}


# What the indexing leaves out, by version: 2 leaves out records of a metadata: URI. A new
# version re-queues once the files whose lines it now leaves out (cdx_run.py).
INDEX_RULES_VERSION = 2


def crawlers_own_uri(uri: str) -> bool:
    return uri[:9].lower() == "metadata:"


def _crawlers_own(record: object) -> bool:
    """A crawler's own file in a record of a ``metadata://`` URI: Wget's log, manifest and
    command line (resource records; the command line may hold ``--http-password``), and
    NetarchiveSuite's metadata ARC files (read as response records). pywb keys each as the
    http URL of that host and path (``org,gnu)/software/wget/warc/wget.log``) and would serve
    it as that page. ``urn:`` records (Browsertrix's ``urn:pageinfo:``, wpull's
    ``urn:X-wpull:log``) keep keys of their own, as pywb indexes them."""
    return crawlers_own_uri(record.rec_headers.get_header("WARC-Target-URI") or "")


def _unservable(record: object, no_record_parse: bool) -> str | None:
    """Why pywb cannot replay this record, if it cannot; its line would make pywb answer it,
    not a capture of the same URL next to it in time, for that URL at that time.

    - The first segment of a segmented record (WARC 1.1, "Record segmentation"): pywb serves
      it alone, with the Content-Length of the whole HTTP response, and the connection then
      hangs (the continuation records are never read).
    - A WARC response of an HTTP URL with no HTTP response in it (a zero-length response
      record, as Heritrix wrote in Archive-It's crawls: cdxj-indexer's ``missing-http.warc.gz``):
      pywb answers 500. (In an ARC file it also quarantines the file: ``check``.)
    - An HTTP head whose status line is not HTTP/1.0 or HTTP/1.1 (``HTTP/2 200``, as
      StormCrawler and Nutch wrote HTTP/2 fetches before they wrote ``HTTP/1.1`` with
      ``WARC-Protocol: h2``): pywb's loader refuses it, and answers 503 for a URL with no other
      capture; listed in the calendar, it never replays."""
    headers = record.rec_headers
    if headers.get_header("WARC-Segment-Number"):
        return "is one segment of a record pywb cannot join with the others"
    target = headers.get_header("WARC-Target-URI") or ""
    if (record.rec_type == "response" and not no_record_parse and record.http_headers is None
            and target.startswith(("http://", "https://"))):
        return "holds no HTTP response, for which pywb answers 500"
    http = record.http_headers
    if (http is not None and http.protocol
            and not http.protocol.upper().startswith(_PYWB_HTTP)):
        return (f"has the HTTP status line {http.protocol} {http.statusline}, which pywb "
                "cannot replay (it reads HTTP/1.0 and HTTP/1.1 only)")
    return None


def check_head(path: Path) -> tuple[bool, str]:
    """Raise InvalidWarc unless ``path`` starts with a WARC or ARC header; returns whether it
    is gzipped, and ``warc`` or ``arc``."""
    with path.open("rb") as f:
        head = f.read(_BLOCK)
    if head[:4] == _ZSTD_FRAME or (head[1:4] == _ZSTD_SKIPPABLE and head[0] & 0xF0 == 0x50):
        raise InvalidWarc(
            "zstd-compressed (a .warc.zst): warcio and pywb read only gzip and uncompressed "
            "WARCs, so pywb cannot replay it; not indexed (webarchive_retry_failed indexes it "
            "once they can, or recompress it to .warc.gz)"
        )
    gzipped = head[:2] == b"\x1f\x8b"
    if gzipped:
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 64)
        except zlib.error as err:
            raise InvalidWarc(f"not a WARC or ARC file (broken gzip header: {err})") from None
    head = head.lstrip(b"\r\n")
    if not head.startswith(_HEADS):
        raise InvalidWarc("not a WARC or ARC file (no WARC/ version line or ARC filedesc)")
    return gzipped, "warc" if head.startswith(b"WARC/") else "arc"


def check_gzip_tail(path: Path, last_record: int) -> None:
    """Raise InvalidWarc unless the gzip members from ``last_record`` (the offset of the last
    record read) to the end of the file are complete."""
    with path.open("rb") as f:
        f.seek(last_record)
        member, fed = zlib.decompressobj(wbits=31), False
        while block := f.read(_BLOCK):
            while block:
                try:
                    member.decompress(block)
                except zlib.error as err:
                    raise InvalidWarc(
                        f"corrupt gzip member after offset {last_record}: {err}"
                    ) from None
                fed = True
                if member.eof:
                    block, member, fed = member.unused_data, zlib.decompressobj(wbits=31), False
                else:
                    block = b""
        if fed:
            raise InvalidWarc(f"truncated: its last gzip member ends early ({f.tell()} bytes)")


def verify(path: Path) -> None:
    """Read ``path`` whole as the indexer does; raise InvalidWarc with what is wrong."""
    gzipped, kind = check_head(path)
    with open(os.devnull, "w") as sink:
        indexer = CheckedCdxj(output=sink, inputs=[str(path)], records="all")
        try:
            indexer.process_all()
        except Exception as err:
            raise InvalidWarc(f"{type(err).__name__}: {err}") from None
    indexer.check(path, gzipped, kind)

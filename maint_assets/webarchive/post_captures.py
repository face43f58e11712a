"""POST and PUT captures keyed as pywb keys them: the URL plus the request's body
(``org,httpbin)/post?__wb_method=post&foo=bar``), as pywb's own indexer (``wb-manager add``)
and UKWA's CDX11 indexing write them. Keyed by the URL alone, pywb answers 404 when the same
request is replayed, and serves the POST's answer to a GET of that URL.

cdxj-indexer writes such keys with ``post_append``, but that mode reads each record's content
before indexing it, and then writes the SHA-1 of nothing (``3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ``)
as the digest of every record without a WARC-Payload-Digest header: every ARC record, wget's
resource records, Heritrix's metadata (cdxj-indexer 1.5.0, on 15 of the real files of
maint_assets_tests/data/webarchive and the trial's). So the index is written without it and
the keys of POST captures are set here: a request and a response are paired as cdxj-indexer
pairs them (``bufferiter.concur_req_resp``: next to each other, same target, the second
concurrent to the first), and a request and a revisit as pywb's own indexer pairs them too
(cdxj-indexer leaves a POST's revisit keyed as a GET), and the request's body turned into the
key as cdxj-indexer does (``postquery.append_method_query``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from cdxj_indexer.postquery import append_method_query
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders

_METHODS = ("POST", "PUT")
# What a request is paired with: as pywb's own indexer (join_request_records) pairs them, a
# revisit too (warcprox's and pywb's dedup write a POST's unchanged answer as one).
_ANSWERS = ("response", "revisit")
_SPOOL = 1 << 20  # a larger body goes to a temporary file, as cdxj-indexer buffers it


@dataclass
class _Seen:
    """A request or a response; its headers are looked up only when it may pair."""

    rec_type: str
    headers: StatusAndHeaders
    offset: int
    method: str | None = None  # a request's, as its request line spells it
    content_type: str | None = None
    length: str | None = None
    body: IO[bytes] | None = None  # a POST or PUT request's content

    @classmethod
    def of(cls, record: ArcWarcRecord, offset: int) -> _Seen:
        seen = cls(record.rec_type, record.rec_headers, offset)
        if record.rec_type == "request" and record.http_headers is not None:
            seen.method = record.http_headers.protocol
            if seen.method.upper() in _METHODS:
                seen.content_type = record.http_headers.get_header("Content-Type")
                seen.length = record.http_headers.get_header("Content-Length")
                # kept open past this call: closed once paired, or once passed by unpaired
                seen.body = tempfile.SpooledTemporaryFile(_SPOOL)  # noqa: SIM115
                shutil.copyfileobj(record.content_stream(), seen.body)
                seen.body.seek(0)
        return seen

    @property
    def url(self) -> str | None:
        return self.headers.get_header("WARC-Target-URI")

    def close(self) -> None:
        if self.body is not None:
            self.body.close()


class PostCaptures:
    """Sees every record of one file in order, before its content is read; then gives the
    index lines of its POST and PUT responses their keys."""

    def __init__(self, url_key: Callable[[str], str]) -> None:
        self.url_key = url_key
        self.keys: dict[int, tuple[str, str, str]] = {}  # response offset: key, method, body
        self._previous: _Seen | None = None

    def see(self, record: ArcWarcRecord, offset: int) -> None:
        previous, self._previous = self._previous, None
        if record.rec_type not in ("request", *_ANSWERS):  # pairs with neither neighbour
            if previous is not None:
                previous.close()
            return
        current = _Seen.of(record, offset)
        pair = _pair(previous, current) if previous else None
        if pair is None:
            if previous is not None:
                previous.close()
            self._previous = current
            return
        request, response = pair  # a record is paired once
        url = request.url
        if request.body is not None and url is not None:
            query, appended = append_method_query(
                request.method, request.content_type, request.length, request.body, url
            )
            self.keys[response.offset] = (self.url_key(url + appended), request.method.upper(),
                                          query)
        request.close()

    def rekey(self, lines: list[str], fmt: str) -> list[str]:
        """``lines`` of this file (CDXJ or CDX11), the POST and PUT captures keyed with their
        body; CDXJ also carries the method and the body's fields, as cdxj-indexer writes them."""
        if not self.keys:
            return lines
        return [self._rekeyed(line, fmt) for line in lines]

    def _rekeyed(self, line: str, fmt: str) -> str:
        if fmt == "cdxj":
            _, timestamp, rest = line.split(" ", 2)
            fields = json.loads(rest)
            found = self.keys.get(int(fields["offset"]))
            if found is None:
                return line
            key, method, query = found
            fields |= {"requestBody": query, "method": method}
            return f"{key} {timestamp} {json.dumps(fields)}\n"
        fields = line.split(" ")
        found = self.keys.get(int(fields[9]))
        return line if found is None else " ".join([found[0], *fields[1:]])


def _pair(first: _Seen, second: _Seen) -> tuple[_Seen, _Seen] | None:
    """(request, response) when ``second`` answers or asks ``first``."""
    kinds = (first.rec_type, second.rec_type)
    if "request" not in kinds or not {*kinds} & {*_ANSWERS}:
        return None
    if (first.url != second.url or second.headers.get_header("WARC-Concurrent-To")
            != first.headers.get_header("WARC-Record-ID")):
        return None
    return (second, first) if kinds[0] in _ANSWERS else (first, second)

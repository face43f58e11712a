"""How the consumers of the published files read them, where their own code cannot run here.

pywb runs itself (webarchive_servers.pywb_access, .pywb). webarchive-discovery is Java (its
Maven dependencies are out of reach), so its reading of ``allows.txt`` and
``annotations.json`` is written out here from its source, independently of the project's
generator, and checked against what the Java code itself prints for the same URLs
(``maint_assets_tests/data/heritrix-surt``, test_heritrix_surt.py):

- ``allows.txt``: ``Annotator.loadSurtPrefix`` → webarchive-commons' ``SurtPrefixSet.importFrom``
  (``org/archive/util/SurtPrefixSet.java``, ``PrefixSet.java``): one prefix per line, comment
  lines and trailing ``#`` comments ignored, lower-cased, a prefix already covered by a shorter
  one dropped; a record is open access when ``containsPrefixOf`` its candidate,
  ``getCandidateSurt(UsableURIFactory.getInstance(uri))``: ``SURT.fromURI`` (``scheme://(`` +
  host labels reversed, each followed by ``,``, a dotted quad as it is, + ``:port`` +
  ``@userinfo`` + ``)`` + path and query, all lower-cased; https as http) of the URI as
  ``UsableURIFactory.fixup`` leaves it: ``\\`` before the query as ``/``, host punycoded with
  its end dots stripped, default port dropped, dot segments resolved, fragment and an empty
  query dropped, characters outside LaxURLCodec's safe sets escaped in UTF-8 (an existing ``%``
  kept). The indexer (``WARCIndexer.parseURL``) first passes the URL through
  ``new org.apache.commons.httpclient.URI(escaped, false)``, which escapes it a second time
  (``%`` as ``%25``, and ``|`` ``+`` in the path, ``[]^{}|`` in the query); re-annotation
  (``Annotator.main``) does not.
- ``annotations.json``: ``Annotator.updateCollections`` applies a collection to a record only
  when ``collectionDateRanges`` has it and the crawl date is strictly inside
  (``DateRange.isInDateRange``: no start = 1970, no end = 9999).
"""

from __future__ import annotations

import bisect
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

_ENTRY = re.compile(r"^\s*(\S+)\s*(#.*)?$")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
# LaxURLCodec.EXPANDED_URI_SAFE / QUERY_SAFE as they act: the characters they escape.
_PATH_ESCAPED = set('"<>[]^`{} ')
_QUERY_ESCAPED = set('"<>`\\ ')
# What org.apache.commons.httpclient.URI(s, false) escapes again in the indexer.
_PATH_REESCAPED = set("%|+")
_QUERY_REESCAPED = set("%[]^{}|")
_DOTTED_QUAD = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}")


class SurtPrefixSet:
    def __init__(self, text: str) -> None:
        self.prefixes: list[str] = []
        for line in text.splitlines():
            if line.lstrip().startswith("#"):
                continue
            found = _ENTRY.match(line)
            if found:
                self._add(found.group(1).lower())

    def _add(self, prefix: str) -> None:
        if self.contains_prefix_of(prefix):
            return
        self.prefixes = [p for p in self.prefixes if not p.startswith(prefix)]
        bisect.insort(self.prefixes, prefix)

    def contains_prefix_of(self, s: str) -> bool:
        i = bisect.bisect_right(self.prefixes, s)
        return i > 0 and s.startswith(self.prefixes[i - 1])

    def is_open_access(self, url: str, indexer: bool = True) -> bool:
        return self.contains_prefix_of(candidate_surt(url, indexer))


def candidate_surt(url: str, indexer: bool = True) -> str:
    """``SurtPrefixSet.getCandidateSurt(UsableURIFactory.getInstance(url))``, after the
    indexer's second escaping unless ``indexer`` is false (re-annotation)."""
    url = url.strip()
    query_at = url.find("?")
    head = url if query_at < 0 else url[:query_at]
    url = head.replace("\\", "/") + ("" if query_at < 0 else url[query_at:])
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    userinfo, _, hostport = parts.netloc.rpartition("@")
    host, _, port = hostport.partition(":")
    host = ".".join(
        label.encode("idna").decode() if not label.isascii() else label
        for label in host.lower().strip(".").split(".")
    )
    port = port.lstrip("0") or ("0" if port else "")
    if port == _DEFAULT_PORTS.get(scheme):
        port = ""
    path = _escape(_resolve_dots(parts.path or "/"), _PATH_ESCAPED)
    query = _escape(parts.query, _QUERY_ESCAPED)
    if indexer:
        path, query = _escape(path, _PATH_REESCAPED), _escape(query, _QUERY_REESCAPED)
    if _DOTTED_QUAD.fullmatch(host):
        labels = host
    else:
        labels = "".join(label + "," for label in reversed(host.split(".")))
    surt = (f"{scheme}://({labels}{':' + port if port else ''}"
            f"{'@' + userinfo if userinfo else ''}){path}{'?' + query if query else ''}").lower()
    return "http" + surt[len("https"):] if surt.startswith("https://") else surt


def _resolve_dots(path: str) -> str:
    """RFC 3986 5.2.4 (httpclient's ``URI.normalize``), an empty result as ``/``."""
    out: list[str] = []
    while path:
        if path.startswith(("/./", "/../")) or path in ("/.", "/.."):
            if path.startswith("/.."):
                out = out[:-1]
            dots = path.split("/")[1]
            path = path[len(dots) + 1:] or "/"
        else:
            cut = path.find("/", 1)
            out.append(path if cut < 0 else path[:cut])
            path = "" if cut < 0 else path[cut:]
    return "".join(out) or "/"


def _escape(text: str, escaped: set[str]) -> str:
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode()) if c in escaped or not c.isascii() else c
        for c in text
    )


def collection_applies(ranges: dict, name: str, crawl_date: datetime) -> bool:
    if name not in ranges:
        return False
    start, end = (_date(ranges[name].get(k)) for k in ("start", "end"))
    return (start or datetime(1970, 1, 1, tzinfo=UTC)) < crawl_date < (
        end or datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)
    )


def _date(value: str | None) -> datetime | None:
    # Jackson's StdDateFormat: yyyy-MM-dd'T'HH:mm:ss.SSSZ
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z") if value else None

"""How the consumers of the published files read them, where their own code cannot run here.

pywb runs itself (webarchive_servers.pywb_access, .pywb). webarchive-discovery is Java (its
Maven dependencies are out of reach), so its reading of ``allows.txt`` and
``annotations.json`` is written out here from its source, line by line, independently of the
project's generator:

- ``allows.txt``: ``Annotator.loadSurtPrefix`` → Heritrix's ``SurtPrefixSet.importFrom``
  (heritrix3 ``commons/src/main/java/org/archive/util/SurtPrefixSet.java``): one prefix per
  line, comment lines and trailing ``#`` comments ignored, lower-cased, a prefix already
  covered by a shorter one dropped; a URL is open access when ``containsPrefixOf`` its candidate,
  ``getCandidateSurt(UURI)``: ``SURT.fromURI`` of the normalised URI, lower-cased, https as http
  (``SURT.java``: ``scheme://(`` + host labels reversed, each followed by ``,`` + ``:port`` +
  ``@userinfo`` + ``)`` + path).
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
_DEFAULT_PORTS = {"http": 80, "https": 443}


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

    def is_open_access(self, url: str) -> bool:
        return self.contains_prefix_of(candidate_surt(url))


def candidate_surt(url: str) -> str:
    """``SurtPrefixSet.getCandidateSurt(UURIFactory.getInstance(url))``."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port if parts.port not in (None, _DEFAULT_PORTS.get(scheme)) else None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if re.fullmatch(r"(\d{1,3}\.){3}\d{1,3}", host):
        labels = host  # a dotted quad is not reversed
    else:
        labels = "".join(f"{label}," for label in reversed(host.split(".")))
    userinfo = f"@{parts.username}" if parts.username else ""
    surt = f"{scheme}://({labels}{f':{port}' if port else ''}{userinfo}){path}".lower()
    return "http" + surt[len("https"):] if surt.startswith("https://") else surt


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

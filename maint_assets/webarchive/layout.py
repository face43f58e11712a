"""What a file's path in a WARC store says: its kind, collection, stream, job and crawl time.

Two layouts are recognised, as the web archive's crawlers write them:
``heritrix/output/<job>/<launch yyyymmddhhmmss>/(warcs|viral|logs)/<file>`` and
``1_data/<collection>/<stream>/<job>/(warcs|viral|logs)/<file>``. A file in a ``warcs`` folder
that does not end in ``.warc.gz``/``.warc`` (``.warc.gz.open`` while Heritrix writes it) is an
invalid WARC and is never indexed.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

_HERITRIX = re.compile(
    r"(?:^|/)heritrix/output/(?P<job>[^/]+)/(?P<launch>\d{14})/(?P<folder>warcs|viral|logs)/"
)
_DATA = re.compile(
    r"(?:^|/)1_data/(?P<collection>npld|bypm|selective)/(?P<stream>[^/]+)/(?P<job>[^/]+)/"
    r"(?:(?P<launch>\d{14})/)?(?P<folder>warcs|viral|logs)/"
)
# Heritrix names WARCs <prefix>-<yyyymmddhhmmssSSS>-<serial>-...
_WARC_TIME = re.compile(r"-(\d{17})-")
WARC_SUFFIXES = (".warc.gz", ".warc")


@dataclass(frozen=True)
class FileLayout:
    kind: str
    collection: str | None
    stream: str | None
    job: str | None
    crawl_ts: datetime


def classify(path: str, mtime: datetime) -> FileLayout:
    directory, _, name = path.rpartition("/")
    folder, job, collection, stream, launch = _directory(directory)
    is_warc = name.endswith(WARC_SUFFIXES)
    if folder in ("warcs", "viral"):
        kind = "warcs" if is_warc else "warcs-invalid"
    elif folder == "logs":
        kind = "crawl-logs" if name.startswith("crawl.log") else "logs"
    else:
        kind = "warcs" if is_warc else "unknown"
    return FileLayout(kind, collection, stream, job, _crawl_time(name, launch, mtime))


@lru_cache(maxsize=4096)
def _directory(directory: str) -> tuple[str | None, ...]:
    """What a directory's path says; cached, as a store has many files per directory."""
    path = directory + "/"
    match = _HERITRIX.search(path) or _DATA.search(path)
    if not match:
        return None, None, None, None, None
    groups = match.groupdict()
    job, collection, stream = groups["job"], groups.get("collection"), groups.get("stream")
    if match.re is _HERITRIX:
        collection = "bypm" if job == "frequent-bypm" else "npld"
        stream = "domain" if job.startswith("dc") else "frequent"
    return groups["folder"], job, collection, stream, groups.get("launch")


def _crawl_time(name: str, launch: str | None, mtime: datetime) -> datetime:
    """From the WARC's name, else its launch folder, else its modification time: a name with
    digits that are no date (hour 31) falls through instead of failing the listing."""
    found = _WARC_TIME.search(name)
    with suppress(ValueError):
        if found:
            digits = found.group(1)
            return _stamp(digits[:14]).replace(microsecond=int(digits[14:]) * 1000)
    with suppress(ValueError):
        if launch:
            return _stamp(launch)
    return mtime


def _stamp(digits: str) -> datetime:
    """yyyymmddhhmmss; by hand, as strptime costs more than the rest of the listing."""
    d = digits
    return datetime(
        int(d[:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]), int(d[12:14]),
        tzinfo=UTC,
    )

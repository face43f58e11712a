"""What a file's path in a WARC store says: its kind, collection, stream, job and crawl time.

Two layouts are recognised, as the web archive's crawlers write them:
``heritrix/output/<job>/<launch yyyymmddhhmmss>/(warcs|arcs|viral|logs)/<file>`` and
``1_data/<collection>/<stream>/<job>/(warcs|arcs|viral|logs)/<file>``. WARC and ARC files
(gzipped or not) are indexed wherever they are: kind ``warcs`` or ``arcs``. A file in a crawl
output folder that is neither (``.warc.gz.open`` while Heritrix writes it) is an invalid WARC
and is never indexed.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

_HERITRIX = re.compile(
    r"(?:^|/)heritrix/output/(?P<job>[^/]+)/(?P<launch>\d{14})/(?P<folder>warcs|arcs|viral|logs)/"
)
_DATA = re.compile(
    r"(?:^|/)1_data/(?P<collection>npld|bypm|selective)/(?P<stream>[^/]+)/(?P<job>[^/]+)/"
    r"(?:(?P<launch>\d{14})/)?(?P<folder>warcs|arcs|viral|logs)/"
)
# Heritrix 3 names WARCs <prefix>-<yyyymmddhhmmssSSS>-<serial>-..., Heritrix 1 names ARCs and
# WARCs <prefix>-<yyyymmddhhmmss>-<serial>-... (IAH-20080430204825-00000-host.arc.gz).
_CRAWL_TIME = re.compile(r"-(\d{17}|\d{14})-")
WARC_SUFFIXES = (".warc.gz", ".warc")
ARC_SUFFIXES = (".arc.gz", ".arc")
# Raised whenever classify's rules change: TrackDB then classifies every file again.
# 2: ARC files (kind arcs), arcs folders, Heritrix 1's 14-digit names.
LAYOUT_VERSION = 2


class FileLayout(NamedTuple):  # a tuple: built for every file of every listing
    kind: str
    collection: str | None
    stream: str | None
    job: str | None
    crawl_ts: datetime


def classify(path: str, mtime: datetime) -> FileLayout:
    directory, _, name = path.rpartition("/")
    folder, job, collection, stream, launch = _directory(directory)
    archive = "warcs" if name.endswith(WARC_SUFFIXES) else (
        "arcs" if name.endswith(ARC_SUFFIXES) else None
    )
    if folder in ("warcs", "arcs", "viral"):
        kind = archive or "warcs-invalid"
    elif folder == "logs":
        kind = "crawl-logs" if name.startswith("crawl.log") else "logs"
    else:
        kind = archive or "unknown"
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
    found = _CRAWL_TIME.search(name)
    with suppress(ValueError):
        if found:
            return _stamp(found.group(1))
    with suppress(ValueError):
        if launch:
            return _stamp(launch)
    return mtime


def _stamp(d: str) -> datetime:
    """yyyymmddhhmmss[SSS]; by hand, as strptime costs more than the rest of the listing."""
    return datetime(
        int(d[:4]), int(d[4:6]), int(d[6:8]), int(d[8:10]), int(d[10:12]), int(d[12:14]),
        int(d[14:] or 0) * 1000, tzinfo=UTC,
    )

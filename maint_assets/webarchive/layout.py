"""What a file's path in a WARC store says: its kind, collection, stream, job and crawl time.

The layouts are the UK Web Archive's, as its own path parser (ukwa-manage's
``lib/store/hdfs_layout.py``) reads them, with paths relative to the store's root:

- ``data/<target id>/<instance id>/(WARCS|Logs|DLX)/<file>``: the Web Curator Tool's
  selective crawls (collection and stream ``selective``, the job is the target id);
- ``heritrix/output/(warcs|viral|logs)/<job>[-/]<launch>/<file>``: the 2013 NPLD layout (the
  domain crawls' ``dc<n>-<yyyymmdd>`` and ``crawl<n>-…`` folders are job ``dc<year>``);
- ``heritrix/output/<job>/<launch>[suffix]/(warcs|arcs|viral|logs)/<file>``: the 2018 layout
  (a ``dc…`` job is the domain stream, ``frequent-bypm`` the ``bypm`` collection);
- ``1_data/<collection>/<stream>/<job>/[<launch>/](warcs|arcs|viral|logs)/<file>``;
- ``_to_be_deleted/…``: files waiting to be deleted, never indexed.

WARC and ARC files (gzipped or not) of the ``warcs`` and ``arcs`` folders are indexed (kind
``warcs`` or ``arcs``); so are those outside every layout above (into the default collection:
UKWA's own tooling leaves such files out, but a WARC nobody placed is still a capture). A
``.warc.zst`` (Wget-AT's and gowarc's zstd WARCs) is a WARC too: pywb cannot read zstd, so the
indexing quarantines it and names it (warc_reading), where "warcs-invalid" or "unknown" would
pass over it unseen. A file of a ``viral`` folder is kind ``viral``: Heritrix put it there
because a virus scanner flagged a record, and it is never indexed. Anything else in a crawl
output folder (``.warc.gz.open`` while Heritrix writes it) is an invalid WARC and is never
indexed.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, datetime
from functools import lru_cache
from typing import NamedTuple

_TO_BE_DELETED = re.compile(r"(?:^|/)_to_be_deleted/")
# A file in a subfolder of a layout's folder (warcs/moved/) keeps what the folder says.
_WCT = re.compile(
    r"(?:^|/)data/(?P<job>\d+)/(?P<launch>\d+)/(?:(?P<folder>WARCS|Logs|DLX)/|$)"
)
_NPLD_2013_DOMAIN = re.compile(
    r"(?:^|/)heritrix/output/(?P<folder>warcs|viral|logs)/(?:dc|crawl)[0-3]-"
    r"(?P<launch>\d{14}|\d{8})/"
)
_NPLD_2013 = re.compile(
    r"(?:^|/)heritrix/output/(?P<folder>warcs|viral|logs)/(?P<job>[a-z0-9-]+)[-/]"
    r"(?P<launch>\d{12,14})/"
)
_NPLD_2018 = re.compile(
    r"(?:^|/)heritrix/output/(?P<job>[^/]+)/(?P<launch>\d{12,14})[^/]*/"
    r"(?P<folder>warcs|arcs|viral|logs)/"
)
_DATA = re.compile(
    r"(?:^|/)1_data/(?P<collection>npld|bypm|selective)/(?P<stream>[^/]+)/(?P<job>[^/]+)/"
    r"(?:(?P<launch>\d{14})/)?(?P<folder>warcs|arcs|viral|logs)/"
)
# Heritrix 3 names WARCs <prefix>-<yyyymmddhhmmssSSS>-<serial>-..., Heritrix 1 names ARCs and
# WARCs <prefix>-<yyyymmddhhmmss>-<serial>-... (IAH-20080430204825-00000-host.arc.gz). The
# last such group is the file's own: a prefix may carry another date.
_CRAWL_TIME_17 = re.compile(r"-(\d{17})(?=-)")
_CRAWL_TIME_14 = re.compile(r"-(\d{14})(?=-)")
WARC_SUFFIXES = (".warc.gz", ".warc", ".warc.zst")
ARC_SUFFIXES = (".arc.gz", ".arc")
# Raised whenever classify's rules change: TrackDB then classifies every file again (and a
# file whose kind or collection changed leaves the index, to be indexed again if it still may).
# 2: ARC files (kind arcs), arcs folders, Heritrix 1's 14-digit names.
# 3: UKWA's WCT and 2013 layouts, viral and to-be-deleted files never indexed.
# 4: .warc.zst files are WARCs (were warcs-invalid or unknown, and named nowhere).
LAYOUT_VERSION = 4


class FileLayout(NamedTuple):  # a tuple: built for every file of every listing
    kind: str
    collection: str | None
    stream: str | None
    job: str | None
    crawl_ts: datetime


class _Directory(NamedTuple):
    folder: str | None
    collection: str | None
    stream: str | None
    job: str | None
    launch: str | None


_NOWHERE = _Directory(None, None, None, None, None)


def classify(path: str, mtime: datetime) -> FileLayout:
    directory, _, name = path.rpartition("/")
    place = _directory(directory)
    archive = "warcs" if name.endswith(WARC_SUFFIXES) else (
        "arcs" if name.endswith(ARC_SUFFIXES) else None
    )
    if place.folder == "to-be-deleted":
        kind = "to-be-deleted"
    elif place.folder == "viral":
        kind = "viral"
    elif place.folder in ("warcs", "arcs"):
        if archive:
            kind = archive
        elif place.collection == "selective" and name.endswith(".warc.cdx"):
            kind = "cdx"  # the Web Curator Tool kept a CDX beside each WARC
        else:
            kind = "warcs-invalid"
    elif place.folder == "logs":
        kind = "crawl-logs" if name.startswith("crawl.log") else "logs"
    elif place.folder == "dlx":
        kind = "dlx"
    else:
        kind = archive or "unknown"
    crawl_ts = _crawl_time(name, place.launch, mtime)
    return FileLayout(kind, place.collection, place.stream, place.job, crawl_ts)


@lru_cache(maxsize=4096)
def _directory(directory: str) -> _Directory:
    """What a directory's path says; cached, as a store has many files per directory."""
    path = directory + "/"
    if _TO_BE_DELETED.search(path):
        return _Directory("to-be-deleted", None, None, None, None)
    if found := _WCT.search(path):
        folder = (found["folder"] or "").lower() or None
        return _Directory(folder, "selective", "selective", found["job"], None)
    if found := _NPLD_2013_DOMAIN.search(path):
        launch = found["launch"][:8]  # every domain crawler of a year ran as one launch
        return _Directory(found["folder"], "npld", "domain", f"dc{launch[:4]}", launch)
    if found := _NPLD_2013.search(path):
        return _Directory(found["folder"], "npld", "frequent", found["job"], found["launch"])
    if found := _NPLD_2018.search(path):
        job = found["job"]
        return _Directory(
            found["folder"],
            "bypm" if job == "frequent-bypm" else "npld",
            "domain" if job.startswith("dc") else "frequent",
            job,
            found["launch"],
        )
    if found := _DATA.search(path):
        return _Directory(*found.group("folder", "collection", "stream", "job", "launch"))
    return _NOWHERE


def _crawl_time(name: str, launch: str | None, mtime: datetime) -> datetime:
    """From the WARC's name, else its launch folder, else its modification time: a name with
    digits that are no date (hour 31) falls through instead of failing the listing."""
    stamps = _CRAWL_TIME_17.findall(name) or _CRAWL_TIME_14.findall(name)
    with suppress(ValueError):
        if stamps:
            return _stamp(stamps[-1])
    with suppress(ValueError):
        if launch:
            return _stamp(launch)
    return mtime


def _stamp(d: str) -> datetime:
    """yyyymmdd[hhmm[ss[SSS]]]; by hand, as strptime costs more than the rest of the listing."""
    return datetime(
        int(d[:4]), int(d[4:6]), int(d[6:8]), int(d[8:10] or 0), int(d[10:12] or 0),
        int(d[12:14] or 0), int(d[14:] or 0) * 1000, tzinfo=UTC,
    )

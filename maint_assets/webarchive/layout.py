"""What a file's path in a WARC store says: its kind, collection, stream, job and crawl time.

Two layouts are recognised, as the web archive's crawlers write them:
``heritrix/output/<job>/<launch yyyymmddhhmmss>/(warcs|viral|logs)/<file>`` and
``1_data/<collection>/<stream>/<job>/(warcs|viral|logs)/<file>``. A file in a ``warcs`` folder
that does not end in ``.warc.gz``/``.warc`` (``.warc.gz.open`` while Heritrix writes it) is an
invalid WARC and is never indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

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
    name = path.rsplit("/", 1)[-1]
    match = _HERITRIX.search(path) or _DATA.search(path)
    groups = match.groupdict() if match else {}
    folder = groups.get("folder")
    job = groups.get("job")
    collection = groups.get("collection")
    stream = groups.get("stream")
    if match and match.re is _HERITRIX:
        collection = "bypm" if job == "frequent-bypm" else "npld"
        stream = "domain" if job and job.startswith("dc") else "frequent"
    is_warc = name.endswith(WARC_SUFFIXES)
    if folder in ("warcs", "viral"):
        kind = "warcs" if is_warc else "warcs-invalid"
    elif folder == "logs":
        kind = "crawl-logs" if name.startswith("crawl.log") else "logs"
    else:
        kind = "warcs" if is_warc else "unknown"
    return FileLayout(kind, collection, stream, job, _crawl_time(name, groups.get("launch"), mtime))


def _crawl_time(name: str, launch: str | None, mtime: datetime) -> datetime:
    found = _WARC_TIME.search(name)
    if found:
        return datetime.strptime(found.group(1)[:14], "%Y%m%d%H%M%S").replace(
            microsecond=int(found.group(1)[14:]) * 1000, tzinfo=UTC
        )
    if launch:
        return datetime.strptime(launch, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return mtime

"""A file store as a Dagster resource, and the cursor logic of the sensors that watch one."""

import json
from collections.abc import Iterable, Iterator

import dagster as dg
from pydantic import Field

from maint_assets.core.file_stores import Backend, StoredFile, backend_for


class FileStore(dg.ConfigurableResource):
    """The files of one store: a directory or an S3 prefix."""

    url: str = Field(description="a directory, file:///dir or s3://bucket/prefix")
    endpoint_url: str = Field(default="", description="S3-compatible endpoint (MinIO, Ceph…)")
    region_name: str = Field(default="us-east-1")

    def backend(self) -> Backend:
        return backend_for(self.url, self.endpoint_url, self.region_name)

    def list(self) -> Iterator[StoredFile]:
        return self.backend().list()


def new_files(files: Iterable[StoredFile], cursor: str | None) -> tuple[list[StoredFile], str]:
    """The files newer than ``cursor`` (the newest modification time seen, with the paths that
    share it), and the cursor after them."""
    seen = json.loads(cursor) if cursor else {"mtime": "", "paths": []}
    known = set(seen["paths"])
    stamped = [(f.mtime.isoformat(timespec="microseconds"), f) for f in files]
    new = [
        (t, f)
        for t, f in stamped
        if t > seen["mtime"] or (t == seen["mtime"] and f.path not in known)
    ]
    if not new:
        return [], json.dumps(seen)
    newest = max(t for t, _ in new)
    at_newest = [f.path for t, f in new if t == newest]
    carried = seen["paths"] if newest == seen["mtime"] else []
    return [f for _, f in new], json.dumps({"mtime": newest, "paths": sorted(at_newest + carried)})

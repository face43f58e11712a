"""A file store as a Dagster resource."""

from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from maint_assets.core.file_stores import (
    Backend,
    Skipped,
    StoredFile,
    backend_for,
    store_identity,
)


class FileStore(dg.ConfigurableResource):
    """The files of one store: a directory or an S3 prefix."""

    url: str = Field(description="a directory, file:///dir or s3://bucket/prefix")
    endpoint_url: str = Field(default="", description="S3-compatible endpoint (MinIO, Ceph…)")
    region_name: str = Field(default="us-east-1")

    @property
    def identity(self) -> str:
        """The store's one spelling, whichever ``url`` names it: what records key on."""
        return store_identity(self.url)

    def backend(self) -> Backend:
        return backend_for(self.url, self.endpoint_url, self.region_name)

    def list(
        self, skipped: Skipped | None = None, recursive: bool = True
    ) -> Iterator[StoredFile]:
        return self.backend().list(skipped, recursive)


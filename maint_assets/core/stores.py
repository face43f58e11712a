"""A file store as a Dagster resource, and what its listings leave out, told to a run."""

import logging
from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from maint_assets.core.file_stores import backend_for, store_identity
from maint_assets.core.mounts import NOTHING_REMEMBERED, Remembered
from maint_assets.core.stored_files import Backend, Skipped, StoredFile

SHOWN = 50  # names in the metadata (the log has them all)
FEW_LINKS = 10  # symlinks named: usually a few folders, the same at every listing


class FileStore(dg.ConfigurableResource):
    """The files of one store: a directory, an S3 prefix or an HDFS folder (WebHDFS)."""

    url: str = Field(
        description="a directory, file:///dir, s3://bucket/prefix or webhdfs://namenode:port/path"
        " (the user WEBHDFS_USER names, as for pywb)"
    )
    endpoint_url: str = Field(default="", description="S3-compatible endpoint (MinIO, Ceph…)")
    region_name: str = Field(default="us-east-1")

    @property
    def identity(self) -> str:
        """The store's one spelling, whichever ``url`` names it: what records key on."""
        return store_identity(self.url)

    def backend(self, remembered: Remembered = NOTHING_REMEMBERED) -> Backend:
        """The store's backend; a local one knows the mount points its bookkeeping
        ``remembered`` mounted at earlier runs."""
        return backend_for(self.url, self.endpoint_url, self.region_name, remembered)

    def list(
        self, skipped: Skipped | None = None, recursive: bool = True
    ) -> Iterator[StoredFile]:
        return self.backend().list(skipped, recursive)


def report_skipped(log: logging.Logger, skipped: Skipped, kept: str) -> dict:
    """What a listing left out, all named in the run's (or sensor tick's) log, the first ones
    in the metadata returned; ``kept`` says what the reader makes of what lies under a folder
    not read."""
    if skipped.not_utf8:
        log.warning(
            f"{len(skipped.not_utf8)} file(s) not listed, their names are not UTF-8 (rename "
            "them to list them):\n" + "\n".join(skipped.not_utf8)
        )
    links = skipped.symlinks
    if links:
        log.warning(
            f"{len(links)} symlink(s) not followed: the files behind them are not listed (mount "
            "a disk under the store rather than link it), first ones:\n"
            + "\n".join(links[:FEW_LINKS])
        )
    if skipped.unreadable:
        log.warning(
            f"{len(skipped.unreadable)} folder(s) not listed, the listing user may not read "
            f"them ({kept}; fix their permissions to list them):\n"
            + "\n".join(skipped.unreadable)
        )
    gone_folders = [v for v in skipped.vanished if v.endswith("/")]
    if gone_folders:
        log.warning(
            f"{len(gone_folders)} folder(s) removed while the store was listed, not read this "
            f"time ({kept}; the next listing looks again):\n" + "\n".join(gone_folders)
        )
    gone_files = [v for v in skipped.vanished if not v.endswith("/")]
    if gone_files:
        log.info(
            f"{len(gone_files)} file(s) removed while the store was listed (not in this "
            "listing):\n" + "\n".join(gone_files)
        )
    return skipped_metadata(skipped)


def skipped_metadata(skipped: Skipped) -> dict:
    """What a listing left out, as metadata: counts, and the first names."""
    links = skipped.symlinks
    gone_folders = [v for v in skipped.vanished if v.endswith("/")]
    not_listed = (
        [f"- `{n}`: name not UTF-8" for n in skipped.not_utf8]
        + [f"- `{n}`: the listing user may not read it" for n in skipped.unreadable]
        + [f"- `{n}`: removed while the store was listed, not read this time"
           for n in gone_folders]
    )
    return {
        "symlinks_not_followed": len(links),
        "symlinks": dg.MetadataValue.md("\n".join(f"- `{n}`" for n in links[:FEW_LINKS]) or "none"),
        "files_not_listed": len(skipped.not_utf8),
        "folders_not_read": len(skipped.folders_not_read),
        "vanished_while_listed": len(skipped.vanished),
        "not_listed": dg.MetadataValue.md("\n".join(not_listed[:SHOWN]) or "none"),
    }

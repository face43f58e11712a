"""File stores: files listed and read the same way whatever holds them (WARCs, catalogue pages).

(No Dagster import at load time: indexing workers load this module.)

A store is addressed by URL: a local directory (``/data/warcs`` or ``file:///data/warcs``), an
S3 prefix (``s3://bucket/prefix``, any endpoint) or an HDFS folder over WebHDFS
(``webhdfs://namenode:9870/path``). Each store has one spelling, its identity
(``store_identity``), which records about its files are keyed on: ``/data/warcs/``,
``file:///data/warcs`` and ``/data/x/../warcs`` are all ``/data/warcs``. Each kind is a backend
class chosen by the URL's scheme; the assets use ``list``,
``local_copy``, ``stat`` (asking the store itself whether a file is gone), ``read_range`` and
``probe`` (whether this reader may read a file).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from maint_assets.core import mounts
from maint_assets.core.local_store import LocalBackend
from maint_assets.core.s3_store import S3Backend
from maint_assets.core.stored_files import Backend, StoreError
from maint_assets.core.webhdfs_store import SCHEMES, WebHdfsBackend, webhdfs_identity


def store_identity(url: str) -> str:
    """The one spelling of the store at ``url``: an absolute local path,
    ``s3://bucket[/prefix]``, or ``webhdfs://host:port[/path]``.

    Local paths are normalised lexically (trailing slashes, ``.`` and ``..`` segments, ``file:``
    URLs), not resolved: a store mounted through a symlink keeps the name it is configured
    under, and does not change identity when the link is pointed at another disk. (A ``..``
    after a symlink therefore names the link's parent, not its target's.)"""
    parsed = urlparse(url)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise StoreError(f"store URL {url!r} names a host: a file: URL is local")
        return os.path.normpath(unquote(parsed.path))
    if parsed.scheme == "":
        return os.path.abspath(url)  # normalised too; relative to the working directory
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise StoreError(f"store URL {url!r} names no bucket (s3://bucket/prefix)")
        # Keys are literal ('.' and '..' are names in S3): only the prefix's slashes go.
        prefix = parsed.path.strip("/")
        return f"s3://{parsed.netloc}/{prefix}" if prefix else f"s3://{parsed.netloc}"
    if parsed.scheme in SCHEMES:
        try:
            return webhdfs_identity(url)
        except ValueError as err:
            raise StoreError(str(err)) from None
    raise StoreError(
        f"unsupported store URL {url!r} (a directory, s3://bucket/prefix or "
        "webhdfs://namenode:port/path)"
    )


def backend_for(
    url: str, endpoint_url: str = "", region_name: str = "us-east-1",
    remembered: mounts.Remembered = mounts.NOTHING_REMEMBERED,
) -> Backend:
    """The store at ``url``; a local one knows the mount points ``remembered`` (an S3 or
    WebHDFS store has none)."""
    identity = store_identity(url)
    if identity.startswith("s3://"):
        bucket, _, prefix = identity.removeprefix("s3://").partition("/")
        return S3Backend(bucket, prefix, endpoint_url, region_name)
    if urlparse(identity).scheme in SCHEMES:
        return WebHdfsBackend(identity)
    return LocalBackend(Path(identity), remembered)

"""Where the web archive's CDX lines go."""

from typing import Literal

import dagster as dg
from pydantic import Field

from maint_assets.core.paths import STATE_DIR


class CdxSettings(dg.ConfigurableResource):
    """Where the CDX index goes: CDXJ files for pywb, or an OutbackCDX-compatible server."""

    output: Literal["cdxj", "outbackcdx"] = Field(default="cdxj")
    cdxj_dir: str = Field(
        default=str(STATE_DIR / "webarchive" / "collections"),
        description="pywb's collections root: <dir>/<collection>/indexes/*.cdxj",
    )
    default_collection: str = Field(default="default", description="for files of no collection")
    max_index_files: int = Field(
        default=16, ge=2, description="segment files per collection before the small are merged"
    )
    outbackcdx_url: str = Field(default="", description="e.g. http://cdx.example:8080")
    outbackcdx_collection: str = Field(default="data-heritrix")
    outbackcdx_batch_lines: int = Field(default=10_000, ge=1, description="CDX lines per POST")
    outbackcdx_ledger_dir: str = Field(
        default=str(STATE_DIR / "webarchive" / "outbackcdx-ledger"),
        description="a persistent directory keeping the lines posted, by segment: what the "
        "delete endpoint is given when a WARC's lines must go",
    )
    verify_sample: int = Field(
        default=32, ge=0,
        description="index lines checked after each run against the record they point to",
    )

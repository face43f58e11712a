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
    max_index_files: int = Field(default=16, description="CDXJ files per collection before merging")
    outbackcdx_url: str = Field(default="", description="e.g. http://cdx.example:8080")
    outbackcdx_collection: str = Field(default="data-heritrix")
    max_lines: int = Field(default=10_000, description="CDX lines per POST")

"""The web archive's resources: TrackDB's database, W3ACT's, the WARC store and where the CDX
lines go."""

from typing import Literal

import dagster as dg
from pydantic import Field

from maint_assets.core.paths import STATE_DIR
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.settings import optional_env
from maint_assets.core.stores import FileStore

DATABASE_URL_ENV = "WEBARCHIVE_DATABASE_URL"
W3ACT_DATABASE_URL_ENV = "W3ACT_DATABASE_URL"
SHINE_DATABASE_URL_ENV = "SHINE_DATABASE_URL"


class CdxSettings(dg.ConfigurableResource):
    """Where the CDX index goes: CDXJ files for pywb, or an OutbackCDX-compatible server."""

    output: Literal["", "cdxj", "outbackcdx"] = Field(
        default="", description="empty: OutbackCDX when outbackcdx_url is set, else CDXJ"
    )
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
    @property
    def target(self) -> Literal["cdxj", "outbackcdx"]:
        """Where the lines go: ``output``, or by default the server when one is configured."""
        if self.output:
            return self.output
        return "outbackcdx" if self.outbackcdx_url else "cdxj"

    verify_sample: int = Field(
        default=32, ge=0,
        description="index lines checked after each run against the record they point to",
    )


def resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "webarchive_db": PostgresResource(url=dg.EnvVar(DATABASE_URL_ENV)),
        "w3act_db": PostgresResource(url=dg.EnvVar(W3ACT_DATABASE_URL_ENV)),
        "shine_db": PostgresResource(url=dg.EnvVar(SHINE_DATABASE_URL_ENV)),
        "warc_store": FileStore(
            url=dg.EnvVar("WEBARCHIVE_STORE_URL"),
            endpoint_url=optional_env("WEBARCHIVE_STORE_ENDPOINT_URL", ""),
            region_name=optional_env("AWS_REGION", "us-east-1"),
        ),
        "cdx": CdxSettings(
            cdxj_dir=optional_env(
                "WEBARCHIVE_CDXJ_DIR", CdxSettings.model_fields["cdxj_dir"].default
            ),
            outbackcdx_url=optional_env("WEBARCHIVE_OUTBACKCDX_URL", ""),
            outbackcdx_collection=optional_env(
                "WEBARCHIVE_OUTBACKCDX_COLLECTION", "data-heritrix"
            ),
            outbackcdx_ledger_dir=optional_env(
                "WEBARCHIVE_OUTBACKCDX_LEDGER_DIR",
                CdxSettings.model_fields["outbackcdx_ledger_dir"].default,
            ),
        ),
    }

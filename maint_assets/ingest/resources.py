"""The ingest domain's resources: its database, and where the files are and which tables they
fill."""

from pathlib import Path

import dagster as dg
from pydantic import Field

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.settings import optional_env
from maint_assets.core.stores import FileStore
from maint_assets.ingest.tables import IngestSpec, SpecError, load_spec

DATABASE_URL_ENV = "INGEST_DATABASE_URL"


class IngestSettings(dg.ConfigurableResource):
    """Where the files are and which tables they fill."""

    tables_file: str
    source_url: str
    endpoint_url: str = ""
    switch_lock_attempts: int = Field(
        default=20,
        ge=1,
        description="how often the switch tries to take its locks, 0.25 s doubling to 10 s "
        "apart: 20 attempts give a long reader (a nightly dump) about 2.5 minutes; then it "
        "fails, changing nothing",
    )
    switch_lock_wait_ms: int = Field(
        default=50,
        ge=1,
        description="how long each attempt waits for one lock: readers that come after the "
        "switch's request queue behind it for about as long (a reader locking the tables in "
        "another order than the switch waits it out in full); a longer wait lets the switch "
        "through queries that take longer",
    )

    def spec(self) -> IngestSpec:
        try:
            return load_spec(Path(self.tables_file))
        except SpecError as err:
            raise dg.Failure(str(err)) from None

    def source(self) -> FileStore:
        return FileStore(url=self.source_url, endpoint_url=self.endpoint_url)


def resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "ingest_db": PostgresResource(url=dg.EnvVar(DATABASE_URL_ENV)),
        "ingest": IngestSettings(
            tables_file=dg.EnvVar("INGEST_TABLES_FILE"),
            source_url=dg.EnvVar("INGEST_SOURCE_URL"),
            endpoint_url=optional_env("INGEST_SOURCE_ENDPOINT_URL", ""),
        ),
    }

"""The ingest tests' production: the demo's portal at version 1."""

from pathlib import Path

import psycopg
import pytest

from maint_assets.demo.ingest_data import write_source
from maint_assets_tests.ingest.test_ingest import _ingest


@pytest.fixture
def portal(empty_db: str, tmp_path: Path) -> tuple[str, Path]:
    """Production at version 1 with the users' own table."""
    source = tmp_path / "source"
    write_source(source, version=1)
    assert _ingest(empty_db, source).success
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE portal.submissions (id serial PRIMARY KEY, author text, body text)"
        )
        conn.execute("INSERT INTO portal.submissions (author, body) VALUES ('ann', 'first')")
    return empty_db, source

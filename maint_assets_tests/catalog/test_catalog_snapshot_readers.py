"""A reader whose snapshot predates the load. The swap drops the live ``public.datasets`` and
renames the new table into its place: rows written by the load's transaction would be
invisible to a snapshot taken before it committed, so a REPEATABLE READ reader (a report's
export, a dashboard tool's consistent read) begun before the load would read the catalogue
empty once the load committed, as the atlas count rebuild's readers did (session 33). The
load's COPY writes its rows frozen (sql/catalog/datasets.sql), which every snapshot sees: such
a reader reads the new catalogue, never an empty one."""

from pathlib import Path

import dagster as dg
import psycopg

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import write_pages
from maint_assets_tests.catalog.test_catalog import _run

COUNT = "SELECT count(*) FROM public.datasets"


def _load(db: str, tmp_path: Path, datasets: int) -> dg.ExecuteInProcessResult:
    pages = tmp_path / f"pages_{datasets}"
    write_pages(pages, datasets=datasets, per_page=datasets)
    return _run(db, FileStore(url=str(pages)), ArtifactStore(directory=str(tmp_path / "art")))


def test_a_reader_whose_snapshot_predates_the_load_reads_the_new_rows(
    empty_db: str, tmp_path: Path
) -> None:
    assert _load(empty_db, tmp_path, 60).success
    with psycopg.connect(empty_db) as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM pg_class").fetchall()  # its snapshot, no lock
        assert _load(empty_db, tmp_path, 70).success
        assert reader.execute(COUNT).fetchone()[0] == 70
        reader.execute("ROLLBACK")


def test_a_reader_whose_snapshot_predates_the_load_reads_an_analysts_materialized_view(
    empty_db: str, tmp_path: Path
) -> None:
    """An analyst's materialized view on public.datasets is re-created over the new table in
    the load's transaction. CREATE MATERIALIZED VIEW ... WITH DATA writes its rows unfrozen:
    the reader read its total as NULL (trial of session 35). REFRESH writes them frozen."""
    assert _load(empty_db, tmp_path, 60).success
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute(
            "CREATE MATERIALIZED VIEW public.by_licence AS"
            " SELECT licence, count(*) AS n FROM public.datasets GROUP BY licence"
        )
    with psycopg.connect(empty_db) as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM pg_class").fetchall()  # its snapshot, no lock
        assert _load(empty_db, tmp_path, 70).success
        total = reader.execute("SELECT sum(n) FROM public.by_licence").fetchone()[0]
        reader.execute("ROLLBACK")
    assert total == 70, f"a reader begun before the load read the view's total as {total}"

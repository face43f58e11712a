"""The catalogue load under Metabase's readers, and readers whose snapshot
predates the load.

Metabase runs each question as a query on ``public.datasets``; a long one (a dashboard over
the whole catalogue, a CSV download of it) holds ACCESS SHARE on the table while it runs. The
load's swap drops the live table, which needs ACCESS EXCLUSIVE: while that request waits, every
later reader queues behind it (PostgreSQL grants locks in order), so every dashboard of the
catalogue hangs for as long as the long reader runs, up to the load's lock timeout (30 s by
default). The atlas count swap and the ingest switch take such locks with short waits
(core/lock_waits.py: 200 ms an attempt, spaced out); the catalogue's swap did not.
"""

import threading
import time
from pathlib import Path

import dagster as dg
import psycopg

from maint_assets.catalog.assets.datasets_clean import datasets_clean
from maint_assets.catalog.assets.public_datasets import public_datasets
from maint_assets.catalog.assets.raw_datasets import raw_datasets
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.demo.catalog_data import write_pages
from maint_assets_tests.catalog.test_catalog import _run
from maint_assets_tests.catalog.test_catalog_dump_edge_cases import _fifty_loaded, _shifted_dumps
from maint_assets_tests.catalog.test_catalog_real_dumps import _uri

CHAIN = [raw_datasets, datasets_clean, public_datasets]
COUNT = "SELECT count(*) FROM public.datasets"


def _load(db: str, tmp_path: Path, datasets: int, lock_timeout_s: float = 30.0):
    pages = tmp_path / f"pages_{datasets}"
    write_pages(pages, datasets=datasets, per_page=datasets)
    return dg.materialize(
        CHAIN,
        resources={
            "catalog_db": PostgresResource(url=db, lock_timeout_s=lock_timeout_s),
            "catalog_pages": FileStore(url=str(pages)),
            "artifacts": ArtifactStore(directory=str(tmp_path / "art")),
        },
        raise_on_error=False,
    )


def test_a_long_metabase_question_does_not_hang_every_other_reader_during_the_swap(
    empty_db: str, tmp_path: Path
) -> None:
    assert _load(empty_db, tmp_path, 60).success
    long_reader_s = 6.0
    waits: list[float] = []
    stop = threading.Event()
    started = threading.Event()

    def long_question() -> None:
        # A question still running over the catalogue when the load swaps (pg_sleep stands
        # for its work; Metabase's PostgreSQL driver holds the table's lock the same way).
        with psycopg.connect(empty_db, autocommit=True) as conn:
            started.set()
            conn.execute(
                f"SELECT count(*), pg_sleep({long_reader_s}) FROM public.datasets"
            ).fetchall()

    def dashboards() -> None:
        # The other dashboards: short questions, one after the other, each timed.
        with psycopg.connect(empty_db, autocommit=True) as conn:
            while not stop.is_set():
                t = time.monotonic()
                conn.execute(COUNT).fetchone()
                waits.append(time.monotonic() - t)
                time.sleep(0.02)

    longq = threading.Thread(target=long_question)
    longq.start()
    started.wait(5)
    time.sleep(0.5)
    readers = threading.Thread(target=dashboards)
    readers.start()
    result = _load(empty_db, tmp_path, 70)
    longq.join()
    stop.set()
    readers.join()
    assert result.success
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(COUNT).fetchone()[0] == 70
    # The rule of the project's other swaps: no reader waits much longer than an attempt's
    # 200 ms lock timeout behind the load.
    assert max(waits) < 1.5, (
        f"a dashboard's question waited {max(waits):.1f} s behind the catalogue's swap "
        f"(the long question ran {long_reader_s:g} s)"
    )


def test_a_question_longer_than_the_lock_timeout_does_not_fail_the_load_as_bad_data(
    empty_db: str, tmp_path: Path
) -> None:
    """DESIGN 6: a lock timeout is transient: retried, never a failure of the load with the
    raw driver error, and readers are not held for the whole timeout meanwhile."""
    assert _load(empty_db, tmp_path, 60).success
    started = threading.Event()

    def long_question() -> None:
        with psycopg.connect(empty_db, autocommit=True) as conn:
            started.set()
            conn.execute("SELECT count(*), pg_sleep(4) FROM public.datasets").fetchall()

    longq = threading.Thread(target=long_question)
    longq.start()
    started.wait(5)
    time.sleep(0.5)
    # A load whose lock timeout (2 s) is shorter than the question (4 s).
    result = _load(empty_db, tmp_path, 70, lock_timeout_s=2)
    longq.join()
    errors = [
        e.event_specific_data.error.to_string()
        for e in result.all_events if e.event_type_value == "STEP_FAILURE"
    ]
    assert result.success, errors
    with psycopg.connect(empty_db) as conn:
        assert conn.execute(COUNT).fetchone()[0] == 70


def test_a_reader_whose_snapshot_predates_a_shifted_load_reads_the_datasets_it_kept(
    empty_db: str, tmp_path: Path
) -> None:
    """sql/catalog/datasets.sql writes the load's rows frozen so that a REPEATABLE READ reader
    begun before the load (a report's consistent export) reads the new catalogue whole. The
    datasets a shifted dump lacked are then copied over from the live table by an INSERT
    (keep_absent), whose rows are not frozen: such a reader reads the new table without them,
    a catalogue that never existed (the dataset is neither in the old nor in the new one)."""
    pages, store, artifacts, order = _fifty_loaded(empty_db, tmp_path)
    served = [u for u in order if u != "005"]
    with psycopg.connect(empty_db) as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        reader.execute("SELECT count(*) FROM pg_class").fetchall()  # its snapshot, no lock
        for _ in _shifted_dumps(pages, ["2023-11-27"], served):
            assert _run(empty_db, store, artifacts).success
        with psycopg.connect(empty_db) as now:
            assert now.execute(COUNT).fetchone()[0] == 50  # 005 kept
        seen = reader.execute(
            "SELECT count(*), bool_or(uri = %s) FROM public.datasets", [_uri("005")]
        ).fetchone()
        reader.execute("ROLLBACK")
    assert seen == (50, True), f"a reader begun before the load read {seen[0]} datasets"


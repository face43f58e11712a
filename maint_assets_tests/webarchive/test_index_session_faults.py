"""The index's database session ended by the server mid-run (a restart, a failover,
pg_terminate_backend)."""

from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.demo.webarchive_data import write_store
from maint_assets.webarchive import cdx_run
from maint_assets.webarchive.assets import cdx_index, trackdb
from maint_assets_tests.webarchive.test_store_listing import (
    CDX,
    FAST,
    _index,
    _lines,
    _logs,
    _metadata,
    _resources,
    _rows,
)

WARCS = 4


def _terminate_maint_sessions(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return len(conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND pid <> pg_backend_pid() AND application_name = "
            "'maint_assets'").fetchall())


def test_the_index_session_ended_mid_run_is_retried_and_marks_nothing_bad(
    empty_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server ends the index's session (a restart, a failover, pg_terminate_backend) after
    the workers indexed the batch and before it is recorded. Expected: a transient failure
    (RetryRequested, "nothing marked bad", as for a store error or DatabaseUnavailable),
    nothing quarantined; the next run indexes every file once."""
    root = tmp_path / "store"
    write_store(root, warcs=WARCS, records=10)
    res = _resources(empty_db, str(root), tmp_path)
    real = cdx_run.index_all
    ended = []

    def index_then_cut(tasks, workers):
        results = real(tasks, workers)
        ended.append(_terminate_maint_sessions(empty_db))
        return results

    with dg.instance_for_test() as instance:
        assert dg.materialize([trackdb.trackdb_files], resources=res, instance=instance).success
        monkeypatch.setattr(cdx_run, "index_all", index_then_cut)
        cut = dg.materialize(
            [cdx_index.cdx_index], resources=res, raise_on_error=False, instance=instance,
            run_config={"ops": {"webarchive__index__cdx_index": {"config": FAST}}},
        )
        assert ended and ended[0] >= 1 and not cut.success
        rows = _rows(empty_db)
        assert not [p for p, r in rows.items() if r[4] is not None and "warcs/" in p], rows
        logs = " | ".join(m for m in _logs(instance, cut) if m)
        monkeypatch.setattr(cdx_run, "index_all", real)
        again = _index(res, instance)
    assert again.success
    assert _metadata(again)[CDX]["warcs_indexed"] == WARCS
    assert len(_lines(tmp_path)) == len(set(_lines(tmp_path))) == WARCS * 10
    # it failed on psycopg's OperationalError, not retried, and its log said "quarantined"
    # of files whose quarantine was never recorded
    assert "transient failure, nothing marked bad" in logs, logs[-2000:]
    assert "quarantined heritrix" not in logs, logs[-2000:]

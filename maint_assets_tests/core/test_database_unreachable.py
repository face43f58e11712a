"""A database not reached when a step starts (a restart, a failover, a network cut) is a
transient failure: Dagster runs the step again, and it fails, naming the database, only when
the database stays away."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from psycopg import conninfo

from maint_assets.core.database_unavailable import DatabaseUnavailable
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.stores import FileStore
from maint_assets.demo.webarchive_data import write_store
from maint_assets.vn_sync import bookkeeping
from maint_assets.webarchive.assets import trackdb
from maint_assets_tests.copy_killer import copy_ended_once
from maint_assets_tests.cutting_proxy import CuttingProxy
from maint_assets_tests.ports import free_port

pytestmark = pytest.mark.servers


@pytest.fixture
def moved(empty_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``empty_db`` at another port, where nothing listens yet (the password file gives the
    same password there)."""
    port = free_port()
    lines = Path(os.environ["PGPASSFILE"]).read_text().strip().splitlines()
    copy = tmp_path / "pgpass"
    copy.write_text("\n".join([*lines, ":".join(["127.0.0.1", str(port),
                                                  *lines[0].split(":")[2:]])]) + "\n")
    copy.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(copy))
    yield conninfo.make_conninfo(empty_db, host="127.0.0.1", port=str(port))


def _listing(db: PostgresResource, store: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [trackdb.trackdb_files], raise_on_error=False,
        resources={"webarchive_db": db, "warc_store": FileStore(url=str(store))},
    )


@pytest.mark.parametrize("ops", ["step_connection", "maintenance_step"])
def test_a_step_asks_to_run_again_when_its_database_is_not_reached(ops: str) -> None:
    db = PostgresResource(url=f"postgresql://maint@127.0.0.1:{free_port()}/atlas",
                          connection_retries=5, connection_retry_wait_s=2)
    opened = db.step_connection() if ops == "step_connection" else db.maintenance_step("x")
    with pytest.raises(dg.RetryRequested) as raised, opened:
        pass
    assert (raised.value.max_retries, raised.value.seconds_to_wait) == (5, 2)
    assert isinstance(raised.value.__cause__, DatabaseUnavailable)
    assert "cannot connect to database 'atlas'" in str(raised.value.__cause__)


def test_the_visionature_steps_first_connection_asks_to_run_again_the_cli_says_why() -> None:
    db = PostgresResource(url=f"postgresql://maint@127.0.0.1:{free_port()}/vn")
    with pytest.raises(dg.RetryRequested):
        bookkeeping.prepare(db, ["src_vn"])
    with pytest.raises(DatabaseUnavailable, match="cannot connect to database 'vn'"):
        bookkeeping.prepare(db, ["src_vn"], in_op=False)


def test_a_listing_started_while_the_database_is_down_runs_once_it_is_back(
    empty_db: str, moved: str, tmp_path: Path
) -> None:
    write_store(tmp_path / "store", warcs=2, records=2)
    upstream, port = conninfo.conninfo_to_dict(empty_db), conninfo.conninfo_to_dict(moved)["port"]
    db = PostgresResource(url=moved, connection_retry_wait_s=1)
    with ExitStack() as stack:
        # The database comes back at its address a moment after the step failed to reach it.
        back = threading.Timer(1.5, lambda: stack.enter_context(
            CuttingProxy(upstream["host"], int(upstream["port"]), 1 << 40, int(port))))
        back.start()
        result = _listing(db, tmp_path / "store")
        back.join()
    assert result.success, result.get_step_failure_events()
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT count(*) FROM webarchive.trackdb_files").fetchone()[0] > 0


def test_a_database_that_stays_away_fails_the_step_naming_it(
    moved: str, tmp_path: Path
) -> None:
    write_store(tmp_path / "store", warcs=1, records=1)
    db = PostgresResource(url=moved, connection_retries=1,
                          connection_retry_wait_s=0.1)
    result = _listing(db, tmp_path / "store")
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error
    assert "cannot connect to database" in failure.to_string()
    assert sum(e.event_type_value == "STEP_RESTARTED" for e in result.all_events) == 1


def test_a_listing_whose_connection_the_server_ends_runs_again(
    empty_db: str, tmp_path: Path
) -> None:
    """The server ends the listing's session during its COPY (a restart, a failover): its
    transaction rolled back, the step runs again and records the store. Before, the hourly
    listing failed, and the index waited for the next hour's."""
    write_store(tmp_path / "store", warcs=2, records=2)
    logs = tmp_path / "store" / "logs"  # enough files for the listing's COPY to be seen
    logs.mkdir(exist_ok=True)
    for i in range(20_000):
        (logs / f"crawl-{i}.log").touch()
    db = PostgresResource(url=empty_db, connection_retry_wait_s=0.5)
    with psycopg.connect(empty_db, autocommit=True) as conn:  # the bookkeeping, ahead
        apply_schema(conn, "webarchive", bookkeeping_only=True)
    with copy_ended_once(empty_db) as killed:
        result = _listing(db, tmp_path / "store")
    assert killed, "the COPY was never seen"
    assert result.success, result.get_step_failure_events()
    assert any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT count(*) FROM webarchive.trackdb_files").fetchone()[0] > 0


@pytest.mark.parametrize("refusal", ["password", "database", "no_password"])
def test_a_step_the_server_refuses_fails_at_once_naming_why(
    empty_db: str, tmp_path: Path, refusal: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A password the server rejects, or a database it does not have, is met again by every
    retry: the step fails at once (it waited connection_retries times connection_retry_wait_s,
    90 s by default, before failing), naming the database and the server's reason, never the
    password."""
    secret = "not-the-password-3f9c"
    url = (conninfo.make_conninfo(empty_db, password=secret) if refusal == "password"
           else conninfo.make_conninfo(empty_db, dbname="no_such_db_3f9c"))
    if refusal == "no_password":  # no password configured anywhere: libpq's own refusal
        (tmp_path / "pgpass").write_text("")
        (tmp_path / "pgpass").chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
        monkeypatch.delenv("PGPASSWORD", raising=False)
        url = conninfo.make_conninfo(empty_db, password="")
    db = PostgresResource(url=url, connection_retries=2, connection_retry_wait_s=30)
    for opened in (db.step_connection(), db.maintenance_step("x")):
        with pytest.raises(DatabaseUnavailable) as raised, opened:
            pass
        assert raised.value.refused
        assert {"password": "password authentication failed",
                "database": 'database "no_such_db_3f9c" does not exist',
                "no_password": "no password supplied"}[refusal] in str(raised.value)
        assert secret not in str(raised.value)
    write_store(tmp_path / "store", warcs=1, records=1)
    result = _listing(db, tmp_path / "store")
    assert not result.success
    assert not [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]

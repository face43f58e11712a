"""Bad input and faults: every failure fails the run, names what is wrong, and leaves the
previous data in place."""

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import psycopg
import pytest

from maint_assets.atlas.assets import taxonomy
from maint_assets.atlas.assets.counts import OBS_REGION_COUNTS, WEB_REGIONS
from maint_assets.atlas.counts import tables as count_tables
from maint_assets.atlas.keys import API_TAXA, TAXA_OBS_GROUP_LOOKUP
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.core import refresh
from maint_assets.core.postgres import APPLICATION_NAME, LOCK_NAMESPACE, PostgresResource
from maint_assets_tests.atlas.helpers import (
    FULL_COUNTS,
    differences,
    materialize,
    metadata,
    rows,
)

SNAPSHOT = (
    "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM atlas_api.obs_region_counts t"
)
TAXA_SNAPSHOT = "SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) FROM api.taxa t"


def _failure_message(result: dg.ExecuteInProcessResult) -> str:
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures, "the run should have failed"
    return "\n".join(e.event_specific_data.error.to_string() for e in failures)


def test_a_missing_source_table_fails_naming_it_and_keeps_the_previous_counts(resources, atlas_url):
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    before = rows(atlas_url, SNAPSHOT)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE public.regions RENAME TO regions_misplaced")
    result = materialize(resources, selection=[OBS_REGION_COUNTS], raise_on_error=False)
    assert not result.success
    assert 'relation "public.regions" does not exist' in _failure_message(result)
    assert rows(atlas_url, SNAPSHOT) == before
    leftovers = "SELECT count(*) FROM pg_tables WHERE schemaname = 'maint_assets_build'"
    assert rows(atlas_url, leftovers) == [(0,)]


def test_a_failing_swap_rolls_back_and_keeps_the_previous_table(resources, atlas_url):
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    before = rows(atlas_url, SNAPSHOT)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,"
            " obs_value, id_taxa_obs) SELECT id_datasets, geom, year_obs, id_variables,"
            " obs_value, id_taxa_obs FROM public.observations LIMIT 50"
        )
        # a function returning the count table's rows makes DROP fail at the very end of
        # the refresh (a view on it is re-created over the new table)
        conn.execute(
            "CREATE FUNCTION public.counts_report() RETURNS SETOF atlas_api.obs_region_counts"
            " LANGUAGE sql AS 'SELECT * FROM atlas_api.obs_region_counts'"
        )
    result = materialize(
        resources, selection=[OBS_REGION_COUNTS], run_config=FULL_COUNTS, raise_on_error=False
    )
    assert "counts_report" in _failure_message(result)
    assert rows(atlas_url, SNAPSHOT) == before


def test_a_locked_source_times_out_instead_of_queueing_forever(atlas_url):
    db = PostgresResource(url=atlas_url, lock_timeout_s=1, exclusive_lock_attempts=2)
    resources = {"atlas_db": db, "taxonomy": ChecklistResolver()}
    with psycopg.connect(atlas_url) as blocker:
        pid = blocker.execute("SELECT pg_backend_pid()").fetchone()[0]
        blocker.execute("LOCK TABLE public.regions IN ACCESS EXCLUSIVE MODE")
        result = materialize(resources, selection=[WEB_REGIONS], raise_on_error=False)
    # unpopulated, so refreshed plainly: its lock is taken with short waits, and what holds
    # it up is named
    message = _failure_message(result)
    assert "atlas_api.web_regions not refreshed" in message, message
    assert f"public.regions (held by pid {pid}" in message, message
    assert rows(
        atlas_url, "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'web_regions'"
    ) == [(False,)]


def test_a_second_session_cannot_refresh_the_same_asset_at_once(atlas_url):
    # The step waits lock_timeout_s for the advisory lock, then is run again as long after,
    # LOCK_RETRIES times: 0.1 s gives up after ~2 s where 1 s took ~22 s, for the same failure.
    waiting = PostgresResource(url=atlas_url, lock_timeout_s=0.1)
    lock = LOCK_NAMESPACE + WEB_REGIONS.to_user_string()
    with psycopg.connect(atlas_url, autocommit=True) as operator:
        operator.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [lock])
        result = materialize({"atlas_db": waiting, "taxonomy": ChecklistResolver()},
                             selection=[WEB_REGIONS], raise_on_error=False)
    message = _failure_message(result)
    assert "atlas/atlas_api/web_regions is being maintained by another session" in message
    assert sum(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events) >= 1
    # once the operator is done, the refresh goes through
    db = PostgresResource(url=atlas_url, lock_timeout_s=1)
    assert materialize({"atlas_db": db, "taxonomy": ChecklistResolver()},
                       selection=[WEB_REGIONS]).success


def test_an_unreachable_database_is_named_without_its_password():
    # Tried twice (a server restarting is waited for): the message of the last try is kept.
    db = PostgresResource(url="postgresql://maint:s3cret-pw@127.0.0.1:9/atlas",
                          connection_retries=1, connection_retry_wait_s=0)
    result = materialize(
        {"atlas_db": db, "taxonomy": ChecklistResolver()},
        selection=[WEB_REGIONS],
        raise_on_error=False,
    )
    message = _failure_message(result)
    assert "cannot connect to database 'atlas' at 127.0.0.1:9" in message
    assert "Connection refused" in message  # libpq's reason, not only its advice
    assert "s3cret-pw" not in message
    assert any(e.event_type_value == "STEP_UP_FOR_RETRY" for e in result.all_events)
    assert not any("s3cret-pw" in repr(e) for e in result.all_events)


# A refresh holding its advisory lock, in a process of its own.
_REFRESH = """
import sys
from maint_assets.core.postgres import PostgresResource
with PostgresResource(url=sys.argv[1]).locked_transaction("test/orphaned") as conn:
    print("locked", flush=True)
    conn.execute("SELECT pg_sleep(120)")
"""


def test_a_killed_refresh_releases_its_advisory_lock_within_seconds(atlas_url):
    """kill -9 of the run's process while its statement runs: the server session checks every
    client_check_interval_s (1 s) that its client is there, ends, and frees the lock."""
    refresh = subprocess.Popen(
        [sys.executable, "-c", _REFRESH, atlas_url], stdout=subprocess.PIPE, text=True
    )
    assert refresh.stdout.readline().strip() == "locked"
    time.sleep(0.5)  # inside pg_sleep
    refresh.kill()
    refresh.wait()
    killed = time.monotonic()
    lock = LOCK_NAMESPACE + "test/orphaned"
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        while not conn.execute(
            "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [lock]
        ).fetchone()[0]:
            assert time.monotonic() - killed < 5, "the orphaned session still holds the lock"
            time.sleep(0.1)


@pytest.mark.parametrize(
    ("asset", "lock_name"),
    [
        (OBS_REGION_COUNTS, count_tables.LOCK),  # its own maintenance step
        # a materialized view refreshed by the shared factory (core/sql_assets.py), as every
        # other domain's locked step is
        (TAXA_OBS_GROUP_LOOKUP, TAXA_OBS_GROUP_LOOKUP.to_user_string()),
    ],
)
def test_a_refresh_waits_out_a_maintenance_lock_held_by_another_run(
    resources, atlas_url, asset, lock_name
):
    """Another run (automation's first build, a weekly job) holds the asset's lock for
    longer than the lock timeout: the step is retried by Dagster, not failed."""
    # 0.3 s: each wait and each retry's delay (a busy worker's poll of pg_locks below still sees
    # a wait: the step retries LOCK_RETRIES times)
    patient = {**resources, "atlas_db": PostgresResource(url=atlas_url, lock_timeout_s=0.3)}
    lock = LOCK_NAMESPACE + lock_name
    with psycopg.connect(atlas_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [lock])
        releaser = threading.Thread(target=_release_after_one_wait, args=(holder,))
        releaser.start()
        result = materialize(patient, selection=[asset], raise_on_error=False)
        releaser.join()
    assert result.success, _failure_message(result)
    retried = dg.DagsterEventType.STEP_UP_FOR_RETRY
    assert any(e.event_type == retried for e in result.all_events), "the step was not retried"


def _release_after_one_wait(holder: psycopg.Connection) -> None:
    """Releases the holder's locks once a session has waited for one and given up (its lock
    timeout): the step has then failed an attempt, whatever the machine's load (a fixed delay
    could run out before a slow run's step first asked for the lock)."""
    waiting = """SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""
    seen, deadline = False, time.monotonic() + 120
    while time.monotonic() < deadline:
        if holder.execute(waiting).fetchone()[0]:
            seen = True
        elif seen:
            break
        time.sleep(0.05)
    holder.execute("SELECT pg_advisory_unlock_all()")


def test_a_view_refresh_cut_by_the_statement_timeout_keeps_the_previous_rows(resources, atlas_url):
    assert materialize(resources, selection=[WEB_REGIONS]).success
    before = rows(
        atlas_url, "SELECT md5(string_agg(fid::text, ',' ORDER BY fid)) FROM atlas_api.web_regions"
    )
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("DELETE FROM public.regions WHERE type = 'protected'")
    hurried = {**resources, "atlas_db": PostgresResource(url=atlas_url, statement_timeout_s=0.05)}
    result = materialize(hurried, selection=[WEB_REGIONS], raise_on_error=False)
    assert "statement timeout" in _failure_message(result)
    assert (
        rows(
            atlas_url,
            "SELECT md5(string_agg(fid::text, ',' ORDER BY fid)) FROM atlas_api.web_regions",
        )
        == before
    )
    # the next refresh, with time enough, is concurrent and drops exactly the deleted regions
    result = materialize(resources, selection=[WEB_REGIONS])
    meta = {
        k: v.value
        for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()
    }
    assert meta["refresh_mode"] == "concurrently"
    assert (meta["rows_added"], meta["rows_removed"]) == (0, 150)


def test_a_zoom_level_listed_twice_fails_the_outlines_naming_it(resources, atlas_url):
    """The zoom lookup has no key in production; a level in it twice made the refresh fail on
    the view's unique index, naming one region, not the cause (found by a trial)."""
    assert materialize(resources, selection=[WEB_REGIONS]).success
    outlines = "SELECT md5(string_agg(fid::text, ',' ORDER BY fid)) FROM atlas_api.web_regions"
    before = rows(atlas_url, outlines)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("""INSERT INTO atlas_api.regions_zoom_lookup
                        SELECT * FROM atlas_api.regions_zoom_lookup
                        WHERE type = 'hex' AND scale = 250""")
        conn.execute("DELETE FROM public.regions WHERE type = 'protected'")
    result = materialize(resources, selection=[WEB_REGIONS], raise_on_error=False)
    message = _failure_message(result)
    assert "regions_zoom_lookup holds a (type, scale) level more than once" in message
    assert "hex 250 (2 rows, zooms [4, 4])" in message
    assert rows(atlas_url, outlines) == before
    assert sum(1 for e in result.all_events if e.event_type_value == "STEP_RESTARTED") == 0


def test_a_rebuild_keeps_the_grants_readers_rely_on(resources, atlas_url):
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "DO $$ BEGIN CREATE ROLE web_anon NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("GRANT SELECT ON atlas_api.obs_region_counts TO web_anon, PUBLIC")
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    grants = rows(
        atlas_url,
        """SELECT grantee, privilege_type FROM information_schema.role_table_grants
           WHERE table_name = 'obs_region_counts' AND grantee <> current_user ORDER BY 1""",
    )
    assert grants == [("PUBLIC", "SELECT"), ("web_anon", "SELECT")]


@contextmanager
def _reading(
    url: str, query: str, waits: list[float] | None = None
) -> Iterator[list[int]]:
    """Runs ``query`` in a loop in another session for the duration of the block and yields
    what it read so far; each read's duration is appended to ``waits``. A failing read ends
    the loop and is raised when the block ends: a thread's own exception would otherwise only
    be printed, and the test would pass."""
    seen: list[int] = []
    failed: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                while not stop.is_set():
                    started = time.monotonic()
                    seen.append(conn.execute(query).fetchone()[0])
                    if waits is not None:
                        waits.append(time.monotonic() - started)
                    time.sleep(0.005)
        except BaseException as err:  # handed to the test's thread below
            failed.append(err)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        yield seen
    finally:
        stop.set()
        reader.join()
    if failed:
        raise failed[0]


def test_a_failing_reader_fails_the_test(atlas_url):
    with pytest.raises(psycopg.errors.UndefinedTable), _reading(
        atlas_url, "SELECT count(*) FROM atlas_api.no_such_table"
    ):
        time.sleep(0.5)


def test_concurrent_readers_see_the_old_counts_until_the_swap_commits(resources, atlas_url):
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    with _reading(atlas_url, "SELECT count(*) FROM atlas_api.obs_region_counts") as seen:
        assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    assert seen and min(seen) > 0


def _inflate_api_taxa(url: str, n: int) -> None:
    """``n`` more rows in api.taxa: synthetic names (this test's own invention) linked to one
    existing reference record, so its refresh and the row-hash diff take measurable time."""
    with psycopg.connect(url, autocommit=True) as conn:
        ref, valid = conn.execute(
            "SELECT id_taxa_ref, id_taxa_ref_valid FROM public.taxa_obs_ref_lookup "
            "WHERE match_type = 'exact' LIMIT 1"
        ).fetchone()
        conn.execute(
            "WITH new AS (INSERT INTO public.taxa_obs (scientific_name, authorship, rank) "
            "SELECT 'Synthetica test ' || g, 'Test, 2024', 'species' "
            "FROM generate_series(1, %s) g RETURNING id) "
            "INSERT INTO public.taxa_obs_ref_lookup (id_taxa_obs, id_taxa_ref, "
            "id_taxa_ref_valid, match_type, is_parent) "
            "SELECT id, %s, %s, 'exact', false FROM new",
            [n, ref, valid],
        )
        conn.execute("ANALYZE")


@contextmanager
def _watching_the_refresh(url: str, view: str) -> Iterator[dict[str, float]]:
    """For the duration of the block, polls the server for the maintenance session's REFRESH
    of ``view``: how long the statement ran (``refresh_s``, from its query_start, by the
    server's clock) and how long the session held ACCESS EXCLUSIVE on the view (``held_s``)."""
    seen = {"refresh_s": 0.0, "held_s": 0.0}
    stop = threading.Event()

    def watch() -> None:
        first_held = None
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.is_set():
                for now, state, query, running, held in conn.execute(
                    """SELECT extract(epoch FROM clock_timestamp()), a.state, a.query,
                              extract(epoch FROM clock_timestamp() - a.query_start),
                              EXISTS (SELECT 1 FROM pg_locks l
                                      WHERE l.pid = a.pid AND l.granted
                                        AND l.relation = %s::regclass
                                        AND l.mode = 'AccessExclusiveLock')
                       FROM pg_stat_activity a
                       WHERE a.application_name = 'maint_assets'""",
                    [view],
                ):
                    if state == "active" and query.startswith("REFRESH MATERIALIZED VIEW"):
                        seen["refresh_s"] = max(seen["refresh_s"], float(running))
                    if held:
                        first_held = float(now) if first_held is None else first_held
                        seen["held_s"] = float(now) - first_held
                time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield seen
    finally:
        stop.set()
        watcher.join()


def test_a_plain_refresh_holds_readers_no_longer_than_the_refresh_itself(resources, atlas_url):
    """api.taxa has no unique index: its refresh is plain and takes ACCESS EXCLUSIVE. The
    row count and the row-hash diff ran under that lock too, so readers waited for them as
    well (a trial: the REFRESH took 12 s in production, a reader waited 23 s). Both times are
    measured during the same run, so the comparison holds on a loaded machine."""
    assert materialize(resources, selection=taxonomy.ASSETS).success
    _inflate_api_taxa(atlas_url, 60_000)
    assert materialize(resources, selection=[API_TAXA]).success  # populated: a diff follows
    query = "SELECT count(*) FROM (SELECT 1 FROM api.taxa LIMIT 1) x"
    with _watching_the_refresh(atlas_url, "api.taxa") as seen:
        waits: list[float] = []
        with _reading(atlas_url, query, waits):
            result = materialize(resources, selection=[API_TAXA])
    meta = metadata(result, API_TAXA)
    assert meta["refresh_mode"] == "plain"
    assert (meta["rows_added"], meta["rows_removed"]) == (0, 0)
    refresh_s = seen["refresh_s"]
    assert refresh_s > 0.1, seen  # the watcher saw the statement
    allowed = refresh_s * 1.2 + 0.15
    assert seen["held_s"] <= allowed, f"lock held {seen['held_s']:.2f}s, REFRESH {refresh_s:.2f}s"
    assert max(waits) <= allowed, f"a reader waited {max(waits):.2f}s, REFRESH {refresh_s:.2f}s"


def test_a_plain_refresh_behind_a_long_reader_queues_no_reader_and_names_it(
    resources, atlas_url
):
    """A long reader of api.taxa (an export, a transaction left open) is there when the
    refresh starts: its waiting ACCESS EXCLUSIVE request queued every new reader behind it
    for the whole lock timeout, then failed with a bare lock timeout naming nothing (a
    trial). It now waits briefly at a time, as the ingest switch does, and retries."""
    assert materialize(resources, selection=taxonomy.ASSETS).success
    query = "SELECT count(*) FROM api.taxa"
    with psycopg.connect(atlas_url, application_name="long export") as long_reader:
        long_reader.execute(query)  # its transaction stays open
        threading.Timer(3.0, long_reader.rollback).start()
        waits: list[float] = []
        started = time.monotonic()
        with _watching_the_refresh(atlas_url, "api.taxa") as seen, _reading(
            atlas_url, query, waits
        ):
            result = materialize(resources, selection=[API_TAXA])
        elapsed = time.monotonic() - started
    assert elapsed > 2.5  # it waited for the long reader, the others did not
    # Readers wait for the REFRESH itself (its lock held, measured by the server), not for
    # the long reader.
    allowed = seen["held_s"] * 1.2 + 0.5
    assert len(waits) > 20 and max(waits) < allowed, (max(waits), len(waits), seen, elapsed)
    assert metadata(result, API_TAXA)["refresh_mode"] == "plain"
    before = rows(atlas_url, TAXA_SNAPSHOT)

    # A reader that never lets go: the refresh gives up, naming the view and who holds it.
    patient = {**resources, "atlas_db": PostgresResource(url=atlas_url, lock_timeout_s=5,
                                                          exclusive_lock_attempts=3)}
    with psycopg.connect(atlas_url, application_name="long export") as long_reader:
        pid = long_reader.execute("SELECT pg_backend_pid()").fetchone()[0]
        long_reader.execute(query)
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("DELETE FROM public.taxa_obs_ref_lookup WHERE id_taxa_obs IN "
                         "(SELECT id_taxa_obs FROM api.taxa ORDER BY 1 LIMIT 5)")
        waits = []
        with _reading(atlas_url, query, waits):
            failed = materialize(patient, selection=[API_TAXA], raise_on_error=False)
    message = _failure_message(failed)
    assert "api.taxa not refreshed" in message, message
    assert f"pid {pid}" in message and "long export" in message, message
    assert "keeps its previous rows" in message, message
    assert "lock timeout" not in message.splitlines()[0], message
    # at most the short lock timeout behind each attempt, with a loaded machine's slack
    # (before, the resource's whole lock timeout: 5 s here)
    assert max(waits) < 1.5, max(waits)
    after = rows(atlas_url, TAXA_SNAPSHOT)
    assert after == before


def test_a_count_that_fails_after_the_refresh_committed_records_the_refresh(
    resources, atlas_url, monkeypatch
):
    """The REFRESH commits before the view's rows are counted and diffed: a failure there (a
    DBA refreshing the view by hand right after it, holding its lock past the lock timeout)
    failed the run though the view was refreshed, and a retry refreshed it again. The DBA's
    refresh is this test's invention; it starts in another session when the count starts."""
    assert materialize(resources, selection=taxonomy.ASSETS).success
    before = rows(atlas_url, "SELECT count(*) FROM api.taxa")[0][0]
    assert before > 1
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.taxa_obs_ref_lookup WHERE id_taxa_obs ="
            " (SELECT min(id_taxa_obs) FROM api.taxa)"
        )
    real_count = refresh._count

    def locked_by_a_dba_meanwhile(conn, relation):
        # rolled back once the count gave up: the run's checks read the view next
        with psycopg.connect(atlas_url) as dba:
            dba.execute("REFRESH MATERIALIZED VIEW api.taxa")
            try:
                return real_count(conn, relation)
            finally:
                dba.rollback()

    monkeypatch.setattr(refresh, "_count", locked_by_a_dba_meanwhile)
    hurried = {**resources, "atlas_db": PostgresResource(url=atlas_url, lock_timeout_s=0.5)}
    result = materialize(hurried, selection=[API_TAXA], raise_on_error=False)
    assert result.success, _failure_message(result)
    assert sum(1 for e in result.all_events if e.event_type_value == "STEP_RESTARTED") == 0
    meta = metadata(result, API_TAXA)
    assert meta["diff_unavailable"].startswith("LockNotAvailable"), meta
    assert "rows_added" not in meta and "dagster/row_count" not in meta
    # the refresh made is the one recorded: the deleted name left the view
    assert rows(atlas_url, "SELECT count(*) FROM api.taxa")[0][0] == before - 1
    advisory = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
    assert rows(atlas_url, advisory) == [(0,)]


def test_a_zoom_level_added_while_the_outlines_refresh_is_seen_by_check_and_refresh_alike(
    resources, atlas_url, monkeypatch
):
    """The check of the zoom lookup ran in its own transaction, the REFRESH in the next one:
    a level listed twice by another session in between passed the check and failed the
    REFRESH on the view's unique index, naming a region, not the cause. The concurrent
    writer is this test's invention; it commits once the refresh's transaction has begun."""
    assert materialize(resources, selection=[WEB_REGIONS]).success
    real_state = refresh.relation_state
    added = []

    def level_added_meanwhile(conn, schema, name):
        if not added:
            with psycopg.connect(atlas_url, autocommit=True) as writer:
                writer.execute("""INSERT INTO atlas_api.regions_zoom_lookup
                                  SELECT * FROM atlas_api.regions_zoom_lookup
                                  WHERE type = 'hex' AND scale = 250""")
            added.append(True)
        return real_state(conn, schema, name)

    monkeypatch.setattr(refresh, "relation_state", level_added_meanwhile)
    result = materialize(resources, selection=[WEB_REGIONS], raise_on_error=False)
    assert added
    # the check and the REFRESH read the lookup before the level was added: both agree
    assert result.success, _failure_message(result)
    # the next run sees it, and names it
    result = materialize(resources, selection=[WEB_REGIONS], raise_on_error=False)
    assert "hex 250 (2 rows, zooms [4, 4])" in _failure_message(result)


def _observed_in_1901_again(url: str) -> None:
    """40 observations inserted again, as of 1901: changes the next count refresh applies, and
    an oldest year it can be seen to have counted."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,"
            " obs_value, id_taxa_obs) SELECT id_datasets, geom, 1901, id_variables,"
            " obs_value, id_taxa_obs FROM public.observations LIMIT 40"
        )


@contextmanager
def _session_ended_while_it_waits_for(url: str, table: str) -> Iterator[list[int]]:
    """While the block runs, the first session of ours that waits for a lock on ``table``
    (held here in ACCESS EXCLUSIVE mode: a refresh reading it waits) is ended by the server, as
    at a restart or a failover, and the lock is released; yields the sessions ended."""
    ended: list[int] = []
    stop = threading.Event()
    with psycopg.connect(url) as holder:
        holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

        def end_it() -> None:
            with psycopg.connect(url, autocommit=True) as admin:
                while not stop.is_set() and not ended:
                    waiting = admin.execute(
                        "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
                        " AND wait_event_type = 'Lock' AND datname = current_database()",
                        [APPLICATION_NAME],
                    ).fetchall()
                    for (pid,) in waiting:
                        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
                        ended.append(pid)
                    time.sleep(0.05)
            holder.rollback()  # the run's next attempt goes through

        killer = threading.Thread(target=end_it)
        killer.start()
        try:
            yield ended
        finally:
            stop.set()
            killer.join()


@pytest.mark.parametrize(
    ("asset", "table"),
    [
        (OBS_REGION_COUNTS, "atlas_api.obs_region_counts"),  # incremental, after inserts
        (WEB_REGIONS, "public.regions"),  # what the view reads
        (API_TAXA, "public.taxa_obs"),  # a view of the shared factory (core/sql_assets.py)
    ],
)
def test_a_refresh_whose_session_the_server_ends_is_run_again(resources, atlas_url, asset, table):
    """The server ends a refresh's session (a restart, a failover, a network cut) in the
    middle: its transaction rolled back, and each of these refreshes is made afresh from what
    the tables and the change log hold, so running it again cannot count a change twice. It
    failed the run instead, and the counts waited for the next change or the weekly job."""
    assert materialize(resources, selection=[OBS_REGION_COUNTS, *taxonomy.ASSETS]).success
    _observed_in_1901_again(atlas_url)
    quick = {
        **resources,
        "atlas_db": PostgresResource(url=atlas_url, lock_timeout_s=5, connection_retry_wait_s=0.1),
    }
    with _session_ended_while_it_waits_for(atlas_url, table) as ended:
        result = materialize(quick, selection=[asset], raise_on_error=False)
    assert ended, f"no session of the refresh waited for {table}"
    assert result.success, _failure_message(result)
    retried = dg.DagsterEventType.STEP_UP_FOR_RETRY
    assert any(e.event_type == retried for e in result.all_events), "the step was not retried"
    if asset == OBS_REGION_COUNTS:
        assert metadata(result, OBS_REGION_COUNTS)["refresh_mode"] == "incremental"
        assert differences(atlas_url) == 0
        oldest = "SELECT min(min_year) FROM atlas_api.obs_regions_taxa_datasets_counts"
        assert rows(atlas_url, oldest) == [(1901,)]


def test_a_refresh_whose_second_session_the_server_refuses_is_run_again(resources, atlas_url):
    """A server restarting in "smart" mode lets running sessions finish and refuses new ones:
    the count refresh went on, the second session its check opens (counts/touched_check.py)
    was refused, and the step failed though nothing had committed (a refusal of its first
    connection is run again). Found by a trial restarting the server (pg_ctl -m smart); here
    the database refuses new sessions (ALLOW_CONNECTIONS false, which the server says as it
    says a shutdown: not a refusal of this role) while the refresh, held by a lock on a count
    table, has its first session, and accepts them again once that attempt has ended."""
    assert materialize(resources, selection=[OBS_REGION_COUNTS]).success
    database = rows(atlas_url, "SELECT current_database()")[0][0]
    _observed_in_1901_again(atlas_url)
    quick = {
        **resources,
        "atlas_db": PostgresResource(url=atlas_url, lock_timeout_s=30, connection_retry_wait_s=1),
    }
    allow = "ALTER DATABASE {} WITH ALLOW_CONNECTIONS {}"
    steps: list[str] = []

    def refuse_while_it_runs(holder: psycopg.Connection) -> None:
        # from another database: a session may not disallow connections to its own
        other = psycopg.conninfo.make_conninfo(atlas_url, dbname="postgres")
        with psycopg.connect(other, autocommit=True) as admin:
            waiting = "SELECT pid FROM pg_stat_activity WHERE application_name = %s" \
                " AND wait_event_type = 'Lock' AND datname = %s"
            while not (pids := admin.execute(waiting, [APPLICATION_NAME, database]).fetchall()):
                time.sleep(0.05)
            steps.append("the refresh waits")
            name = psycopg.sql.Identifier(database)
            admin.execute(psycopg.sql.SQL(allow).format(name, psycopg.sql.SQL("false")))
            holder.rollback()
            gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
            while admin.execute(gone, pids[0]).fetchone()[0]:
                time.sleep(0.05)
            steps.append("its attempt ended")
            admin.execute(psycopg.sql.SQL(allow).format(name, psycopg.sql.SQL("true")))

    with psycopg.connect(atlas_url) as holder:
        holder.execute("LOCK TABLE atlas_api.obs_region_counts IN ACCESS EXCLUSIVE MODE")
        refuser = threading.Thread(target=refuse_while_it_runs, args=(holder,))
        refuser.start()
        result = materialize(quick, selection=[OBS_REGION_COUNTS], raise_on_error=False)
        refuser.join()
    assert steps == ["the refresh waits", "its attempt ended"]
    assert result.success, _failure_message(result)
    retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    assert retries, "the step was not retried"
    cause = retries[0].event_specific_data.error.to_string()
    assert "not currently accepting connections" in cause, cause
    assert metadata(result, OBS_REGION_COUNTS)["observations_inserted"] == 40
    assert differences(atlas_url) == 0

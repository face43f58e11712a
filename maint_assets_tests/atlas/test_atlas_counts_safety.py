"""What protects the count tables' readers and their correctness: the check of every touched
row, the weekly full comparison, rebuilds that keep the live tables' definitions and never
keep readers waiting, the spatial index the refresh reads through, and clear errors."""

import statistics
import threading
import time

import dagster as dg
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from maint_assets.atlas import change_log
from maint_assets.atlas.assets.counts import (
    COUNTS_OP,
    OBS_REGION_COUNTS,
    OBS_REGIONS_TAXA_DATASETS_COUNTS,
    TOUCHED_CHECK,
)
from maint_assets.atlas.checks import FULL_CHECK, full_recount
from maint_assets.atlas.counts import refresh, touched_check
from maint_assets.atlas.counts import tables as count_tables
from maint_assets.atlas.counts.table_definitions import read_definition
from maint_assets.atlas.counts.tables import PUBLIC
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.cli import main
from maint_assets.core.postgres import APPLICATION_NAME, PostgresResource
from maint_assets_tests.atlas.helpers import (
    COUNTS,
    FULL_COUNTS,
    differences,
    materialize,
    metadata,
    rows,
)

# An observation of the first taxon and dataset in a fixed place inside the province.
DUPLICATE = """
    INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables, obs_value,
                                     id_taxa_obs)
    SELECT id_datasets, geom, year_obs, id_variables, obs_value, id_taxa_obs
    FROM observations_partitions.within_quebec WHERE id = %s"""

# One observation in a small region (a 5 km hexagon), and that region: far from any sample.
SMALL_REGION_OBSERVATION = """
    SELECT o.id, r.fid FROM observations_partitions.within_quebec o
    JOIN public.regions r ON r.type = 'hex' AND r.scale = 5 AND ST_Within(o.geom, r.geom)
    ORDER BY o.id DESC LIMIT 1"""


def _checks(result: dg.ExecuteInProcessResult) -> dict[tuple[str, str], bool]:
    return {
        (e.asset_key.path[-1], e.check_name): e.passed for e in result.get_asset_check_evaluations()
    }


@pytest.mark.parametrize("table", ["obs_region_counts", "obs_regions_taxa_datasets_counts"])
def test_a_row_corrupted_by_hand_fails_the_check_of_the_refresh_that_touches_it(
    counted, table
):
    resources, atlas_url = counted  # the count tables built
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        target = conn.execute(SMALL_REGION_OBSERVATION).fetchone()
        key = "id_datasets" if table == "obs_regions_taxa_datasets_counts" else "year_obs"
        corrupted = conn.execute(
            f"""UPDATE atlas_api.{table} t SET count_obs = count_obs + 1
                FROM observations_partitions.within_quebec o
                WHERE o.id = %s AND t.fid = %s AND t.id_taxa_obs = o.id_taxa_obs
                  AND t.{key} = o.{key}""",
            target,
        ).rowcount
        assert corrupted == 1
        conn.execute(DUPLICATE, target[:1])  # a change that touches the corrupted row
    result = materialize(resources, selection=COUNTS, raise_on_error=False)
    assert not result.success  # a blocking check failed
    assert not _checks(result)[(table, TOUCHED_CHECK)]
    meta = metadata(result, dg.AssetKey(["atlas", "atlas_api", table]))
    assert meta["refresh_mode"] == "full"
    assert "touched rows disagreed" in meta["full_refresh_reason"]
    assert differences(atlas_url) == 0  # the rebuild repaired it
    again = materialize(resources, selection=COUNTS)
    assert all(_checks(again).values())


@pytest.mark.parametrize("table", ["obs_region_counts", "obs_regions_taxa_datasets_counts"])
def test_a_row_the_refresh_empties_but_cannot_delete_fails_its_check(counted, table):
    # The check takes the rows an upsert left at 0 as deleted because drop_empty deleted as
    # many: a trigger (a DBA's) that keeps them must still fail it.
    resources, atlas_url = counted  # the count tables built
    key = "id_datasets" if table == "obs_regions_taxa_datasets_counts" else "year_obs"
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        # an observation alone in its row of the table: deleting it leaves that row at 0
        alone = conn.execute(
            f"""SELECT o.id FROM observations_partitions.within_quebec o
                JOIN atlas_api.{table} t ON t.id_taxa_obs = o.id_taxa_obs AND t.{key} = o.{key}
                WHERE t.count_obs = 1 AND t.type = 'hex'
                  AND t.fid IN (SELECT r.fid FROM public.regions r WHERE ST_Within(o.geom, r.geom))
                ORDER BY o.id LIMIT 1"""
        ).fetchone()
        assert alone is not None
        conn.execute(
            """CREATE FUNCTION public.keep_deleted_rows() RETURNS trigger LANGUAGE plpgsql
               AS $$ BEGIN RETURN NULL; END $$"""
        )
        conn.execute(
            f"""CREATE TRIGGER keep_deleted_rows BEFORE DELETE ON atlas_api.{table}
                FOR EACH ROW EXECUTE FUNCTION public.keep_deleted_rows()"""
        )
        conn.execute("DELETE FROM public.observations WHERE id = %s", alone)
    db = resources["atlas_db"]
    with (
        db.maintenance_step(count_tables.LOCK) as conn,
        pytest.raises(count_tables.NeedsRebuild, match="touched rows disagreed") as refused,
    ):
        refresh.refresh_counts(db, conn, allow_rebuild=False)
    assert f"'{table}': " in str(refused.value)
    zeros = f"SELECT count(*) FROM atlas_api.{table} WHERE count_obs = 0"
    assert rows(atlas_url, zeros) == [(0,)]  # nothing was applied


def test_a_detail_row_corrupted_by_hand_fails_the_check_of_the_refresh_that_touches_it(
    counted
):
    # The detail check compares the count the refresh wrote with the observations counted
    # again: a wrong count it started from is carried into what it wrote, and shows.
    resources, atlas_url = counted  # the count tables built
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        target = conn.execute(SMALL_REGION_OBSERVATION).fetchone()
        corrupted = conn.execute(
            """UPDATE maint_assets.region_taxon_dataset_year_counts t
               SET count_obs = count_obs + 1
               FROM observations_partitions.within_quebec o
               WHERE o.id = %s AND t.fid = %s AND t.id_taxa_obs = o.id_taxa_obs
                 AND t.id_datasets = o.id_datasets AND t.year_obs = o.year_obs""",
            target,
        ).rowcount
        assert corrupted == 1
        conn.execute(DUPLICATE, target[:1])
    result = materialize(resources, selection=COUNTS, raise_on_error=False)
    assert not result.success
    checks = _checks(result)
    assert not checks[("obs_region_counts", TOUCHED_CHECK)]
    assert not checks[("obs_regions_taxa_datasets_counts", TOUCHED_CHECK)]
    meta = metadata(result, dg.AssetKey(["atlas", "atlas_api", "obs_region_counts"]))
    assert meta["refresh_mode"] == "full"
    assert "'detail': 1" in meta["full_refresh_reason"]  # found by the detail's own check
    assert differences(atlas_url) == 0
    assert all(_checks(materialize(resources, selection=COUNTS)).values())


def test_the_weekly_full_comparison_finds_a_row_no_refresh_touched(counted):
    resources, atlas_url = counted  # the count tables built
    job = dg.Definitions(
        asset_checks=[full_recount], resources=resources
    ).resolve_implicit_global_asset_job_def()

    def compare() -> dict[tuple[str, str], bool]:
        return _checks(job.execute_in_process(raise_on_error=False))

    assert compare() == {
        ("obs_region_counts", FULL_CHECK): True,
        ("obs_regions_taxa_datasets_counts", FULL_CHECK): True,
    }
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE atlas_api.obs_regions_taxa_datasets_counts SET max_year = max_year + 1"
            " WHERE ctid = (SELECT max(ctid) FROM atlas_api.obs_regions_taxa_datasets_counts)"
        )
        # pending changes are applied within the comparison (and rolled back with it)
        first = conn.execute("SELECT min(id) FROM observations_partitions.within_quebec")
        conn.execute(DUPLICATE, first.fetchone())
    assert compare() == {
        ("obs_region_counts", FULL_CHECK): True,
        ("obs_regions_taxa_datasets_counts", FULL_CHECK): False,
    }
    assert rows(atlas_url, "SELECT count(*) FROM maint_assets.change_log")[0][0] > 0


def test_a_rebuild_keeps_owner_privileges_comments_and_index_names(counted):
    resources, atlas_url = counted  # the count tables built
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        for role in ("atlas_reader", "atlas_owner"):
            conn.execute(
                f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
        conn.execute("GRANT atlas_owner TO CURRENT_USER")
        for schema, name in PUBLIC.values():
            conn.execute(f"ALTER TABLE {schema}.{name} OWNER TO atlas_owner")
            conn.execute(f"GRANT SELECT ON {schema}.{name} TO atlas_reader WITH GRANT OPTION")
            conn.execute(f"GRANT SELECT ON {schema}.{name} TO PUBLIC")
            conn.execute(f"COMMENT ON TABLE {schema}.{name} IS 'read by the atlas API'")
            conn.execute(f"COMMENT ON COLUMN {schema}.{name}.count_obs IS 'observations'")
        region_counts = "atlas_api.obs_region_counts"
        conn.execute(f"ALTER TABLE {region_counts} SET (fillfactor = 90)")
        # what a DBA may add: each was lost by a rebuild once (an independent trial found them)
        (index,) = conn.execute(
            "SELECT min(indexrelid::regclass::text) FROM pg_index WHERE indrelid = %s::regclass",
            [region_counts],
        ).fetchone()
        conn.execute(f"COMMENT ON INDEX {index} IS 'the API''s lookup'")
        conn.execute(f"ALTER TABLE {region_counts} ALTER COLUMN fid SET STATISTICS 500")
        conn.execute(f"ALTER TABLE {region_counts} ALTER COLUMN fid SET (n_distinct = -0.1)")
        conn.execute(f"ALTER TABLE {region_counts} CLUSTER ON {index.split('.')[-1]}")
        conn.execute(f"ALTER TABLE {region_counts} ENABLE ROW LEVEL SECURITY")
        conn.execute(
            f"CREATE POLICY api_reads ON {region_counts} FOR SELECT TO atlas_reader"
            " USING (count_obs > 0)"
        )
        conn.execute("ALTER TABLE atlas_api.obs_regions_taxa_datasets_counts REPLICA IDENTITY FULL")
        conn.execute(f"CREATE STATISTICS atlas_api.taxa_by_region (ndistinct, dependencies)"
                     f" ON fid, id_taxa_obs FROM {region_counts}")  # fmt: skip
        conn.execute("ALTER STATISTICS atlas_api.taxa_by_region SET STATISTICS 300")
        conn.execute(f"ALTER TABLE {region_counts} FORCE ROW LEVEL SECURITY")
        conn.execute(f"ALTER TABLE {region_counts} ADD CONSTRAINT counted CHECK (count_obs > 0)")
        conn.execute(f"COMMENT ON CONSTRAINT counted ON {region_counts} IS 'never an empty row'")
        conn.execute("CREATE FUNCTION atlas_api.noop() RETURNS trigger LANGUAGE plpgsql"
                     " AS 'BEGIN RETURN NEW; END'")
        conn.execute(f"CREATE TRIGGER audited BEFORE UPDATE ON {region_counts}"
                     " FOR EACH ROW EXECUTE FUNCTION atlas_api.noop()")
        conn.execute(f"COMMENT ON TRIGGER audited ON {region_counts} IS 'the audit''s'")
        with conn.transaction():
            before = {t: read_definition(conn, *t) for t in PUBLIC.values()}
    result = materialize(resources, selection=COUNTS, run_config=FULL_COUNTS)
    assert metadata(result, OBS_REGION_COUNTS)["refresh_mode"] == "full"
    with psycopg.connect(atlas_url) as conn:
        after = {t: read_definition(conn, *t) for t in PUBLIC.values()}
    assert after == before
    # read from the catalog directly, not through read_definition
    assert rows(atlas_url, f"""
        SELECT c.relrowsecurity, c.relreplident::text,
               (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid),
               (SELECT x.indisclustered FROM pg_index x WHERE x.indexrelid = %s::regclass),
               obj_description(%s::regclass, 'pg_class'),
               (SELECT attstattarget FROM pg_attribute WHERE attrelid = c.oid AND attname = 'fid')
        FROM pg_class c WHERE c.oid = '{region_counts}'::regclass""", [index, index]) == [
        (True, "d", 1, True, "the API's lookup", 500)
    ]  # fmt: skip
    assert rows(atlas_url, "SELECT relreplident::text FROM pg_class WHERE oid ="
                " 'atlas_api.obs_regions_taxa_datasets_counts'::regclass") == [("f",)]  # fmt: skip
    assert rows(atlas_url, """SELECT stxnamespace::regnamespace::text, stxrelid::regclass::text,
        stxstattarget FROM pg_statistic_ext WHERE stxname = 'taxa_by_region'""") == [
        ("atlas_api", region_counts, 300)
    ]  # fmt: skip
    # production's index names, the unique one of each table included
    names = {index[0] for index in after[PUBLIC["obs_regions_taxa_datasets_counts"]].indexes}
    assert "obs_regions_taxa_datasets_counts_fid_id_taxa_obs_id_datasets_id" in names
    assert after[PUBLIC["obs_region_counts"]].owner == "atlas_owner"


def test_a_rebuild_leaves_its_tables_vacuumed(resources, atlas_url):
    # Freshly written pages are not all-visible: until a VACUUM the API's index-only scans
    # read the table too, and each page's first reader writes it again.
    materialize(resources, selection=COUNTS, run_config=FULL_COUNTS)
    tables = [".".join(t) for t in PUBLIC.values()] + [
        "maint_assets.region_taxon_dataset_year_counts"
    ]
    visible = rows(
        atlas_url,
        """SELECT c.oid::regclass::text, c.relpages, c.relallvisible FROM pg_class c
           WHERE c.oid = ANY (%s::regclass[])""",
        [tables],
    )
    assert len(visible) == 3
    for table, pages, all_visible in visible:
        assert pages > 0 and all_visible == pages, (table, pages, all_visible)


def test_readers_never_wait_during_a_rebuild_even_behind_a_long_read(counted):
    """A long read (an API export, a dump) holds the live table when the rebuild wants to swap
    it: other readers must not queue behind the swap's lock request meanwhile."""
    resources, atlas_url = counted  # the count tables built
    waits: list[float] = []
    errors: list[str] = []
    stop = threading.Event()
    swap_waited = threading.Event()

    def read() -> None:
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '1s'")
            while not stop.is_set():
                started = time.monotonic()
                try:
                    for schema, name in PUBLIC.values():
                        conn.execute(f"SELECT count_obs FROM {schema}.{name} LIMIT 1").fetchall()
                except psycopg.errors.LockNotAvailable as err:
                    errors.append(str(err))
                waits.append(time.monotonic() - started)
                time.sleep(0.01)

    def long_read() -> None:
        with psycopg.connect(atlas_url) as conn:
            conn.execute("SELECT count(*) FROM atlas_api.obs_region_counts").fetchall()
            deadline = time.monotonic() + 120
            while (
                time.monotonic() < deadline
                and not conn.execute(
                    """SELECT EXISTS (SELECT 1 FROM pg_locks
                   WHERE NOT granted AND relation = 'atlas_api.obs_region_counts'::regclass)"""
                ).fetchone()[0]
            ):
                time.sleep(0.05)
            swap_waited.set()
            time.sleep(3)  # the rebuild waits for this read to finish

    threads = [threading.Thread(target=read) for _ in range(2)]
    threads.append(threading.Thread(target=long_read))
    for thread in threads:
        thread.start()
    try:
        result = materialize(resources, selection=COUNTS, run_config=FULL_COUNTS)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert swap_waited.is_set()
    assert metadata(result, OBS_REGIONS_TAXA_DATASETS_COUNTS)["refresh_mode"] == "full"
    assert errors == [] and len(waits) > 20
    assert max(waits) < 1.0, (max(waits), statistics.median(waits))


def test_a_missing_or_invalid_geom_index_is_reported_and_built_concurrently(
    atlas_url, monkeypatch, capsys
):
    monkeypatch.setenv("ATLAS_DATABASE_URL", atlas_url)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        # a DBA's partition for rows of unknown place, with a name that needs quotes, made
        # before the parent's index (a partition made after it gets one of its own)
        conn.execute("DROP INDEX public.observations_geom_idx")
        conn.execute('CREATE TABLE observations_partitions."Unplaced" PARTITION OF'
                     " public.observations DEFAULT")
        conn.execute("CREATE INDEX observations_geom_idx ON ONLY public.observations"
                     " USING gist (geom)")
        # as in production (and the replica): the parent's index was made ON ONLY, so it is
        # invalid, and the partitions have none
        assert change_log.missing_geom_indexes(conn) == [
            'observations_partitions."Unplaced": no GiST index on geom',
            "observations_partitions.outside_quebec: no GiST index on geom",
            "observations_partitions.within_quebec: no GiST index on geom",
        ]
    assert main(["capture", "atlas"]) == 0
    assert "warning: observations.geom has no valid GiST index" in capsys.readouterr().out
    assert main(["capture", "atlas", "--build-geom-index"]) == 0
    out = capsys.readouterr().out
    assert out.count("CONCURRENTLY") == 3 and out.count("attached") == 3
    assert "warning" not in out
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        assert change_log.missing_geom_indexes(conn) == []
        valid = conn.execute("""SELECT indisvalid FROM pg_index
                                WHERE indexrelid = 'public.observations_geom_idx'::regclass""")
        assert valid.fetchone() == (True,)
        # named as the server names it, not from regclass's quoted text
        names = {n for (n,) in conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = 'observations_partitions.\"Unplaced\"'::regclass")}
        assert "Unplaced_geom_idx" in names and not [n for n in names if '"' in n], names


def test_the_detail_check_reads_observations_from_capture_index_alone(
    atlas_url, monkeypatch, capsys
):
    # At 10 000 000 observations the check's heap reads (one page per observation of each
    # touched taxon, dataset and year) were 35 s of the first refresh after a rebuild.
    monkeypatch.setenv("ATLAS_DATABASE_URL", atlas_url)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        # a database captured by an earlier version keeps that version's index until now
        conn.execute("DROP INDEX public.observations_checked_idx")
        conn.execute("""CREATE INDEX observations_taxa_datasets_year_idx
                        ON public.observations (id_taxa_obs, id_datasets, year_obs)""")
    # a long read (a dump, an API query) holds observations: the old index is left, said so
    with psycopg.connect(atlas_url) as reader:
        reader.execute("SELECT count(*) FROM public.observations")
        assert main(["capture", "atlas"]) == 0
    assert "observations_taxa_datasets_year_idx, replaced by" in capsys.readouterr().out
    assert main(["capture", "atlas"]) == 0
    assert "warning: readers held" not in capsys.readouterr().out
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        indexes = conn.execute("""SELECT indexname FROM pg_indexes
                                  WHERE schemaname = 'public' AND tablename = 'observations'
                                    AND indexdef LIKE '%(id_taxa_obs, id_datasets, year_obs)%'""")
        assert [name for (name,) in indexes] == ["observations_checked_idx"]
        conn.execute("VACUUM ANALYZE public.observations")
        with conn.transaction():
            conn.execute("SET LOCAL enable_seqscan = off")
            conn.execute("SET LOCAL enable_bitmapscan = off")
            plan = "\n".join(
                row
                for (row,) in conn.execute(
                    """EXPLAIN (ANALYZE, COSTS OFF) SELECT count(ST_X(geom)), bool_or(within_quebec)
                   FROM public.observations o
                   WHERE (id_taxa_obs, id_datasets, year_obs) IN (
                       SELECT id_taxa_obs, id_datasets, year_obs FROM public.observations
                       ORDER BY id LIMIT 20)"""
                )
            )
    assert "Index Only Scan using within_quebec_id_taxa_obs" in plan
    assert "Heap Fetches: 0" in plan


def _counted_then_duplicated(resources, atlas_url) -> int:
    """In a database whose count tables are built (the ``counted`` fixture), insert a
    duplicate of an observation of a small region; returns that observation's id."""
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        target = conn.execute(SMALL_REGION_OBSERVATION).fetchone()[0]
        conn.execute(DUPLICATE, [target])
    return target


def _next_refresh_applies_one_insert_exactly(resources, atlas_url) -> None:
    assert differences(atlas_url) > 0
    meta = metadata(
        materialize(resources, selection=COUNTS),
        dg.AssetKey(["atlas", "atlas_api", "obs_region_counts"]),
    )
    assert (meta["refresh_mode"], meta["observations_inserted"]) == ("incremental", 1)
    assert differences(atlas_url) == 0


def test_the_detail_recount_beside_the_refresh_reads_the_refreshs_snapshot(
    counted, monkeypatch
):
    # The recount runs on a second connection. An observation committed after the refresh's
    # snapshot, before the recount starts, is not among the changes the refresh applies: read
    # in a snapshot of its own, the recount would count it and fail a correct refresh.
    resources, atlas_url = counted
    target = _counted_then_duplicated(resources, atlas_url)
    count = touched_check.DetailRecount._count

    def meanwhile(recount: touched_check.DetailRecount) -> None:
        with psycopg.connect(atlas_url, autocommit=True) as writer:
            writer.execute(DUPLICATE, [target])
        count(recount)

    monkeypatch.setattr(touched_check.DetailRecount, "_count", meanwhile)
    result = materialize(resources, selection=COUNTS)
    assert all(_checks(result).values())
    meta = metadata(result, dg.AssetKey(["atlas", "atlas_api", "obs_region_counts"]))
    assert (meta["refresh_mode"], meta["observations_inserted"]) == ("incremental", 1)
    monkeypatch.undo()
    _next_refresh_applies_one_insert_exactly(resources, atlas_url)  # the second duplicate


def test_a_recount_that_cannot_connect_fails_the_refresh_and_loses_no_change(
    counted, monkeypatch
):
    # The server refuses the recount's second connection (the database stops accepting new
    # ones, as at a connection limit): the refresh fails saying so, and neither counts the
    # rows as drifted (no rebuild) nor consumes the change.
    resources, atlas_url = counted
    _counted_then_duplicated(resources, atlas_url)
    database = conninfo_to_dict(atlas_url)["dbname"]
    admin = make_conninfo(atlas_url, dbname="postgres")
    count = touched_check.DetailRecount._count

    def refused(recount: touched_check.DetailRecount) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            try:
                count(recount)
            finally:
                conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')

    monkeypatch.setattr(touched_check.DetailRecount, "_count", refused)
    # A refresh whose connection fails mid-step is run again, connection_retries times, each
    # refused the same way: 0.1 s apart here, not the default 30 s (90 s of idle waiting).
    quick = {
        **resources,
        "atlas_db": PostgresResource(url=atlas_url, lock_timeout_s=5, connection_retry_wait_s=0.1),
    }
    result = materialize(quick, selection=COUNTS, raise_on_error=False)
    assert not result.success
    failure = str(result.get_step_failure_events()[0].step_failure_data.error)
    assert "cannot connect to database" in failure and "not currently accepting" in failure
    assert not result.get_asset_materialization_events()
    monkeypatch.undo()
    _next_refresh_applies_one_insert_exactly(resources, atlas_url)


def test_a_database_without_postgis_says_so(empty_db):
    db = PostgresResource(url=empty_db)
    result = materialize(
        {"atlas_db": db, "taxonomy": ChecklistResolver()}, selection=COUNTS, raise_on_error=False
    )
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failures[0].event_specific_data.error.to_string()
    assert "has no PostGIS extension" in message and "does not exist" not in message


def test_an_observation_without_geometry_is_not_blamed_on_the_province(atlas_url):
    with (
        psycopg.connect(atlas_url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.NotNullViolation) as raised,
    ):
        conn.execute("""INSERT INTO public.observations (id_datasets, geom, year_obs,
                                id_variables, obs_value, id_taxa_obs)
                            SELECT min(d.id), NULL, 2021, 1, 1, min(t.id)
                            FROM public.datasets d, public.taxa_obs t""")
    assert "geom" in str(raised.value) and "province" not in str(raised.value)


def test_a_sample_size_setting_is_refused_rather_than_comparing_nothing():
    # Issue 17: `regions_per_level: 0` made the sampled recount check pass with 0 rows
    # compared. The check now compares every touched row, and the old knob is an error.
    resources = {
        "atlas_db": PostgresResource(url="postgresql://nobody@127.0.0.1:1/none"),
        "taxonomy": ChecklistResolver(),
    }
    config = {"ops": {COUNTS_OP: {"config": {"regions_per_level": 0}}}}
    with pytest.raises(dg.DagsterInvalidConfigError, match="regions_per_level"):
        materialize(resources, selection=COUNTS, run_config=config)


def test_changes_that_run_into_the_statement_timeout_are_rebuilt(counted):
    # A DBA's audit trigger on a count table (our own invention, slowed on purpose): applying
    # one insert updates a row per counted level through it, each taking 0.4 s, so the
    # upsert runs past a 4 s statement timeout; a rebuild writes its tables before their
    # triggers exist and never fires it.
    resources, atlas_url = counted
    _counted_then_duplicated(resources, atlas_url)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            """CREATE FUNCTION public.slow_audit() RETURNS trigger LANGUAGE plpgsql AS
               $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$"""
        )
        conn.execute(
            """CREATE TRIGGER slow_audit BEFORE INSERT OR UPDATE ON atlas_api.obs_region_counts
               FOR EACH ROW EXECUTE FUNCTION public.slow_audit()"""
        )
    hurried = {**resources, "atlas_db": PostgresResource(url=atlas_url, statement_timeout_s=4)}
    try:
        result = materialize(hurried, selection=COUNTS)
        meta = metadata(result, dg.AssetKey(["atlas", "atlas_api", "obs_region_counts"]))
        assert meta["refresh_mode"] == "full"
        assert "statement timeout (4 s)" in meta["full_refresh_reason"]
        assert differences(atlas_url) == 0
        assert rows(  # the rebuilt table kept the DBA's trigger
            atlas_url,
            "SELECT tgname FROM pg_trigger"
            " WHERE tgrelid = 'atlas_api.obs_region_counts'::regclass AND NOT tgisinternal",
        ) == [("slow_audit",)]
    finally:
        with psycopg.connect(atlas_url, autocommit=True) as conn:
            conn.execute("DROP TRIGGER IF EXISTS slow_audit ON atlas_api.obs_region_counts")
            conn.execute("DROP FUNCTION public.slow_audit()")


def test_a_rebuild_after_rows_disagreed_whose_session_is_lost_fails_and_is_not_run_again(
    counted
):
    """A refresh whose session the server ends is run again (a restart, a failover): the run
    again applies what the change log holds then. Not after rows disagreed: the rebuild that
    follows, cut and run again, could find the tables rebuilt (its COMMIT went through) and
    pass, and the disagreement would be reported nowhere. The rebuild's session is ended here
    as it starts: it waits for the rebuild's hold on the change log, taken here first."""
    resources, atlas_url = counted  # the count tables built
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        target = conn.execute(SMALL_REGION_OBSERVATION).fetchone()
        conn.execute(
            """UPDATE atlas_api.obs_region_counts t SET count_obs = count_obs + 1
               FROM observations_partitions.within_quebec o
               WHERE o.id = %s AND t.fid = %s AND t.id_taxa_obs = o.id_taxa_obs
                 AND t.year_obs = o.year_obs""",
            target,
        )
        conn.execute(DUPLICATE, target[:1])  # a change that touches the corrupted row
    quick = {
        **resources,
        "atlas_db": PostgresResource(url=atlas_url, lock_timeout_s=5, connection_retry_wait_s=0.1),
    }
    ended: list[int] = []
    with psycopg.connect(atlas_url) as holder:
        change_log.hold(holder, count_tables.REBUILDING, count_tables.SOURCES)

        def end_the_rebuild() -> None:
            with psycopg.connect(atlas_url, autocommit=True) as admin:
                deadline = time.monotonic() + 120
                while not ended and time.monotonic() < deadline:
                    ended.extend(pid for (pid,) in admin.execute(
                        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database() AND application_name = %s",
                        [APPLICATION_NAME],
                    ).fetchall())
                    time.sleep(0.05)
                for pid in ended:
                    admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            holder.rollback()

        killer = threading.Thread(target=end_the_rebuild)
        killer.start()
        result = materialize(quick, selection=COUNTS, raise_on_error=False)
        killer.join()
    assert ended, "the rebuild never waited for its hold on the change log"
    assert not result.success
    retried = dg.DagsterEventType.STEP_UP_FOR_RETRY
    assert not any(e.event_type == retried for e in result.all_events)
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.to_string()
    assert "touched rows disagreed" in message and "was then lost" in message, message

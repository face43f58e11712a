"""The VisioNature repair on a production-sized copy, with the rules of issue 15, side by side
with the runbook's procedure in one run.

    .venv/bin/python bench/vn_sync_repair.py [--rows 1000000] [--window-share 0.1]
    .venv/bin/python bench/vn_sync_repair.py --rows 100000          # short mode

Data (maint_assets.demo.vn_data): a fake VisioNature site with ``--rows`` sightings,
``--window-share`` of them in the last 14 days; production and the check copy as transfer_vn
stores the site; then, among the window's sightings, production misses 1 %, has 1 % stale
(edited at the source; the check copy has the edit), keeps 0.5 % the source deleted, has
0.2 % with the same update_ts but another item, 0.2 % newer than the source, 0.2 % that never
were in the check copy and the source does not have, 0.2 % whose date the source moved out of
the window; and the site's search silently leaves out 0.5 % (``--gap``).

1. The weekly download (timed apart): the real transfer_vn downloads the window from the fake
   site (served over HTTP), the check copy's diff poll (the daily updates are taken to have
   run until yesterday), the merge into the check copy.
2. The database is copied (``CREATE DATABASE … TEMPLATE``); ``vn_sync_repair`` (Dagster,
   in-process) runs on one copy, the runbook's ``fct_fix_sync`` (its two statements: insert
   missing rows, update rows whose check update_ts is newer) on the other.
3. A row trigger on production (as GeoNature's) counts the rows each one touched; an
   independent query over the source's own rows counts those the rules require to change:
   inside the window (site downloaded, day 14 to 1 days ago, not left out of the search),
   production differing from the source's version (and not newer), or holding a sighting
   the source deleted. touched / needed must be 1.000 and sightings wrongly deleted 0.
It starts its own temporary cluster (never the demo's).
"""

import argparse
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import yaml
from common import temporary_cluster
from psycopg import sql

from maint_assets.core.notify import SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.vn_data import (
    DEMO_SITE,
    DEMO_TRANSFER_VN_CONFIG,
    Divergence,
    load_demo_data,
)
from maint_assets.demo.vn_fake_api import FakeVisioNature
from maint_assets.demo.vn_site_copy import copy_site
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.assets.vn_check_copy import vn_check_copy
from maint_assets.vn_sync.assets.vn_sync_repair import vn_sync_repair
from maint_assets.vn_sync.automation import CHECK_COPY_OP
from maint_assets.vn_sync.client_api_vn import DEFAULT_VENV, ClientApiVn, install
from maint_assets.vn_sync.keys import (
    CHECK,
    OBSERVATIONS,
    PRODUCTION,
    PRODUCTION_TABLES,
    VN_CHECK_COPY,
    WINDOW_STAGING,
)
from maint_assets.vn_sync.tables import create_tables

EXPECTED = "vn_expected"
# The source's sightings as transfer_vn stores them (vn_expected), the window's rule, and
# production before the repair (public.before): what the repair must change.
NEEDED = """
WITH dropped AS (
    SELECT (jsonb_array_elements_text(value))::int AS id FROM vn_site.faults WHERE kind = 'drop'
), covered_source AS (
    SELECT e.* FROM vn_expected.observations_json e
    WHERE (to_timestamp((e.item #>> '{date,@timestamp}')::bigint) AT TIME ZONE 'UTC')::date
          BETWEEN current_date - 14 AND current_date - 1
      AND e.id NOT IN (SELECT id FROM dropped)
)
SELECT
  (SELECT count(*) FROM covered_source e
   LEFT JOIN src_vn_json.observations_json p ON (p.id, p.site) = (e.id, e.site)
   WHERE p.id IS NULL OR p.update_ts < e.update_ts
      OR (p.update_ts = e.update_ts AND (p.item <> e.item
          OR p.id_form_universal IS DISTINCT FROM e.id_form_universal)))
  + (SELECT count(*) FROM src_vn_json.observations_json p
     WHERE (to_timestamp((p.item #>> '{date,@timestamp}')::bigint) AT TIME ZONE 'UTC')::date
           BETWEEN current_date - 14 AND current_date - 1
       AND NOT EXISTS (SELECT FROM vn_expected.observations_json e
                       WHERE (e.id, e.site) = (p.id, p.site)))
"""
WRONGLY_DELETED = """
SELECT count(*) FROM public.before b
JOIN vn_expected.observations_json e ON (e.id, e.site) = (b.id, b.site)
WHERE NOT EXISTS (SELECT FROM src_vn_json.observations_json p
                  WHERE (p.id, p.site) = (b.id, b.site))
"""
# The runbook's fct_fix_sync, re-expressed: insert missing rows, update rows whose check
# update_ts is newer; it never deletes and never compares items, and it reads the whole table.
RUNBOOK = """
INSERT INTO src_vn_json.observations_json (id, site, item, update_ts, id_form_universal)
SELECT c.id, c.site, c.item, c.update_ts, c.id_form_universal
FROM src_vn_json_check.observations_json c
LEFT JOIN src_vn_json.observations_json p ON (p.id, p.site) = (c.id, c.site)
WHERE p.id IS NULL;
UPDATE src_vn_json.observations_json p
SET item = c.item, update_ts = c.update_ts, id_form_universal = c.id_form_universal
FROM src_vn_json_check.observations_json c
WHERE (p.id, p.site) = (c.id, c.site) AND c.update_ts > p.update_ts;
"""
COUNT_TOUCHED = """
CREATE TABLE public.touched (n bigint NOT NULL DEFAULT 0);
INSERT INTO public.touched VALUES (0);
CREATE FUNCTION public.count_touched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN UPDATE public.touched SET n = n + 1; RETURN NULL; END $$;
CREATE TRIGGER count_touched AFTER INSERT OR UPDATE OR DELETE ON src_vn_json.observations_json
FOR EACH ROW EXECUTE FUNCTION public.count_touched();
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--window-share", type=float, default=0.1)
    parser.add_argument("--gap", type=float, default=0.005,
                        help="share of the window's sightings the site's search leaves out")
    parser.add_argument("--port", type=int, default=55471)
    args = parser.parse_args()
    install()
    with temporary_cluster(args.port, ["vn_bench"]) as (cluster, home):
        url = cluster.url("vn_bench")
        db = PostgresResource(url=url, statement_timeout_s=3600)
        work = home / "work"
        create_tables(ClientApiVn(config_file=str(DEMO_TRANSFER_VN_CONFIG), work_dir=str(work)),
                      db, (PRODUCTION, CHECK, WINDOW_STAGING))
        bookkeeping.prepare(db, [CHECK, PRODUCTION])
        with db.connect() as conn:
            summary = load_demo_data(conn, DEFAULT_VENV, rows=args.rows,
                                     window_share=args.window_share,
                                     divergence=Divergence(gap=args.gap))
            # the daily updates ran until yesterday: the poll after the window starts there
            conn.execute(
                "INSERT INTO maint_assets.vn_polls (check_schema, since, started, run_id) "
                "VALUES (%s, %s, %s, 'bench')",
                [CHECK, datetime.now() - timedelta(days=30), datetime.now() - timedelta(days=1)],
            )
        print(f"data: {summary.observations:,} production rows, {summary.check_observations:,} "
              f"in the check copy, generated in {summary.seconds:.1f} s", flush=True)

        with FakeVisioNature(url) as site:
            config = _config(site, work)
            tool = ClientApiVn(config_file=str(config), work_dir=str(work))
            started = time.perf_counter()
            downloaded = dg.materialize(
                [vn_check_copy],
                resources={"vn_db": db, "client_api_vn": tool, "notifier": SmtpNotifier()},
                run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "window"}}}},
            )
            download_s = time.perf_counter() - started
        meta = _metadata(downloaded, VN_CHECK_COPY)
        print(f"weekly download (transfer_vn window + diff poll + merge): {download_s:.1f} s; "
              f"{meta['observations_json.rows_in_window']:,} rows of the check copy in the "
              f"window, {meta['observations_json.unconfirmed']:,} unconfirmed, "
              f"{meta['partial_cells']} partial cells", flush=True)

        with db.connect() as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(EXPECTED)))
            for table in ("observations_json", "forms_json", "places_json",
                          "local_admin_units_json", "territorial_units_json", "taxo_groups_json"):
                conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(EXPECTED, table), sql.Identifier(PRODUCTION, table)))
            copy_site(conn, DEFAULT_VENV, EXPECTED, [DEMO_SITE])
            conn.execute(COUNT_TOUCHED)
            conn.execute("CREATE TABLE public.before AS SELECT id, site "
                         "FROM src_vn_json.observations_json")
            needed = conn.execute(NEEDED).fetchone()[0]
            conn.execute("CHECKPOINT")
        with cluster.connect(autocommit=True) as conn:
            conn.execute("CREATE DATABASE vn_runbook TEMPLATE vn_bench")
        runbook = PostgresResource(url=cluster.url("vn_runbook"))

        started = time.perf_counter()
        with runbook.connect() as conn, conn.transaction():
            conn.execute(RUNBOOK)
        runbook_s = time.perf_counter() - started
        runbook_touched = _touched(runbook)

        started = time.perf_counter()
        repaired = dg.materialize(
            [vn_sync_repair], resources={"vn_db": db, "notifier": SmtpNotifier()}
        )
        repair_s = time.perf_counter() - started
        touched = _touched(db)
        meta = _metadata(repaired, PRODUCTION_TABLES[OBSERVATIONS])
        with db.connect() as conn:
            left = conn.execute(NEEDED).fetchone()[0]
            wrongly_deleted = conn.execute(WRONGLY_DELETED).fetchone()[0]
        with runbook.connect() as conn:
            runbook_left = conn.execute(NEEDED).fetchone()[0]

    print(
        f"vn_sync_repair: {repair_s:.2f} s (whole run: observations, forms, places), "
        f"{meta['inserted']:,} inserted, {meta['updated']:,} updated, {meta['deleted']:,} "
        f"deleted ({meta['deleted_on_signal']:,} on the source's signal, "
        f"{meta['deleted_absent']:,} absent), {meta['kept_newer']:,} newer in production kept, "
        f"{meta['unconfirmed']:,} unconfirmed kept, {meta['outside_window']:,} outside the window"
    )
    print(f"  rows touched {touched:,} / rows that needed a change {needed:,} = "
          f"{touched / needed:.3f}; left to change afterwards: {left:,}")
    print(f"  sightings the source has that the repair deleted: {wrongly_deleted}")
    print(f"runbook's procedure: {runbook_s:.2f} s, rows touched {runbook_touched:,}, left to "
          f"change afterwards {runbook_left:,} (it cannot delete, reads the whole table and "
          "does not see same-timestamp edits)")
    print(f"ratio vn_sync_repair / runbook procedure: {repair_s / runbook_s:.2f}")


def _config(site: FakeVisioNature, work: Path) -> Path:
    config = yaml.safe_load(DEMO_TRANSFER_VN_CONFIG.read_text())
    config["site"][DEMO_SITE]["site"] = site.site_url(DEMO_SITE)
    path = Path(tempfile.mkdtemp(dir=work.parent)) / "transfer_vn.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, indent=4))
    return path


def _metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict[str, object]:
    return next(
        {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
        if e.asset_key == key
    )


def _touched(db: PostgresResource) -> int:
    with db.connect() as conn:
        return conn.execute("SELECT n FROM public.touched").fetchone()[0]


if __name__ == "__main__":
    main()

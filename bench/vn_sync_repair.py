"""The VisioNature repair on a production-sized copy, measured side by side in one run:

1. ``vn_sync_repair`` (Dagster, in-process) against the runbook's procedure (fct_fix_sync's two
   statements: insert missing rows, update rows whose check update_ts is newer) on an identical
   copy of the data (``CREATE DATABASE … TEMPLATE``);
2. rows each one touched (counted by a row trigger on production, as GeoNature's) divided by
   the rows that needed a change (counted by an independent query). Target 1.0.

    .venv/bin/python bench/vn_sync_repair.py [--rows 1000000] [--window-share 0.1]

Data: ``--rows`` sightings over two sites, ``--window-share`` of them in the last 14 days; in
that window production misses 1 %, has 1 % stale, and keeps 0.5 % the source deleted (plus
0.2 % same-timestamp edits and 0.2 % newer versions over the whole table).
It starts its own temporary cluster (never the demo's).
"""

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta

import dagster as dg
from common import temporary_cluster
from psycopg import sql

from maint_assets.core.notify import SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.schema import apply_schema
from maint_assets.core.sql_files import statement
from maint_assets.vn_sync import repair
from maint_assets.vn_sync.client_api_vn import ClientApiVn, install
from maint_assets.vn_sync.demo_data import DEMO_TRANSFER_VN_CONFIG, create_tables, load_demo_data
from maint_assets.vn_sync.keys import CHECK, PRODUCTION

# Rows that need a change, counted without the repair's SQL: check rows production lacks or
# has older or different, and production rows of the window that the check copy lacks.
NEEDED = """
SELECT
  (SELECT count(*) FROM src_vn_json_check.observations_json c
   WHERE NOT EXISTS (SELECT FROM src_vn_json.observations_json p
                     WHERE (p.id, p.site) = (c.id, c.site)
                       AND (p.update_ts > c.update_ts
                            OR (p.update_ts = c.update_ts AND p.item = c.item
                                AND p.id_form_universal IS NOT DISTINCT FROM c.id_form_universal))))
  + (SELECT count(*) FROM src_vn_json.observations_json p
     WHERE (p.item #>> '{date,@timestamp}')::bigint >= %(deletions_from)s
       AND p.update_ts < %(download_started)s
       AND NOT EXISTS (SELECT FROM src_vn_json_check.observations_json c
                       WHERE (c.id, c.site) = (p.id, p.site)))
"""
# The runbook's fct_fix_sync, re-expressed: insert missing rows, update rows whose check
# update_ts is newer; it never deletes and never compares items.
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
    parser.add_argument("--port", type=int, default=55471)
    args = parser.parse_args()
    install()
    with temporary_cluster(args.port, ["vn_bench"]) as (cluster, _):
        db = PostgresResource(url=cluster.url("vn_bench"), statement_timeout_s=3600)
        with tempfile.TemporaryDirectory() as work:
            tool = ClientApiVn(config_file=str(DEMO_TRANSFER_VN_CONFIG), work_dir=work)
            create_tables(tool, db, (PRODUCTION, CHECK))
        with db.connect() as conn:
            summary = load_demo_data(conn, rows=args.rows, window_share=args.window_share)
            apply_schema(conn, "vn_sync", bookkeeping_only=True)
            window = _record_window(conn)
            conn.execute(COUNT_TOUCHED)
            needed = conn.execute(NEEDED, window).fetchone()[0]
            in_window = conn.execute(
                "SELECT count(*) FROM src_vn_json.observations_json "
                "WHERE (item #>> '{date,@timestamp}')::bigint >= %(deletions_from)s", window
            ).fetchone()[0]
            conn.execute("CHECKPOINT")
        print(
            f"data: {summary.observations:,} production rows ({in_window:,} in the window), "
            f"{summary.check_observations:,} in the check copy, loaded in "
            f"{summary.seconds:.1f} s; {needed:,} rows need a change",
            flush=True,
        )
        with cluster.connect(autocommit=True) as conn:
            conn.execute("CREATE DATABASE vn_runbook TEMPLATE vn_bench")
        runbook = PostgresResource(url=cluster.url("vn_runbook"))

        started = time.perf_counter()
        with runbook.connect() as conn, conn.transaction():
            conn.execute(RUNBOOK)
        runbook_s = time.perf_counter() - started
        runbook_touched = _touched(runbook)

        started = time.perf_counter()
        result = dg.materialize(
            [repair.vn_sync_repair], resources={"vn_db": db, "notifier": SmtpNotifier()}
        )
        repair_s = time.perf_counter() - started
        touched = _touched(db)
        meta = {
            k: v.value
            for e in result.get_asset_materialization_events()
            if e.asset_key.path[-1] == "observations_json"
            for k, v in e.materialization.metadata.items()
        }
        with db.connect() as conn:
            left = conn.execute(NEEDED, window).fetchone()[0]

    print(
        f"vn_sync_repair: {repair_s:.2f} s (whole run: observations, forms, places), "
        f"{meta['inserted']:,} inserted, {meta['updated']:,} updated, {meta['deleted']:,} "
        f"deleted, {meta['kept_newer']:,} newer in production kept"
    )
    print(f"  rows touched {touched:,} / rows that needed a change {needed:,} = "
          f"{touched / needed:.3f}; left to change afterwards: {left:,}")
    print(f"runbook's procedure: {runbook_s:.2f} s, rows touched {runbook_touched:,} "
          f"(it cannot delete nor see same-timestamp edits)")
    print(f"ratio vn_sync_repair / runbook procedure: {repair_s / runbook_s:.2f}")


def _record_window(conn) -> dict[str, int]:
    """The window a download started now would have recorded."""
    now = datetime.now(UTC)
    start = now.date() - timedelta(days=14)
    deletions_from = int(
        datetime.combine(start + timedelta(days=1), datetime.min.time(), UTC).timestamp()
    )
    window = {"deletions_from": deletions_from, "download_started": int(now.timestamp())}
    conn.execute(
        statement("vn_sync/reconcile", "record_window"),
        {**window, "check_schema": CHECK, "window_start": start, "type_date": "sighting",
         "tables": ["observations_json", "forms_json", "places_json"], "run_id": "bench"},
    )
    return window


def _touched(db: PostgresResource) -> int:
    with db.connect() as conn:
        return conn.execute(sql.SQL("SELECT n FROM public.touched")).fetchone()[0]


if __name__ == "__main__":
    main()

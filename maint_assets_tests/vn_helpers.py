"""Hand-made VisioNature rows and a weekly run through the stand-in download."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import dagster as dg
import psycopg
from psycopg import sql

from maint_assets.core.notify import SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import download, repair
from maint_assets.vn_sync.client_api_vn import ClientApiVn
from maint_assets.vn_sync.demo_data import DEMO_TRANSFER_VN_CONFIG
from maint_assets.vn_sync.keys import CHECK, PRODUCTION, TABLES

DAY = 86400
STAND_IN = f"{sys.executable} -m maint_assets.vn_sync.stand_in"


def day(days_ago: int) -> int:
    """Midnight (UTC) of the sighting date ``days_ago`` days back, as VisioNature stamps it."""
    return (int(time.time()) // DAY - days_ago) * DAY


def observation(
    id_: int,
    site: str,
    days_ago: int,
    update_ts: int,
    count: str = "1",
    form: str | None = None,
    place: int = 1,
) -> tuple[int, str, str, int, str | None]:
    item = {
        "date": {"@timestamp": str(day(days_ago))},
        "place": {"@id": str(place)},
        "species": {"@id": "42"},
        "observers": [
            {
                "@id": "7",
                "@uid": "10007",
                "id_sighting": str(id_),
                "count": count,
                "insert_date": str(day(days_ago) + 3600),
                "update_date": str(update_ts),
            }
        ],
    }
    return id_, site, json.dumps(item), update_ts, form


def insert_observations(conn: psycopg.Connection, schema: str, rows: list[tuple]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            sql.SQL(
                "INSERT INTO {} (id, site, item, update_ts, id_form_universal) "
                "VALUES (%s, %s, %s::jsonb, %s, %s)"
            ).format(sql.Identifier(schema, "observations_json")),
            rows,
        )


def insert_items(conn: psycopg.Connection, schema: str, table: str, rows: list[tuple]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            sql.SQL("INSERT INTO {} (id, site, item) VALUES (%s, %s, %s::jsonb)").format(
                sql.Identifier(schema, table)
            ),
            [(i, s, json.dumps(item)) for i, s, item in rows],
        )


def place(id_: int, name: str = "Lieu") -> dict:
    return {"@id": str(id_), "name": name}


def form(id_: int, site: str, days_ago: int) -> dict:
    date = time.strftime("%Y-%m-%d", time.gmtime(day(days_ago)))
    return {
        "@id": str(id_),
        "id_form_universal": f"{site}_{id_}",
        "date_start": date,
        "date_stop": date,
    }


def table_rows(conn: psycopg.Connection, schema: str, table: str) -> dict[tuple, tuple]:
    extra = ", update_ts" if table == "observations_json" else ""
    rows = conn.execute(
        sql.SQL("SELECT id, site, item{} FROM {}").format(
            sql.SQL(extra), sql.Identifier(schema, table)
        )
    ).fetchall()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def snapshot(conn: psycopg.Connection) -> dict[str, dict]:
    return {
        f"{schema}.{table}": table_rows(conn, schema, table)
        for schema in (PRODUCTION, CHECK)
        for table in TABLES
    }


def track_writes(conn: psycopg.Connection) -> None:
    """A row trigger on production, like GeoNature's, logging every row it fires for."""
    conn.execute(
        """
        CREATE TABLE public.fired (tbl text, op text, id int, site text);
        CREATE FUNCTION public.log_fired() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO public.fired
          VALUES (TG_TABLE_NAME, TG_OP, coalesce(NEW.id, OLD.id), coalesce(NEW.site, OLD.site));
          RETURN NULL;
        END $$;
        """
    )
    for table in TABLES:
        conn.execute(
            sql.SQL(
                "CREATE TRIGGER fired AFTER INSERT OR UPDATE OR DELETE ON {} "
                "FOR EACH ROW EXECUTE FUNCTION public.log_fired()"
            ).format(sql.Identifier(PRODUCTION, table))
        )


def resources(
    url: str, work_dir: Path, notifier: SmtpNotifier | None = None, **tool: str
) -> dict[str, object]:
    return {
        "vn_db": PostgresResource(url=url, lock_timeout_s=5),
        "client_api_vn": ClientApiVn(
            config_file=tool.pop("config_file", str(DEMO_TRANSFER_VN_CONFIG)),
            work_dir=str(work_dir),
            download_command=tool.pop("download_command", STAND_IN),
        ),
        "notifier": notifier or SmtpNotifier(),
    }


def weekly(
    res: dict[str, object],
    download_config: dict | None = None,
    repair_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    """The weekly job's two steps, as the schedule runs them."""
    return dg.materialize(
        [download.vn_check_download, repair.vn_sync_repair],
        resources=res,
        run_config={
            "ops": {
                "vn_check_download": {"config": {"mode": "window", **(download_config or {})}},
                "vn_sync_repair": {"config": repair_config or {}},
            }
        },
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, object]]:
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


def failure_text(result: dg.ExecuteInProcessResult) -> str:
    """The first failed step's error with its causes, as the run's log shows them."""
    error = result.get_step_failure_events()[0].event_specific_data.error
    messages = []
    while error is not None:
        messages.append(error.message)
        error = error.cause
    return "\n".join(messages)

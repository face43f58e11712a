"""A fake VisioNature site served over HTTP to the real transfer_vn, the transfer_vn
configuration pointing at it, and the weekly job's two steps."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import psycopg
import yaml
from psycopg import sql

from maint_assets.core.notify import SmtpNotifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo import vn_fake_site
from maint_assets.demo.vn_fake_api import FakeVisioNature
from maint_assets.demo.vn_fake_site import FakeSite, Layout
from maint_assets.demo.vn_site_copy import copy_site
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.assets.vn_check_copy import vn_check_copy
from maint_assets.vn_sync.assets.vn_sync_repair import SUMMARY_MAILED, vn_sync_repair
from maint_assets.vn_sync.automation import CHECK_COPY_OP
from maint_assets.vn_sync.checks import agrees_with_check_copy
from maint_assets.vn_sync.client_api_vn import DEFAULT_VENV, ClientApiVn
from maint_assets.vn_sync.keys import CHECK, PRODUCTION, TABLES

CONTROLERS = (
    "entities", "families", "fields", "local_admin_units", "observations", "observers", "places",
    "species", "taxo_groups", "territorial_units", "validations",
)
LAYOUT = Layout(units=2, communes=2, places=3)


def later_second() -> None:
    """Returns once a timestamp taken from now on falls in a later whole second than any taken
    before the call, whether each is truncated or rounded to the second (PostgreSQL's
    timestamp(0), deleted_at, rounds): 0.5-1.5 s, where a fixed 2 s sleep was the margin."""
    now = time.time()
    time.sleep(math.floor(now + 0.5) + 1.02 - now)


def today() -> date:
    return datetime.now(UTC).date()


def days_ago(n: int) -> date:
    return today() - timedelta(days=n)


class VnWorld:
    """One test database's fake VisioNature (its sites' data and the HTTP server) and the
    operator's transfer_vn configuration, written from Client-API-VN's template keys."""

    def __init__(
        self, url: str, tmp_path: Path, sites: tuple[str, ...] = ("tst1",), fresh: bool = True
    ) -> None:
        """``fresh``: a new fake site schema; else the database already holds one."""
        self.url, self.tmp_path = url, tmp_path
        self.conn = psycopg.connect(url, autocommit=True)
        if fresh:
            vn_fake_site.create(self.conn)
        self.sites = {name: FakeSite(self.conn, name, number=30 + i)
                      for i, name in enumerate(sites)}
        if fresh:
            for site in self.sites.values():
                site.add_reference(LAYOUT)
        self.server = FakeVisioNature(url).start()
        self.config = tmp_path / "transfer_vn.yaml"
        self.configure()

    def configure(
        self, disabled_sites: tuple[str, ...] = (), taxo_exclude: tuple[str, ...] = (),
        territorial_unit_ids: tuple[str, ...] = (), type_date: str = "sighting",
        disabled_controlers: tuple[str, ...] = (),
    ) -> None:
        filters: dict[str, object] = {"type_date": type_date, "json_format": "short"}
        if taxo_exclude:
            filters["taxo_exclude"] = list(taxo_exclude)
        if territorial_unit_ids:
            filters["territorial_unit_ids"] = list(territorial_unit_ids)
        config = {
            "main": {"admin_mail": "vn-admin@example.org"},
            "controler": {
                c: {"enabled": c not in disabled_controlers, "schedule": {"hour": "3"}}
                for c in CONTROLERS
            },
            "filter": filters,
            "site": {
                name: {"enabled": name not in disabled_sites,
                       "site": self.server.site_url(name), "user_email": "demo@example.org",
                       "user_pw": "site-password-1", "client_key": "demo-key",
                       "client_secret": "demo-secret"}
                for name in self.sites
            },
            "database": {
                "enabled": True, "db_host": "localhost", "db_port": 5432, "db_name": "vn",
                "db_schema_import": CHECK, "db_schema_vn": "src_vn_check",
                "db_group": "vn_group", "db_user": "placeholder", "db_pw": "placeholder",
                "db_secret_key": "test-secret-key", "db_out_proj": 2154,
            },
            # fail fast: Client-API-VN retries a failed call max_retry times, retry_delay apart
            "tuning": {"max_retry": 1, "retry_delay": 0, "sched_executors": 2},
        }
        self.config.write_text(yaml.safe_dump(config, sort_keys=False, indent=4))

    def tool(self, work: str = "work") -> ClientApiVn:
        return ClientApiVn(config_file=str(self.config), work_dir=str(self.tmp_path / work))

    def resources(
        self, notifier: SmtpNotifier | None = None, url: str | None = None
    ) -> dict[str, object]:
        return {
            "vn_db": PostgresResource(url=url or self.url, lock_timeout_s=5),
            "client_api_vn": self.tool(),
            "notifier": notifier or SmtpNotifier(),
        }

    def copy(self, schemas: tuple[str, ...] = (PRODUCTION, CHECK),
             ids: list[int] | None = None, site: str = "tst1") -> None:
        """The site's sightings into the copies as transfer_vn stores them (both syncs in
        step), and a watermark for their next --update."""
        for schema in schemas:
            copy_site(self.conn, DEFAULT_VENV, schema, [site], ids=ids)
            self.conn.execute(
                sql.SQL("INSERT INTO {} (site, taxo_group, last_ts) "
                        "SELECT %s, g, localtimestamp FROM unnest(%s::int[]) g "
                        "ON CONFLICT DO NOTHING").format(sql.Identifier(schema, "increment_log")),
                [site, [1, 2, 3, 37, -1]],
            )

    def close(self) -> None:
        self.server.stop()
        self.conn.close()


# A transient failure is run again at once: the tests' faults are over by then.
NO_RETRY_WAIT = {"transient_retry_delay_s": 0}


def weekly(
    res: dict[str, object],
    download_config: dict | None = None,
    repair_config: dict | None = None,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    """The weekly job's steps, as the schedule runs them: the repair's check included, which
    must pass after every repair (whatever the scenario, production agrees with the check copy
    where the repair answered for it)."""
    return _agreeing(dg.materialize(
        [vn_check_copy, vn_sync_repair, agrees_with_check_copy],
        resources=res,
        instance=instance,
        run_config={
            "ops": {
                CHECK_COPY_OP: {"config": {"mode": "window", **NO_RETRY_WAIT,
                                           **(download_config or {})}},
                "vn_sync_repair": {"config": repair_config or {}},
            }
        },
        raise_on_error=False,
    ))


def adopted(res: dict[str, object]) -> dg.ExecuteInProcessResult:
    """The weekly job's steps taking the operator's own check copy (mode adopt)."""
    return _agreeing(dg.materialize(
        [vn_check_copy, vn_sync_repair, agrees_with_check_copy],
        resources=res,
        run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "adopt"}}}},
        raise_on_error=False,
    ))


def _agreeing(result: dg.ExecuteInProcessResult) -> dg.ExecuteInProcessResult:
    evaluations = [e for e in result.get_asset_check_evaluations()
                   if e.check_name != SUMMARY_MAILED.name]  # the mail's, tested apart
    assert len(evaluations) == result.success  # a repair that ran was checked
    for evaluation in evaluations:
        assert evaluation.passed, (evaluation.description, evaluation.metadata)
    return result


def daily(res: dict[str, object]) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [vn_check_copy], resources=res,
        run_config={"ops": {CHECK_COPY_OP: {"config": {"mode": "update", **NO_RETRY_WAIT}}}},
        raise_on_error=False,
    )


def places_in_step(world: VnWorld) -> tuple[PostgresResource, psycopg.Connection]:
    """Sightings at the first three places, both copies in step with the site, the deletion
    capture installed, and the places' diff watermark (-1) of both copies set to now."""
    site = world.sites["tst1"]
    for i in range(1, 13):
        site.add_sightings([i], days_ago(3 + i % 6), 1, LAYOUT.place_ids()[i % 3])
    world.copy()
    db = PostgresResource(url=world.url)
    bookkeeping.prepare(db, [CHECK, PRODUCTION])
    conn = world.conn
    for schema in (CHECK, PRODUCTION):
        conn.execute(f"UPDATE {schema}.increment_log SET last_ts = localtimestamp "
                     "WHERE taxo_group = -1")
    return db, conn


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


def fired(conn: psycopg.Connection) -> Counter:
    return Counter(conn.execute("SELECT tbl, op, id, site FROM public.fired").fetchall())


def monitoring(conn: psycopg.Connection, run_id: str) -> list[tuple]:
    return conn.execute(
        "SELECT action, count, table_name, site, item_id, detail "
        "FROM maint_assets.vn_monitoring WHERE run_id = %s ORDER BY id", [run_id]
    ).fetchall()


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


"""The ``maint-assets`` command: the local database, demo data, and the demo itself."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import time
from pathlib import Path

from maint_assets.atlas.privileges import TARGETS as ATLAS_ROLES
from maint_assets.catalog.privileges import TARGETS as CATALOG_ROLES
from maint_assets.core.paths import CHECKOUT, STATE_DIR
from maint_assets.core.postgres import DatabaseUnavailable, PostgresResource
from maint_assets.core.roles import (
    RESTORE_CHECKS,
    apply,
    maintained_relations,
    prepare_template,
    registry,
)
from maint_assets.core.schema import apply_schema
from maint_assets.demo.catalog_data import DEMO_DATASETS as DEMO_CATALOG_DATASETS
from maint_assets.demo.catalog_data import write_pages
from maint_assets.demo.ingest_data import DEMO_TABLES_FILE, write_source
from maint_assets.demo.local_cluster import SUPERUSER, ClusterError, LocalCluster
from maint_assets.demo.metabase_stand_in import load_stand_in
from maint_assets.demo.vn_data import DEMO_ROWS, DEMO_TRANSFER_VN_CONFIG, serve_demo_site
from maint_assets.ingest.privileges import TARGETS as INGEST_ROLES
from maint_assets.ingest.tables import load_spec
from maint_assets.metabase.privileges import TARGETS as METABASE_ROLES
from maint_assets.vn_sync.client_api_vn import (
    DEFAULT_VENV,
    DEFAULT_WORK_DIR,
    VENV_ENV,
    WORK_DIR_ENV,
    ClientApiVn,
)
from maint_assets.vn_sync.privileges import TARGETS as VN_SYNC_ROLES
from maint_assets.webarchive.privileges import TARGETS as WEBARCHIVE_ROLES

ROLE_TARGETS = registry(
    ATLAS_ROLES, CATALOG_ROLES, INGEST_ROLES, METABASE_ROLES, VN_SYNC_ROLES, WEBARCHIVE_ROLES,
    (RESTORE_CHECKS,),
)
DEMO_DATABASES = (
    "atlas",
    "dagster",
    "metabase",
    "vn",
    "webarchive",
    "w3act",
    "catalog",
    "portal",
)
DEMO_WARC_STORE = STATE_DIR / "webarchive" / "warcs"
DEMO_CATALOG_PAGES = STATE_DIR / "catalog" / "pages"
DEMO_INGEST_SOURCE = STATE_DIR / "ingest" / "source"
DEMO_VN_CONFIG = STATE_DIR / "vn_sync" / "transfer_vn.yaml"
DEMO_MAILDIR = STATE_DIR / "mails"
DEMO_DAGSTER_HOME = STATE_DIR / "dagster_home"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ClusterError, DatabaseUnavailable) as err:
        print(f"maint-assets: {err}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maint-assets", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="the private PostgreSQL cluster under .maint/")
    db_commands = db.add_subparsers(required=True, metavar="ACTION")
    db_commands.add_parser("up", help="initialise and start it, create its databases").set_defaults(
        run=_db_up
    )
    db_commands.add_parser("down", help="stop it").set_defaults(run=_db_down)
    db_commands.add_parser(
        "status", help="say whether it runs, where and on which port"
    ).set_defaults(run=_db_status)
    url = db_commands.add_parser("url", help="print a database's URL (password in PGPASSFILE)")
    url.add_argument("--database", default="atlas")
    url.set_defaults(run=_db_url)
    env = db_commands.add_parser(
        "env",
        help="print shell exports for the demo's environment; plain psql then connects to "
        "--database",
    )
    env.add_argument("--database", default="atlas")
    env.set_defaults(run=_db_env)

    schema = commands.add_parser("schema", help="apply a domain's idempotent DDL to its database")
    schema.add_argument("domain", choices=["atlas"])
    schema.add_argument(
        "--bookkeeping",
        action="store_true",
        help="only maint_assets' own schemas (for an existing production database)",
    )
    schema.set_defaults(run=_schema)

    capture = commands.add_parser(
        "capture", help="install change capture (and bookkeeping) on a domain's database"
    )
    capture.add_argument("domain", choices=["atlas"])
    capture.add_argument(
        "--build-geom-index",
        action="store_true",
        help="build the missing GiST indexes on observations.geom, CONCURRENTLY",
    )
    capture.set_defaults(run=_capture)

    demo_data = commands.add_parser("demo-data", help="generate a Québec-like atlas dataset")
    demo_data.add_argument("--observations", type=int, default=100_000)
    demo_data.add_argument("--seed", type=int, default=1)
    _region_arguments(demo_data)
    demo_data.add_argument(
        "--if-empty", action="store_true", help="do nothing when observations are already loaded"
    )
    demo_data.set_defaults(run=_demo_data)

    vn = commands.add_parser("vn", help="VisioNature: Client-API-VN's environment, tables, demo")
    vn_commands = vn.add_subparsers(required=True, metavar="ACTION")
    vn_commands.add_parser(
        "install-tool", help="create Client-API-VN's own virtualenv (.maint/client-api-vn)"
    ).set_defaults(run=_vn_install_tool)
    vn_commands.add_parser(
        "tables", help="transfer_vn --json_tables_create for src_vn_json and src_vn_json_check"
    ).set_defaults(run=_vn_tables)
    vn_demo = vn_commands.add_parser(
        "demo-data", help="VisioNature-like sightings with a failing sync's divergences"
    )
    vn_demo.add_argument("--observations", type=int, default=DEMO_ROWS)
    vn_demo.add_argument("--seed", type=int, default=1)
    vn_demo.add_argument("--if-empty", action="store_true")
    vn_demo.set_defaults(run=_vn_demo_data)

    roles = commands.add_parser("roles", help="the least-privileged maintenance role")
    roles_commands = roles.add_subparsers(required=True, metavar="ACTION")
    apply_role = roles_commands.add_parser(
        "apply", help="create or restrict the role and grant what a domain's assets need"
    )
    apply_role.add_argument("domain", choices=sorted(ROLE_TARGETS))
    apply_role.add_argument("--role", default="maint_assets")
    apply_role.add_argument(
        "--url", help="an administrator's connection (default: the domain's *_DATABASE_URL)"
    )
    apply_role.add_argument(
        "--production-schema", default="", help="ingest only (default: INGEST_TABLES_FILE's)"
    )
    apply_role.add_argument(
        "--vn-group", default="", help="vn only (default: VN_TRANSFER_VN_CONFIG's db_group)"
    )
    apply_role.set_defaults(run=_roles_apply)

    demo = commands.add_parser(
        "demo",
        help="database up, demo data if missing, mail sink, Pushgateway, Dagster UI",
    )
    demo.add_argument("--observations", type=int, default=100_000)
    demo.add_argument(
        "--vn-observations", type=int, default=DEMO_ROWS, metavar="N",
        help=f"sightings of the fake VisioNature site (default {DEMO_ROWS:,}; a tenth of them "
        "in the weekly repair's 14-day window, which transfer_vn downloads and polls again)",
    )
    demo.add_argument(
        "--catalog-datasets", type=int, default=DEMO_CATALOG_DATASETS, metavar="N",
        help=f"datasets of the DCAT catalogue pages, 500 a page (default "
        f"{DEMO_CATALOG_DATASETS:,}; the catalogue's job parses each page with rdflib, a few "
        "seconds a page)",
    )
    _region_arguments(demo)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=3000, help="the Dagster UI's")
    demo.add_argument("--smtp-port", type=int, default=2525, help="the mail sink's")
    demo.add_argument("--pushgateway-port", type=int, default=9091)
    demo.set_defaults(run=_demo)
    demo_commands = demo.add_subparsers(metavar="ACTION")
    mails = demo_commands.add_parser("mails", help="the alerts the demo's mail sink received")
    mails.add_argument("--last", type=int, default=10, help="how many (newest), 0: all")
    mails.add_argument("--body", action="store_true", help="with their text")
    mails.set_defaults(run=_demo_mails)
    shot = demo_commands.add_parser(
        "screenshot", help="the running demo's expanded global lineage as a PNG (for the README)"
    )
    shot.add_argument("--url", default="http://127.0.0.1:3000", help="the Dagster UI's")
    shot.add_argument("--out", type=Path, default=CHECKOUT / "docs" / "lineage.png")
    shot.add_argument(
        "--zoom-out-steps", type=int, default=2, help="graph zoom-outs after expanding all groups"
    )
    shot.set_defaults(run=_demo_screenshot)
    return parser


def _cluster() -> LocalCluster:
    return LocalCluster.for_state_dir(STATE_DIR)


def demo_environment(cluster: LocalCluster) -> dict[str, str]:
    """Environment for Dagster and the assets against the local cluster; prepares the
    Dagster home, whose dagster.yaml is the checkout's."""
    home = DEMO_DAGSTER_HOME
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.is_symlink():
        config.symlink_to(CHECKOUT / "dagster.yaml")
    return {
        **cluster.client_env(),
        "ATLAS_DATABASE_URL": cluster.url("atlas"),
        # staging and scratch databases are created on the same local server
        "ATLAS_STAGING_SERVER_URL": cluster.url("postgres"),
        "MAINT_RESTORE_SERVER_URL": cluster.url("postgres"),
        # The demo's replica resolves with the shipped checklist and accepts the names its
        # data invents on purpose; anywhere else GBIF resolves and unmatched names fail.
        "ATLAS_TAXONOMY_RESOLVER": "checklist",
        "ATLAS_TAXONOMY_ACCEPT_UNRESOLVED": "true",
        "METABASE_DATABASE_URL": cluster.url("metabase"),
        "VN_DATABASE_URL": cluster.url("vn"),
        # No VisioNature site here: the demo serves a fake one and writes this configuration
        # for it (maint_assets.demo.vn_data.serve_demo_site).
        "VN_TRANSFER_VN_CONFIG": str(DEMO_VN_CONFIG),
        "WEBARCHIVE_DATABASE_URL": cluster.url("webarchive"),
        "W3ACT_DATABASE_URL": cluster.url("w3act"),
        "WEBARCHIVE_STORE_URL": str(DEMO_WARC_STORE),
        "WEBARCHIVE_SENSOR_INTERVAL_S": "10",
        "CATALOG_DATABASE_URL": cluster.url("catalog"),
        "CATALOG_PAGES_URL": str(DEMO_CATALOG_PAGES),
        "CATALOG_SENSOR_INTERVAL_S": "10",
        "INGEST_DATABASE_URL": cluster.url("portal"),
        "INGEST_TABLES_FILE": str(DEMO_TABLES_FILE),
        "INGEST_SOURCE_URL": str(DEMO_INGEST_SOURCE),
        "DAGSTER_PG_URL": cluster.url("dagster").replace(
            "postgresql://", "postgresql+psycopg2://", 1
        ),
        "DAGSTER_HOME": str(home),
        # The demo reacts faster than the production defaults (30 s).
        "ATLAS_CHANGE_SENSOR_INTERVAL_S": "5",
        "MAINT_AUTOMATION_INTERVAL_S": "5",
    }


def _db_up(_: argparse.Namespace) -> int:
    cluster = _cluster()
    state = cluster.up(DEMO_DATABASES)
    print(
        f"PostgreSQL running on {cluster.host}:{state.port} "
        f"(pid {state.pid}, data {state.data_dir})"
    )
    return 0


def _db_down(_: argparse.Namespace) -> int:
    _cluster().down()
    print("PostgreSQL stopped")
    return 0


def _db_status(_: argparse.Namespace) -> int:
    cluster = _cluster()
    state = cluster.status()
    if state.running:
        print(
            f"running on {cluster.host}:{state.port} (pid {state.pid}, data {state.data_dir}); "
            f"connect with PGPASSFILE={cluster.passfile} psql {cluster.url('atlas')}"
        )
        return 0
    print(
        f"stopped ({'initialised' if state.initialized else 'not initialised'}, "
        f"data {state.data_dir}, port {state.port})"
    )
    return 3


def _db_url(args: argparse.Namespace) -> int:
    print(_cluster().url(args.database))
    return 0


def libpq_environment(cluster: LocalCluster, database: str) -> dict[str, str]:
    """libpq's own variables for the cluster, so psql, pg_dump and friends need no argument;
    the password stays in the cluster's 0600 pass file."""
    return {
        "PGHOST": cluster.host,
        "PGPORT": str(cluster.port),
        "PGDATABASE": database,
        "PGUSER": SUPERUSER,
        "PGPASSFILE": str(cluster.passfile),
    }


def _db_env(args: argparse.Namespace) -> int:
    cluster = _cluster()
    env = {**demo_environment(cluster), **libpq_environment(cluster, args.database)}
    for name, value in env.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


def _database(variable: str, local_name: str) -> PostgresResource:
    """The database ``variable`` names, or the local cluster's ``local_name`` when it is unset."""
    if variable not in os.environ:
        cluster = _cluster()
        cluster.up(DEMO_DATABASES)
        os.environ.update(cluster.client_env())
        os.environ[variable] = cluster.url(local_name)
    return PostgresResource(url=os.environ[variable])


def _atlas_db() -> PostgresResource:
    return _database("ATLAS_DATABASE_URL", "atlas")


def _roles_apply(args: argparse.Namespace) -> int:
    from maint_assets.definitions import defs

    target = ROLE_TARGETS[args.domain]
    variable = target.variable
    url = args.url or os.environ.get(variable)
    if not url:
        print(f"maint-assets: give --url or set {variable}", file=sys.stderr)
        return 2
    production = args.production_schema
    if args.domain == "ingest" and not production and os.environ.get("INGEST_TABLES_FILE"):
        production = load_spec(Path(os.environ["INGEST_TABLES_FILE"])).production
    group = args.vn_group
    if args.domain == "vn" and not group and os.environ.get("VN_TRANSFER_VN_CONFIG"):
        config = ClientApiVn(config_file=os.environ["VN_TRANSFER_VN_CONFIG"]).user_config()
        group = config.get("database", {}).get("db_group", "")
    try:
        needs = target.resolve(production_schema=production, vn_group=group)
    except ValueError as err:
        print(f"maint-assets: {args.domain}: {err}", file=sys.stderr)
        return 2
    db = PostgresResource(url=url)
    with db.connect() as conn, conn.transaction():
        done = apply(conn, args.role, needs, maintained_relations(defs, needs.key_prefix))
    if needs.template is not None:
        done += prepare_template(db, needs.template)
    print(f"role {args.role} on {db.describe()}:")
    print("\n".join(f"  {line}" for line in done))
    return 0


def _schema(args: argparse.Namespace) -> int:
    from maint_assets.demo.atlas_replica import apply_replica

    db = _atlas_db()
    with db.connect() as conn:
        if args.bookkeeping:
            applied = apply_schema(conn, args.domain, bookkeeping_only=True)
        else:  # an empty database: the replica of production's schema, as the demo has it
            applied = apply_replica(conn)
    print(f"applied {', '.join(applied)} to {db.describe()}")
    return 0


def _capture(args: argparse.Namespace) -> int:
    from maint_assets.atlas import change_log

    db = _atlas_db()
    with db.connect() as conn:
        applied = apply_schema(conn, args.domain, bookkeeping_only=True)
        applied += change_log.install_capture(conn)
        retired = change_log.retire_old_check_index(conn)
        missing = change_log.missing_geom_indexes(conn)
        built = change_log.build_geom_indexes(conn) if args.build_geom_index else []
    print(f"applied {', '.join(applied)} to {db.describe()}")
    if retired:
        print(retired)
    for line in built:
        print(f"  {line}")
    if missing and not built:
        print(
            "warning: observations.geom has no valid GiST index ("
            + "; ".join(missing)
            + "): a changed region is counted again by reading every observation; build them "
            "without blocking writes with: maint-assets capture atlas --build-geom-index"
        )
    return 0


def _region_arguments(parser: argparse.ArgumentParser) -> None:
    from maint_assets.demo.atlas_data import DETAIL_SPACING

    parser.add_argument(
        "--region-detail",
        type=float,
        default=DETAIL_SPACING,
        metavar="DEGREES",
        help=f"length of the segments region outlines are detailed in (default {DETAIL_SPACING}:"
        " vertex counts like the real boundaries'; larger is coarser and faster to count)",
    )
    parser.add_argument(
        "--province-size",
        type=float,
        default=1.0,
        metavar="FRACTION",
        help="draw the province this much smaller (default 1: Québec's extent); the same "
        "levels, far fewer cells to cut, so builds and staging copies go faster",
    )


def _demo_data(args: argparse.Namespace) -> int:
    from maint_assets.atlas.change_log import install_capture
    from maint_assets.demo.atlas_data import is_loaded, load_demo_data
    from maint_assets.demo.atlas_replica import apply_replica

    db = _atlas_db()
    with db.connect() as conn:
        apply_replica(conn)
        install_capture(conn)
        if args.if_empty and is_loaded(conn):
            print(f"demo data already loaded in {db.describe()}")
            return 0
        summary = load_demo_data(
            conn,
            observations=args.observations,
            seed=args.seed,
            spacing=args.region_detail,
            province_size=args.province_size,
        )
    print(
        f"loaded {summary.observations} observations, {summary.regions} regions and "
        f"{summary.taxa_obs} taxa_obs names into {db.describe()} in {summary.seconds:.1f} s "
        f"({summary.rows_per_second:,.0f} observations/s)"
    )
    return 0


def _vn_install_tool(_: argparse.Namespace) -> int:
    from maint_assets.vn_sync.client_api_vn import install

    print(f"transfer_vn ready: {install()}")
    return 0


def _vn_env() -> tuple[PostgresResource, ClientApiVn]:
    """The configured VisioNature database and transfer_vn configuration, or the local
    cluster's database and the demo configuration."""
    config = os.environ.get("VN_TRANSFER_VN_CONFIG", str(DEMO_TRANSFER_VN_CONFIG))
    if config == str(DEMO_VN_CONFIG) and not DEMO_VN_CONFIG.exists():
        config = str(DEMO_TRANSFER_VN_CONFIG)  # the demo writes it when it serves its site
    # The same settings as the code location's resource (vn_sync/resources.py), read now.
    tool = ClientApiVn(
        config_file=config,
        venv=os.environ.get(VENV_ENV) or str(DEFAULT_VENV),
        work_dir=os.environ.get(WORK_DIR_ENV) or str(DEFAULT_WORK_DIR),
    )
    return _database("VN_DATABASE_URL", "vn"), tool


def _vn_tables(_: argparse.Namespace) -> int:
    from maint_assets.vn_sync.bookkeeping import prepare
    from maint_assets.vn_sync.keys import CHECK, PRODUCTION
    from maint_assets.vn_sync.tables import create_tables

    db, tool = _vn_env()
    create_tables(tool, db, (PRODUCTION, CHECK))
    prepare(db, [CHECK, PRODUCTION])  # bookkeeping and deletion capture, from now on
    print(f"Client-API-VN tables present in {PRODUCTION} and {CHECK} of {db.describe()}, "
          "deletions captured")
    return 0


def _vn_demo_data(args: argparse.Namespace) -> int:
    from maint_assets.demo.vn_data import is_loaded, load_demo_data

    _vn_tables(args)
    db, tool = _vn_env()
    with db.connect() as conn:
        if args.if_empty and is_loaded(conn):
            print(f"VisioNature demo data already loaded in {db.describe()}")
            return 0
        summary = load_demo_data(conn, Path(tool.venv), rows=args.observations, seed=args.seed)
    print(
        f"loaded {summary.observations} production observations, {summary.forms} forms, "
        f"{summary.places} places ({summary.check_observations} in the check copy) into "
        f"{db.describe()} in {summary.seconds:.1f} s"
    )
    return 0


def _webarchive_demo_data(cluster: LocalCluster) -> None:
    from maint_assets.demo.webarchive_data import load_w3act, write_store

    if not DEMO_WARC_STORE.exists():
        captures = write_store(DEMO_WARC_STORE)
        print(f"wrote demo WARCs with {len(captures)} captures under {DEMO_WARC_STORE}")
    with cluster.connect("w3act", autocommit=True) as conn:
        load_w3act(conn)


def _demo(args: argparse.Namespace) -> int:
    from maint_assets.demo.services import (
        Endpoints,
        ServiceError,
        Services,
        show_automation_on,
        start_dagster,
        start_mail_sink,
        start_pushgateway,
    )

    def step(number: int, text: str) -> None:
        print(f"[{number}/5] {text}", flush=True)

    cluster = _cluster()
    was_running = cluster.status().running
    state = cluster.up(DEMO_DATABASES)
    step(
        1,
        f"PostgreSQL {'was running' if was_running else 'started'} on "
        f"{cluster.host}:{state.port} (data {state.data_dir}; `maint-assets db env` for psql)",
    )
    endpoints = Endpoints(args.host, args.port, args.smtp_port, args.pushgateway_port)
    env = {**demo_environment(cluster), **endpoints.environment()}
    os.environ.update(env)
    step(2, "demo data (loaded once, kept in the cluster and under the state directory):")
    _demo_data(
        argparse.Namespace(
            observations=args.observations,
            seed=1,
            if_empty=True,
            region_detail=args.region_detail,
            province_size=args.province_size,
        )
    )
    serve_demo_site(cluster.url("vn"), DEMO_VN_CONFIG)
    _vn_demo_data(argparse.Namespace(observations=args.vn_observations, seed=1, if_empty=True))
    _webarchive_demo_data(cluster)
    if not DEMO_CATALOG_PAGES.exists():
        pages = write_pages(DEMO_CATALOG_PAGES, datasets=args.catalog_datasets)
        print(f"wrote {pages} DCAT catalogue pages under {DEMO_CATALOG_PAGES}")
    if not DEMO_INGEST_SOURCE.exists():
        rows = write_source(DEMO_INGEST_SOURCE)
        print(f"wrote the portal's source files under {DEMO_INGEST_SOURCE}: {rows}")
    with cluster.connect("metabase", autocommit=True) as conn:
        if load_stand_in(conn):
            print("created a stand-in Metabase application database (metabase)")
    services = Services(STATE_DIR / "logs")
    # A SIGTERM (a service manager, a test's teardown) stops the services as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        start_mail_sink(services, DEMO_MAILDIR, endpoints)
        start_pushgateway(services, STATE_DIR, endpoints)
        step(
            3,
            f"alerts go to the mail sink on {endpoints.host}:{endpoints.smtp_port} (read them: "
            f"`maint-assets demo mails`), metrics to the Pushgateway on "
            f"{endpoints.pushgateway_url}",
        )
        log = services.logs / "dagster.log"
        step(4, f"Dagster starting (webserver, daemon, code server); its log: {log}")
        _, seconds = start_dagster(
            services, CHECKOUT / "workspace.yaml", DEMO_DAGSTER_HOME, os.environ, endpoints
        )
        show_automation_on(endpoints.ui_url)
        step(
            5,
            f"Dagster UI on {endpoints.ui_url} (up in {seconds:.0f} s). Ctrl-C stops Dagster, "
            "the mail sink and the Pushgateway; PostgreSQL keeps running until "
            "`maint-assets db down`.",
        )
        while True:
            services.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping Dagster, the mail sink and the Pushgateway...", flush=True)
    except ServiceError as err:
        print(f"maint-assets: {err}", file=sys.stderr)
        return 1
    finally:
        services.stop()
    return 0


def _demo_mails(args: argparse.Namespace) -> int:
    from maint_assets.demo.mails import describe, read

    received = read(DEMO_MAILDIR)
    shown = received[-args.last :] if args.last else received
    print(f"{len(received)} mail(s) in {DEMO_MAILDIR}" + (", newest last:" if shown else ""))
    for when, message in shown:
        print(describe(when, message, args.body))
    return 0


def _demo_screenshot(args: argparse.Namespace) -> int:
    from maint_assets.demo.browser import screenshot_lineage

    out = screenshot_lineage(args.url, args.out, args.zoom_out_steps)
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``maint-assets`` command: the local database, demo data, and the demo itself."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from maint_assets.core.database_unavailable import DatabaseUnavailable
from maint_assets.core.paths import CHECKOUT
from maint_assets.demo.catalog_data import DEMO_DATASETS as DEMO_CATALOG_DATASETS
from maint_assets.demo.local_cluster import ClusterError
from maint_assets.demo.sizes import DETAIL_SPACING, VN_SIGHTINGS

# The names of maint_assets.cli.roles.ROLE_TARGETS, written out: the registry loads every
# domain and Dagster with them (maint_assets_tests/core/test_roles.py checks both agree).
ROLE_DOMAINS = (
    "atlas",
    "atlas-staging",
    "catalog",
    "ingest",
    "metabase",
    "restore-checks",
    "shine",
    "vn",
    "w3act",
    "webarchive",
)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (ClusterError, DatabaseUnavailable) as err:
        print(f"maint-assets: {err}", file=sys.stderr)
        return 1


@dataclass(frozen=True)
class Command:
    """The function ``name`` of ``maint_assets.cli.<module>``, imported when the command runs:
    most commands load Dagster (seconds) through the domains, and `db env`, `db url`,
    `db status` and `--help` must not wait for it (shells evaluate `db env`, scripts call the
    others often)."""

    module: str
    name: str

    def __call__(self, args: argparse.Namespace) -> int:
        return self.function()(args)

    def function(self) -> Callable[[argparse.Namespace], int]:
        return getattr(importlib.import_module(f"{__name__}.{self.module}"), self.name)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="maint-assets", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="the private PostgreSQL cluster under .maint/")
    db_commands = db.add_subparsers(required=True, metavar="ACTION")
    db_commands.add_parser("up", help="initialise and start it, create its databases").set_defaults(
        run=Command("db", "up")
    )
    db_commands.add_parser("down", help="stop it").set_defaults(run=Command("db", "down"))
    db_commands.add_parser(
        "status", help="say whether it runs, where and on which port"
    ).set_defaults(run=Command("db", "status"))
    url = db_commands.add_parser("url", help="print a database's URL (password in PGPASSFILE)")
    url.add_argument("--database", default="atlas")
    url.set_defaults(run=Command("db", "url"))
    env = db_commands.add_parser(
        "env",
        help="print shell exports for the demo's environment; plain psql then connects to "
        "--database",
    )
    env.add_argument("--database", default="atlas")
    env.set_defaults(run=Command("db", "env"))

    schema = commands.add_parser("schema", help="apply a domain's idempotent DDL to its database")
    schema.add_argument("domain", choices=["atlas"])
    schema.add_argument(
        "--bookkeeping",
        action="store_true",
        help="only maint_assets' own schemas (for an existing production database)",
    )
    schema.set_defaults(run=Command("atlas", "schema"))

    capture = commands.add_parser(
        "capture", help="install change capture (and bookkeeping) on a domain's database"
    )
    capture.add_argument("domain", choices=["atlas"])
    capture.add_argument(
        "--build-geom-index",
        action="store_true",
        help="build the missing GiST indexes on observations.geom, CONCURRENTLY",
    )
    capture.set_defaults(run=Command("atlas", "capture"))

    demo_data = commands.add_parser("demo-data", help="generate a Québec-like atlas dataset")
    demo_data.add_argument("--observations", type=int, default=100_000,
                           help="generated atlas observations (replacing those loaded)")
    demo_data.add_argument("--seed", type=int, default=1, help="of the generator")
    _region_arguments(demo_data)
    demo_data.add_argument(
        "--if-empty", action="store_true", help="do nothing when observations are already loaded"
    )
    demo_data.set_defaults(run=Command("atlas", "demo_data"))

    vn = commands.add_parser("vn", help="VisioNature: Client-API-VN's environment, tables, demo")
    vn_commands = vn.add_subparsers(required=True, metavar="ACTION")
    vn_commands.add_parser(
        "install-tool", help="create Client-API-VN's own virtualenv (.maint/client-api-vn)"
    ).set_defaults(run=Command("vn", "install_tool"))
    vn_commands.add_parser(
        "tables", help="transfer_vn --json_tables_create for src_vn_json and src_vn_json_check"
    ).set_defaults(run=Command("vn", "tables"))
    vn_demo = vn_commands.add_parser(
        "demo-data", help="VisioNature-like sightings with a failing sync's divergences"
    )
    vn_demo.add_argument("--observations", type=int, default=VN_SIGHTINGS,
                         help="the fake VisioNature site's sightings")
    vn_demo.add_argument("--seed", type=int, default=1, help="of the generator")
    vn_demo.add_argument("--if-empty", action="store_true",
                         help="do nothing when its sightings are already loaded")
    vn_demo.set_defaults(run=Command("vn", "demo_data"))

    artifacts = commands.add_parser("artifacts", help="the artifact store (MAINT_ARTIFACTS_*)")
    artifacts_commands = artifacts.add_subparsers(required=True, metavar="ACTION")
    adopt = artifacts_commands.add_parser(
        "adopt",
        help="count a folder's backups recorded under a database's former name (its server "
        "moved) as the backups of its current one, so retention prunes them with those",
    )
    adopt.add_argument("folder", help="e.g. webarchive/w3act/dump (the backup's warning names it)")
    adopt.add_argument("--from", dest="former", required=True,
                       help="the source their manifests name, as the warning spells it")
    adopt.add_argument("--to", dest="source", required=True,
                       help="the source of today's backups, as the warning spells it")
    adopt.set_defaults(run=Command("artifacts", "adopt"))

    roles = commands.add_parser("roles", help="the least-privileged maintenance role")
    roles_commands = roles.add_subparsers(required=True, metavar="ACTION")
    apply_role = roles_commands.add_parser(
        "apply", help="create or restrict the role and grant what a domain's assets need"
    )
    apply_role.add_argument("domain", choices=ROLE_DOMAINS)
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
    apply_role.set_defaults(run=Command("roles", "apply_role"))

    demo = commands.add_parser(
        "demo",
        help="database up, demo data if missing, mail sink, Pushgateway, Dagster UI",
    )
    demo.add_argument("--observations", type=int, default=100_000,
                      help="atlas observations generated the first time")
    demo.add_argument(
        "--vn-observations", type=int, default=VN_SIGHTINGS, metavar="N",
        help=f"sightings of the fake VisioNature site (default {VN_SIGHTINGS:,}; a tenth of them "
        "in the weekly repair's 14-day window, which transfer_vn downloads and polls again)",
    )
    demo.add_argument(
        "--catalog-datasets", type=int, default=DEMO_CATALOG_DATASETS, metavar="N",
        help=f"datasets of the DCAT catalogue pages, 500 a page (default "
        f"{DEMO_CATALOG_DATASETS:,}; the catalogue's job parses each page with rdflib, a few "
        "seconds a page)",
    )
    _region_arguments(demo)
    demo.add_argument("--host", default="127.0.0.1",
                      help="the UI's address (anyone who reaches it can run every job)")
    demo.add_argument("--port", type=int, default=3000, help="the Dagster UI's")
    demo.add_argument("--smtp-port", type=int, default=2525, help="the mail sink's")
    demo.add_argument("--pushgateway-port", type=int, default=9091)
    demo.set_defaults(run=Command("demo", "serve"))
    demo_commands = demo.add_subparsers(metavar="ACTION")
    mails = demo_commands.add_parser("mails", help="the alerts the demo's mail sink received")
    mails.add_argument("--last", type=int, default=10, help="how many (newest), 0: all")
    mails.add_argument("--body", action="store_true", help="with their text")
    mails.set_defaults(run=Command("running_demo", "mails"))
    shot = demo_commands.add_parser(
        "screenshot", help="the running demo's expanded global lineage as a PNG (for the README)"
    )
    shot.add_argument("--url", default="http://127.0.0.1:3000", help="the Dagster UI's")
    shot.add_argument("--out", type=Path, default=CHECKOUT / "docs" / "lineage.png")
    shot.add_argument(
        "--zoom-out-steps", type=int, default=2, help="graph zoom-outs after expanding all groups"
    )
    shot.set_defaults(run=Command("running_demo", "screenshot"))
    return parser


def _region_arguments(parser: argparse.ArgumentParser) -> None:
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

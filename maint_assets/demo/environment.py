"""The demo's local state: its cluster and the databases it creates, where its files go under
the state directory, and the environment Dagster, the assets and psql run with against it.
Loads no Dagster: `eval "$(maint-assets db env)"` starts with it."""

from __future__ import annotations

from maint_assets.core.paths import CHECKOUT, STATE_DIR
from maint_assets.demo.ingest_data import DEMO_TABLES_FILE
from maint_assets.demo.local_cluster import SUPERUSER, LocalCluster

DEMO_DATABASES = (
    "atlas",
    "dagster",
    "metabase",
    "vn",
    "webarchive",
    "w3act",
    "shine",
    "catalog",
    "portal",
)
DEMO_WARC_STORE = STATE_DIR / "webarchive" / "warcs"
DEMO_CATALOG_PAGES = STATE_DIR / "catalog" / "pages"
DEMO_INGEST_SOURCE = STATE_DIR / "ingest" / "source"
DEMO_VN_CONFIG = STATE_DIR / "vn_sync" / "transfer_vn.yaml"
DEMO_MAILDIR = STATE_DIR / "mails"
DEMO_DAGSTER_HOME = STATE_DIR / "dagster_home"


def local_cluster() -> LocalCluster:
    """The demo's cluster, under the state directory (MAINT_STATE_DIR moves it)."""
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
        "SHINE_DATABASE_URL": cluster.url("shine"),
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

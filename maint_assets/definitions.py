"""The maint_assets code location: every domain's definitions, the automation sensor and the
alert and metrics sensors."""

import os

import dagster as dg

from maint_assets.atlas import definitions as atlas
from maint_assets.catalog import definitions as catalog
from maint_assets.core.alerts import alert_asset_health, alert_failed_runs
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.metrics import Pushgateway, metrics_to_pushgateway
from maint_assets.core.notify import notifier_from_env
from maint_assets.core.postgres import PostgresResource
from maint_assets.ingest import definitions as ingest
from maint_assets.metabase import definitions as metabase
from maint_assets.vn_sync import definitions as vn_sync
from maint_assets.webarchive import definitions as webarchive

automation = dg.AutomationConditionSensorDefinition(
    "automation",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=int(os.environ.get("MAINT_AUTOMATION_INTERVAL_S", "30")),
    description="Runs what eager automation conditions request after upstream updates.",
)


def artifact_store() -> ArtifactStore:
    """An S3 bucket when MAINT_ARTIFACTS_BUCKET is set (credentials: the AWS_* variables),
    else the local directory MAINT_ARTIFACTS_DIR (default .maint/artifacts)."""
    env = os.environ
    return ArtifactStore(
        **({"directory": env["MAINT_ARTIFACTS_DIR"]} if env.get("MAINT_ARTIFACTS_DIR") else {}),
        bucket=env.get("MAINT_ARTIFACTS_BUCKET", ""),
        prefix=env.get("MAINT_ARTIFACTS_PREFIX", ""),
        endpoint_url=env.get("MAINT_ARTIFACTS_ENDPOINT_URL", ""),
        region_name=env.get("AWS_REGION", "us-east-1"),
    )


defs = dg.Definitions.merge(
    atlas.defs,
    catalog.defs,
    ingest.defs,
    metabase.defs,
    vn_sync.defs,
    webarchive.defs,
    dg.Definitions(
        sensors=[automation, alert_failed_runs, alert_asset_health, metrics_to_pushgateway],
        resources={
            "artifacts": artifact_store(),
            # Where the Metabase and W3ACT restore checks create their scratch databases: a
            # server the role may create databases on, never a production one.
            "restore_server": PostgresResource(url=dg.EnvVar("MAINT_RESTORE_SERVER_URL")),
            "notifier": notifier_from_env(),
            "pushgateway": Pushgateway(url=os.environ.get("MAINT_PUSHGATEWAY_URL", "")),
        },
        executor=dg.in_process_executor,
    ),
)

"""The maint_assets code location: every domain's definitions, the automation sensors and the
alert and metrics sensors."""

import dagster as dg

from maint_assets.atlas import definitions as atlas
from maint_assets.catalog import definitions as catalog
from maint_assets.core.alerts import alert_asset_health, alert_failed_runs
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.automation import sensor_interval
from maint_assets.core.metrics import Pushgateway, metrics_to_pushgateway
from maint_assets.core.notify import notifier
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.settings import optional_env
from maint_assets.ingest import definitions as ingest
from maint_assets.metabase import definitions as metabase
from maint_assets.vn_sync import definitions as vn_sync
from maint_assets.webarchive import definitions as webarchive

# One automation sensor per domain: Dagster puts everything one sensor's tick requests into a
# single run (it splits runs only by partitioning), and that run waits for every pool it names
# (pools at run granularity). Over the whole graph, new DCAT pages waited in the atlas pool
# behind a count rebuild, then ran in the atlas' process after its steps. Every asset key
# starts with its domain (test_layout), so these sensors cover the whole graph once.
DOMAINS = ("atlas", "catalog", "ingest", "metabase", "vn_sync", "webarchive")
automation_sensors = [
    dg.AutomationConditionSensorDefinition(
        f"automation_{domain}",
        target=dg.AssetSelection.key_prefixes([domain]),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=sensor_interval("MAINT_AUTOMATION_INTERVAL_S", 30),
        description=f"Runs what the eager automation conditions of the {domain} assets "
        "request after upstream updates (one run per tick, in the domain's own pool).",
    )
    for domain in DOMAINS
]


def artifact_store() -> ArtifactStore:
    """An S3 bucket when MAINT_ARTIFACTS_BUCKET is set (credentials: the AWS_* variables),
    else the local directory MAINT_ARTIFACTS_DIR (default .maint/artifacts)."""
    return ArtifactStore(
        directory=optional_env("MAINT_ARTIFACTS_DIR", ArtifactStore().directory),
        bucket=optional_env("MAINT_ARTIFACTS_BUCKET", ""),
        prefix=optional_env("MAINT_ARTIFACTS_PREFIX", ""),
        endpoint_url=optional_env("MAINT_ARTIFACTS_ENDPOINT_URL", ""),
        region_name=optional_env("AWS_REGION", "us-east-1"),
    )


defs = dg.Definitions.merge(
    atlas.defs,
    catalog.defs,
    ingest.defs,
    metabase.defs,
    vn_sync.defs,
    webarchive.defs,
    dg.Definitions(
        sensors=[
            *automation_sensors, alert_failed_runs, alert_asset_health, metrics_to_pushgateway
        ],
        resources={
            "artifacts": artifact_store(),
            # Where the Metabase and W3ACT restore checks create their scratch databases: a
            # server the role may create databases on, never a production one.
            "restore_server": PostgresResource(url=dg.EnvVar("MAINT_RESTORE_SERVER_URL")),
            "notifier": notifier(),
            "pushgateway": Pushgateway(
                url=optional_env("MAINT_PUSHGATEWAY_URL", ""),
                environment=optional_env("MAINT_ENVIRONMENT", ""),
            ),
        },
        executor=dg.in_process_executor,
    ),
)

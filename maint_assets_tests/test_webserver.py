"""Smoke test: the code location loads in the real Dagster webserver, on the shipped
dagster.yaml (PostgreSQL instance storage), and serves the whole atlas graph."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from maint_assets.core.paths import CHECKOUT
from maint_assets_tests.conftest import _free_port

QUERY = """{
  workspaceOrError { ... on Workspace { locationEntries {
      name locationOrLoadError { __typename ... on PythonError { message } } } } }
  assetNodes { assetKey { path } dependencyKeys { path } }
}"""


def test_webserver_serves_the_graph(pg_cluster, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(CHECKOUT / "dagster.yaml", home)
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_URL": pg_cluster.url("dagster").replace(
            "postgresql://", "postgresql+psycopg2://"
        ),
        "ATLAS_DATABASE_URL": pg_cluster.url("atlas_template"),
    }
    webserver = Path(sys.executable).parent / "dagster-webserver"
    process = subprocess.Popen(
        [
            str(webserver),
            "-w",
            str(CHECKOUT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=CHECKOUT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode()[-3000:]
            try:
                if requests.get(f"{base}/server_info", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        answer = requests.post(f"{base}/graphql", json={"query": QUERY}, timeout=60).json()["data"]
    finally:
        process.terminate()
        process.wait(timeout=30)
    [location] = answer["workspaceOrError"]["locationEntries"]
    assert location["name"] == "maint_assets"
    assert location["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    edges = {
        ("/".join(d["path"]), "/".join(n["assetKey"]["path"]))
        for n in answer["assetNodes"]
        for d in n["dependencyKeys"]
    }
    assert ("atlas/public/taxa_ref", "atlas/public/taxa_vernacular") in edges
    assert ("atlas/public/taxa_obs_group_lookup", "atlas/api/taxa") in edges
    assert ("atlas/public/observations", "atlas/atlas_api/obs_region_counts") in edges

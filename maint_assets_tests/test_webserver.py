"""The code location in the real Dagster webserver, on the shipped dagster.yaml (PostgreSQL
instance storage): the graph it serves, and (marked ``ui``) the asset pages as headless
Chromium renders them."""

import html
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from maint_assets.core.paths import CHECKOUT
from maint_assets.definitions import defs
from maint_assets_tests.ports import free_port
from maint_assets_tests.processes import process_group

QUERY = """{
  workspaceOrError { ... on Workspace { locationEntries {
      name locationOrLoadError { __typename ... on PythonError { message } } } } }
  assetNodes { assetKey { path } dependencyKeys { path } }
}"""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=20000",
]


@pytest.fixture(scope="module")
def webserver(pg_cluster, tmp_path_factory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(CHECKOUT / "dagster.yaml", home)
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_PG_URL": pg_cluster.url("dagster").replace(
            "postgresql://", "postgresql+psycopg2://"
        ),
    }
    with process_group(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
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
    ) as process:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read().decode()[-3000:]
            try:
                if requests.get(f"{base}/server_info", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        yield base


def test_webserver_serves_the_graph(webserver: str) -> None:
    answer = requests.post(f"{webserver}/graphql", json={"query": QUERY}, timeout=60).json()
    [location] = answer["data"]["workspaceOrError"]["locationEntries"]
    assert location["name"] == "maint_assets"
    assert location["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    edges = {
        ("/".join(d["path"]), "/".join(n["assetKey"]["path"]))
        for n in answer["data"]["assetNodes"]
        for d in n["dependencyKeys"]
    }
    assert ("atlas/public/taxa_ref", "atlas/public/taxa_vernacular") in edges
    assert ("atlas/public/taxa_obs_group_lookup", "atlas/api/taxa") in edges
    assert ("atlas/public/observations", "atlas/atlas_api/obs_region_counts") in edges
    assert ("vn_sync/schema/vn_check_copy", "vn_sync/src_vn_json/observations_json") in edges
    assert ("webarchive/webarchive/trackdb_files", "webarchive/index/cdx_index") in edges
    assert ("catalog/dataframe/datasets_clean", "catalog/public/datasets") in edges
    assert ("ingest/schema/ingest_staging", "ingest/schema/ingest_production") in edges


@pytest.mark.ui
def test_every_asset_key_renders_in_headless_chromium(webserver: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "missing: apt-get install chromium (make system-deps installs it)"
    profile = tmp_path / "profile"

    def render(page: str, *extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                *extra,
                f"{webserver}/{page}",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    # A tall window: the flat asset list renders only the rows in view.
    dom = render("assets?view=flat", "--window-size=1600,8000", "--dump-dom").stdout
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom)))
    keys = {" / ".join(k.path) for k in defs.resolve_all_asset_keys()}
    domains = {k.split(" / ")[0] for k in keys}
    assert domains == {"atlas", "catalog", "ingest", "metabase", "vn_sync", "webarchive"}
    assert sorted(k for k in keys if k not in text) == []

    shot = Path(os.environ.get("MAINT_UI_SCREENSHOT", tmp_path / "lineage.png"))
    render("asset-groups", "--window-size=1600,1000", f"--screenshot={shot}")
    assert shot.stat().st_size > 20_000  # a rendered graph, not a blank page

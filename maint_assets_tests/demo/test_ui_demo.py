"""The demo as a new user drives it, in headless Chromium (Playwright, the system's chromium):
a fresh `maint-assets demo` in its own state directory and ports; the expanded lineage,
"Materialize all" on the fresh demo until it succeeds, observations inserted and seen in the
counts' new materialization, and the ingest's production switch refusing without its
confirmation. Slow (a whole demo and every asset): `make test-ui` (pytest -m ui)."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from maint_assets.atlas.keys import OBS_REGION_COUNTS
from maint_assets.core.paths import CHECKOUT
from maint_assets.definitions import defs
from maint_assets.demo.browser import chromium_page, open_expanded_lineage
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets.ingest.keys import INGEST_PRODUCTION
from maint_assets_tests.ports import free_port

pytestmark = [pytest.mark.ui, pytest.mark.timeout(2400)]

RUNS = """{ runsOrError(limit: 20) { ... on Runs { results {
  runId jobName status creationTime tags { key value } } } } }"""
LATEST = """query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
  assetMaterializations(limit: 1) { runId timestamp } } } }"""
RUN = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"""


@dataclass(frozen=True)
class Demo:
    url: str
    cluster: LocalCluster

    def graphql(self, query: str, **variables: object) -> dict:
        answer = requests.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=60
        ).json()
        assert "errors" not in answer, answer
        return answer["data"]

    def run_launched_after(self, moment: float) -> str:
        """The run launched from the UI after ``moment`` (the button first loads what it
        launches: seconds on a busy machine)."""
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            for run in self.graphql(RUNS)["runsOrError"]["results"]:
                tags = {t["key"] for t in run["tags"]}
                if run["creationTime"] > moment and "dagster/from_ui" in tags:
                    return run["runId"]
            time.sleep(1)
        raise AssertionError(f"no run launched from the UI after {moment}")

    def latest_materialization(self, key) -> dict | None:
        found = self.graphql(LATEST, key={"path": key.path})["assetOrError"]
        return (found.get("assetMaterializations") or [None])[0]


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    # The server runs as `postgres` when we are root: its directory must be reachable.
    state = Path(tempfile.mkdtemp(prefix="maint-assets-ui-"))
    state.chmod(0o755)
    # Client-API-VN's virtualenv that `make install` made for the checkout.
    (state / "client-api-vn").symlink_to(CHECKOUT / ".maint" / "client-api-vn")
    port, pg_port = free_port(), free_port()
    env = {**os.environ, "MAINT_STATE_DIR": str(state), "MAINT_PG_PORT": str(pg_port)}
    env.pop("PGPASSFILE", None)
    out = state / "demo.out"
    maint_assets = str(Path(sys.executable).parent / "maint-assets")
    with out.open("w") as terminal:
        process = subprocess.Popen(
            [
                maint_assets, "demo", "--observations", "3000", "--port", str(port),
                "--smtp-port", str(free_port()), "--pushgateway-port", str(free_port()),
            ],
            env=env,
            stdout=terminal,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 600
        while "[5/5]" not in out.read_text():
            assert process.poll() is None, out.read_text()
            assert time.monotonic() < deadline, out.read_text()
            time.sleep(1)
        cluster = LocalCluster.for_state_dir(state, pg_port)
        yield Demo(f"http://127.0.0.1:{port}", cluster)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            process.kill()
        subprocess.run([maint_assets, "db", "down"], env=env, check=False, capture_output=True)
        shutil.rmtree(state, ignore_errors=True)


def _wait_for_success_in_the_ui(page, demo: Demo, run_id: str, timeout_s: float) -> None:
    """The run's page, reloaded until its status is final; it must say Success."""
    deadline = time.monotonic() + timeout_s
    while True:
        status = demo.graphql(RUN, id=run_id)["runOrError"]["status"]
        if status in {"SUCCESS", "FAILURE", "CANCELED"} or time.monotonic() > deadline:
            break
        time.sleep(3)
    page.goto(f"{demo.url}/runs/{run_id}", wait_until="networkidle")
    assert status == "SUCCESS", f"run {run_id}: {status}"
    page.get_by_text("Success", exact=True).first.wait_for(timeout=60_000)


def test_a_new_user_in_the_ui(demo: Demo) -> None:
    with chromium_page() as page:
        # The lineage, every group expanded: asset nodes are drawn, not only group boxes (the
        # graph draws what is in the window).
        open_expanded_lineage(page, demo.url, zoom_out_steps=2)
        names = {k.path[-1] for k in defs.resolve_all_asset_keys()}
        drawn = {n for n in names if page.get_by_text(n, exact=True).count()}
        assert len(drawn) >= 10, drawn

        # "Materialize all" on the fresh demo succeeds.
        clicked = time.time()
        page.get_by_role("button", name="Materialize all").click()
        run_id = demo.run_launched_after(clicked)
        _wait_for_success_in_the_ui(page, demo, run_id, timeout_s=1800)
        # The production switch and the staging rebuild were not confirmed: not recorded.
        assert demo.latest_materialization(INGEST_PRODUCTION) is None

        # Inserted observations reach the counts through the change sensor and automation.
        before = demo.latest_materialization(OBS_REGION_COUNTS)
        with demo.cluster.connect("atlas", autocommit=True) as conn:
            conn.execute(
                """INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables,
                                                    obs_value, id_taxa_obs)
                   SELECT (SELECT min(id) FROM public.datasets),
                          ST_SetSRID(ST_MakePoint(-72 + g / 1000.0, 46), 4326), 2024, 1, 1,
                          (SELECT min(id) FROM public.taxa_obs)
                   FROM generate_series(1, 25) g"""
            )
        deadline = time.monotonic() + 600
        while (latest := demo.latest_materialization(OBS_REGION_COUNTS)) == before:
            assert time.monotonic() < deadline, "no new materialization of the counts"
            time.sleep(3)
        events = f"{demo.url}/assets/{'/'.join(OBS_REGION_COUNTS.path)}?view=events"
        page.goto(events, wait_until="networkidle")
        # A small batch is counted by the change sensor itself (a runless materialization the
        # UI shows as reported), a bigger one by a run it requests.
        shown = latest["runId"][:8] if latest["runId"] else "Reported"
        page.get_by_text(shown).first.wait_for(timeout=60_000)

        # The destructive production switch, materialized alone: refuses, says why.
        page.goto(f"{demo.url}/assets/{'/'.join(INGEST_PRODUCTION.path)}", wait_until="networkidle")
        clicked = time.time()
        # The button's accessible name starts with its icon's: match its text.
        button = page.locator("button").filter(has_text=re.compile(r"^\s*Materialize\s*$"))
        button.first.click(timeout=120_000)
        run_id = demo.run_launched_after(clicked)
        _wait_for_success_in_the_ui(page, demo, run_id, timeout_s=600)
        page.get_by_text("not switched: set confirm_production to").first.wait_for(
            timeout=60_000
        )
        assert demo.latest_materialization(INGEST_PRODUCTION) is None

        # A job of eager assets shows automation as on (the `automation_webarchive` sensor runs it).
        page.goto(f"{demo.url}/locations/maint_assets/jobs/webarchive_hourly")
        page.get_by_text("Auto-materialize on").first.wait_for(timeout=60_000)

"""No run stays STARTED after its worker died. A real dagster-daemon runs on an instance stored
in the session's PostgreSQL, configured by the repository's dagster.yaml (pools at run
granularity, its run launcher and run monitoring; only the poll interval is shortened): a run
whose worker is killed, and a run whose daemon's whole process group is killed and the daemon
restarted, are marked FAILURE within the bound, and the run queued behind each in the same
pool starts."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest
import yaml
from dagster._cli.job import _create_run
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget

from maint_assets.core.paths import CHECKOUT
from maint_assets.core.run_launcher import _process_start, _worker_start

CODE = Path(__file__).parent / "fixtures" / "run_monitoring" / "code_location.py"
DAEMON = Path(sys.executable).parent / "dagster-daemon"
POLL_S = 2
# The stated bound is the poll interval plus one pass of the check; on a loaded 2-core machine
# a pass, and a daemon's start, take seconds: generous, but bounded.
BOUND_S = POLL_S + 25
DAEMON_START_S = 45
LAUNCH_S = 60


@pytest.fixture
def dagster_home(empty_db: str, tmp_path: Path) -> Path:
    config = yaml.safe_load((CHECKOUT / "dagster.yaml").read_text())
    url = empty_db.replace("postgresql://", "postgresql+psycopg2://", 1)
    config["storage"] = {"postgres": {"postgres_url": url}}
    config["run_monitoring"]["poll_interval_seconds"] = POLL_S
    config["run_coordinator"] = {
        "module": "dagster._core.run_coordinator",
        "class": "QueuedRunCoordinator",
        "config": {"dequeue_interval_seconds": 1},
    }
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "workspace.yaml").write_text(
        yaml.safe_dump(
            {"load_from": [{"python_file": {"relative_path": str(CODE), "location_name": "t"}}]}
        )
    )
    return home


class Daemon:
    """dagster-daemon in its own process group, as a service manager would start it."""

    def __init__(self, home: Path) -> None:
        self.home, self.log = home, home / "daemon.log"
        self.workspace = home.parent / "workspace.yaml"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(DAEMON), "run", "-w", str(self.workspace)],
                env={**os.environ, "DAGSTER_HOME": str(self.home)},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill_group(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


@contextmanager
def _daemon(home: Path) -> Iterator[Daemon]:
    daemon = Daemon(home)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.kill_group()


def _until(what: str, done: Callable[[], object], timeout: float, daemon: Daemon) -> None:
    """Wait for ``done()``; fail naming ``what`` after ``timeout`` seconds."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if done():
            return
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout} s\n{daemon.tail()}")


def test_a_dead_worker_fails_its_run_and_frees_its_pool_slot(dagster_home: Path):
    instance = dg.DagsterInstance.from_config(str(dagster_home))
    target = WorkspaceFileTarget([str(dagster_home.parent / "workspace.yaml")])
    with (
        instance,
        WorkspaceProcessContext(instance, target) as workspace_context,
        _daemon(dagster_home) as daemon,
    ):
        workspace = workspace_context.create_request_context()
        location = workspace.get_code_location("t")
        (repository,) = location.get_repositories().values()
        job = repository.get_full_job("long_refresh_job")

        def submit() -> str:
            run = _create_run(
                instance=instance, code_location=location, remote_repo=repository,
                remote_job=job, run_config={}, tags={}, op_selection=None, run_id=None,
            )
            instance.submit_run(run.run_id, workspace)
            return run.run_id

        def status(run_id: str) -> dg.DagsterRunStatus:
            return instance.get_run_by_id(run_id).status

        def worker(run_id: str) -> int:
            _until(f"{run_id} records its worker", lambda: _worker_start(instance, run_id),
                   LAUNCH_S, daemon)
            return _worker_start(instance, run_id)[0]

        first = submit()
        _until("the first run starts", lambda: status(first) == dg.DagsterRunStatus.STARTED,
               DAEMON_START_S + LAUNCH_S, daemon)
        second, third = submit(), submit()  # both wait for the pool's only slot
        time.sleep(3)
        assert {status(second), status(third)} == {dg.DagsterRunStatus.QUEUED}

        # 1. the worker is killed; the daemon lives
        os.kill(worker(first), signal.SIGKILL)
        _until("the killed run fails", lambda: status(first) == dg.DagsterRunStatus.FAILURE,
               BOUND_S, daemon)
        _until("the next run gets the slot", lambda: status(second) == dg.DagsterRunStatus.STARTED,
               LAUNCH_S, daemon)
        assert status(third) == dg.DagsterRunStatus.QUEUED

        # 2. the daemon's whole process group (daemon, code server, run worker) is killed
        pid = worker(second)
        daemon.kill_group()
        _until("the worker dies with its group", lambda: _process_start(pid) is None, 10, daemon)
        time.sleep(POLL_S)
        assert status(second) == dg.DagsterRunStatus.STARTED  # nobody left to report it
        daemon.start()
        _until(
            "the orphaned run fails after the daemon restarts",
            lambda: status(second) == dg.DagsterRunStatus.FAILURE,
            DAEMON_START_S + BOUND_S,
            daemon,
        )
        _until("the queued run gets the slot", lambda: status(third) == dg.DagsterRunStatus.STARTED,
               LAUNCH_S, daemon)
        failure = instance.all_logs(second, of_type=dg.DagsterEventType.RUN_FAILURE)[-1]
        assert f"worker process {pid} is gone" in failure.message, failure.message

"""Dagster's default run launcher with a worker health check, for a deployment where the
daemon and the code server share a machine (``dagster dev``, one VM; Kubernetes uses
dagster-k8s' launcher, which has its own).

The default launcher starts each run in a process of the code server, and that server marks a
run failed when its process dies, but only while the server itself lives. When both die (the
daemon's whole process group killed, the machine's OOM killer, a reboot), nothing ever reports
the run: it stays STARTED, holds its pool's slot, and counts against ``max_concurrent_runs``,
so the queue behind it never moves. Run monitoring (``run_monitoring`` in dagster.yaml) asks a
launcher that supports it whether each STARTED run's worker still lives, every
``poll_interval_seconds``, and marks it failed otherwise: this launcher answers from the
process id the worker recorded when it started (its "Started process for run (pid: N)" engine
event) and the process table of this machine.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import dagster as dg
from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster._core.storage.tags import GRPC_INFO_TAG

_STARTED = "Started process for run (pid: "
# /proc's boot time has a resolution of one second.
_CLOCK_SLACK_S = 2.0


class LocalRunLauncher(dg.DefaultRunLauncher):
    """Runs start as with the default launcher; run monitoring can tell when a worker died."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        if not _code_server_is_local(run):
            # Its process table is not ours: only the code server could tell, and it reports
            # the runs it outlives itself.
            return CheckRunHealthResult(WorkerStatus.RUNNING, "worker on another machine")
        started = _worker_start(self._instance, run.run_id)
        if started is None:
            return CheckRunHealthResult(WorkerStatus.RUNNING, "worker not started yet")
        pid, recorded_at = started
        began = _process_start(pid)
        # A process started after the worker recorded its pid is another one that reuses it.
        if began is not None and began <= recorded_at + _CLOCK_SLACK_S:
            return CheckRunHealthResult(WorkerStatus.RUNNING, f"worker process {pid} is alive")
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"the run's worker process {pid} is gone (killed, or its code server died with it)",
            run_worker_id=str(pid),
        )


def _code_server_is_local(run: dg.DagsterRun) -> bool:
    info = json.loads(run.tags.get(GRPC_INFO_TAG, "{}"))
    host = info.get("host", "localhost")
    return "socket" in info or host in {
        "localhost",
        "127.0.0.1",
        "::1",
        socket.gethostname(),
        socket.getfqdn(),
    }


def _worker_start(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The pid the run's worker recorded, and when, from its last start event."""
    for entry in reversed(instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)):
        if entry.message.startswith(_STARTED):
            return int(entry.message[len(_STARTED) :].split(")")[0]), entry.timestamp
    return None


def _process_start(pid: int) -> float | None:
    """When the live process ``pid`` of this machine started (epoch seconds); None when there
    is none (zombies count as gone: their code stopped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # After the command name (in parentheses, which may itself hold any character): the state
    # (field 3) and, at field 22, the start time in clock ticks after boot.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in {"Z", "X"}:
        return None
    boot = next(
        float(line.split()[1])
        for line in Path("/proc/stat").read_text().splitlines()
        if line.startswith("btime ")
    )
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")

"""The processes ``maint-assets demo`` runs beside PostgreSQL: the mail sink, the Pushgateway
and Dagster (``dg dev``: webserver, daemon, code server). Each writes to its own log file
under the state directory's ``logs/``, so the terminal keeps only the demo's own account; all
stop together on Ctrl-C."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests

from maint_assets.demo.mails import prepare, sink_command

PUSHGATEWAY = "prometheus-pushgateway"
MAIL_TO = "operator@demo.localhost"


class ServiceError(RuntimeError):
    """A demo service did not start; the message names it and its log."""


@dataclass(frozen=True)
class Endpoints:
    host: str
    ui_port: int
    smtp_port: int
    pushgateway_port: int

    @property
    def ui_url(self) -> str:
        return f"http://{self.host}:{self.ui_port}"

    @property
    def pushgateway_url(self) -> str:
        return f"http://{self.host}:{self.pushgateway_port}"

    def environment(self) -> dict[str, str]:
        """The notifier's and the metrics sensor's settings pointing at the demo's services."""
        return {
            "MAINT_SMTP_HOST": self.host,
            "MAINT_SMTP_PORT": str(self.smtp_port),
            "MAINT_MAIL_TO": MAIL_TO,
            "MAINT_PUSHGATEWAY_URL": self.pushgateway_url,
            "MAINT_UI_URL": self.ui_url,
        }


@dataclass
class Services:
    """Child processes, each in its own session (the terminal's Ctrl-C reaches only us, and
    we stop them in order)."""

    logs: Path
    running: list[tuple[str, subprocess.Popen, Path]] = field(default_factory=list)

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Path:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_stop_with_parent,
            )
        self.running.append((name, process, log))
        return log

    def check_alive(self) -> None:
        for name, process, log in self.running:
            if process.poll() is not None:
                raise ServiceError(
                    f"{name} stopped (exit {process.returncode}); its log, {log}:\n{_tail(log)}"
                )

    def wait_http(self, url: str, name: str, timeout_s: float) -> float:
        """Seconds until ``url`` answers 200, failing early when a service died."""
        start = time.monotonic()
        while time.monotonic() - start < timeout_s:
            self.check_alive()
            try:
                if requests.get(url, timeout=2).ok:
                    return time.monotonic() - start
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise ServiceError(f"{name} did not answer on {url} within {timeout_s:.0f} s")

    def stop(self) -> None:
        for _, process, _ in reversed(self.running):
            if process.poll() is None:
                # dg dev shuts its webserver and daemon down on SIGINT.
                process.send_signal(signal.SIGINT)
        for _, process, _ in reversed(self.running):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            # What the service left in its session: dg dev's code servers outlive it and
            # ignore SIGTERM.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        self.running.clear()


# Looked up here, not in the forked child, where the demo's other threads may hold the
# loader's lock.
_prctl = ctypes.CDLL(None, use_errno=True).prctl
_PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:
    """Runs in the child before exec: the kernel sends it SIGINT (what ``stop`` sends) when
    the demo dies, even by SIGKILL, so no service outlives the demo holding its port."""
    # A demo started in the background of a script has SIGINT ignored, and an ignored signal
    # stays ignored across exec: without this its services would outlive it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


def stop_group(process: subprocess.Popen) -> None:
    """Ends ``process``, started with ``start_new_session=True``, with its whole process group:
    Dagster's daemon and webserver each start a code server (`dagster api grpc`) that outlives
    their SIGTERM (the tests and benchmarks that start them use this)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):  # nothing of the group left
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)


def start_mail_sink(services: Services, maildir: Path, endpoints: Endpoints) -> None:
    prepare(maildir)
    services.start("mail-sink", sink_command(maildir, endpoints.host, endpoints.smtp_port))


def start_pushgateway(services: Services, state: Path, endpoints: Endpoints) -> None:
    binary = shutil.which(PUSHGATEWAY)
    if binary is None:
        raise ServiceError(
            f"{PUSHGATEWAY} not found: install the Debian package prometheus-pushgateway "
            "(make system-deps does)"
        )
    services.start(
        "pushgateway",
        [
            binary,
            f"--web.listen-address={endpoints.host}:{endpoints.pushgateway_port}",
            f"--persistence.file={state / 'pushgateway.data'}",
        ],
    )
    services.wait_http(f"{endpoints.pushgateway_url}/-/ready", "the Pushgateway", 30)


def start_dagster(
    services: Services, workspace: Path, home: Path, env: Mapping[str, str], endpoints: Endpoints
) -> tuple[Path, float]:
    """``dg dev`` (Dagster's ``dagster dev`` under its current name, given the workspace file)
    run from DAGSTER_HOME (where its dagster.yaml is, so Dagster has no other dagster.yaml to
    warn about); its log file and the seconds the UI took to answer."""
    dg = str(Path(sys.executable).parent / "dg")
    log = services.start(
        "dagster",
        [
            dg, "dev", "--workspace", str(workspace),
            "--host", endpoints.host, "--port", str(endpoints.ui_port),
        ],
        env=env,
        cwd=home,
    )
    return log, services.wait_http(f"{endpoints.ui_url}/server_info", "Dagster", 300)


def show_automation_on(ui_url: str) -> None:
    """Clear the instance's pre-sensor "auto-materialize paused" flag (Dagster stores it as
    paused until set): automation here runs through the `automation_<domain>` sensors, which
    ignore the flag, but job and asset pages show it as "Auto-materialize off"."""
    answer = requests.post(
        f"{ui_url}/graphql",
        json={"query": "mutation { setAutoMaterializePaused(paused: false) }"},
        timeout=60,
    )
    answer.raise_for_status()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"

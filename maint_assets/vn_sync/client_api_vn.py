"""Client-API-VN's ``transfer_vn``, run from its own virtual environment.

Client-API-VN pins SQLAlchemy < 2, so it cannot share the project's environment;
``maint-assets vn install-tool`` creates one for it. Each run gets a private working directory
as HOME and current directory: transfer_vn keeps its scheduler store (``jobs.sqlite``) in the
current directory and its log under ``~/tmp``, so two configurations (main sync and check
copy) no longer need two operating-system accounts.

transfer_vn exits 0 on most failures (bad configuration, crashed download jobs), so a run is
judged by its log: any ERROR or CRITICAL line fails it.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
from psycopg import conninfo
from pydantic import Field

from maint_assets.core.paths import STATE_DIR
from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import tool_config

REQUIREMENTS = ("Client-API-VN==2.12.0", "setuptools<81")  # transfer_vn imports pkg_resources
# The environment names them for every user of the tool: the assets, `maint-assets vn …`, an
# image that installed it elsewhere.
DEFAULT_VENV = Path(os.environ.get("VN_CLIENT_API_VN_VENV") or STATE_DIR / "client-api-vn")
DEFAULT_WORK_DIR = Path(os.environ.get("VN_WORK_DIR") or STATE_DIR / "vn_sync")
_FAILED_LINE = re.compile(r" - (ERROR|CRITICAL) - ")
_VALIDATE = "import sys; from export_vn.evnconf import EvnConf; EvnConf(sys.argv[1])"


class TransferVnError(RuntimeError):
    """transfer_vn is missing, refused its configuration, or logged a failure."""


def install(venv: Path = DEFAULT_VENV) -> Path:
    """Create (or complete) Client-API-VN's environment; returns its transfer_vn."""
    transfer_vn, stamp = venv / "bin" / "transfer_vn", venv / ".installed"
    if transfer_vn.exists() and stamp.exists() and stamp.read_text() == " ".join(REQUIREMENTS):
        return transfer_vn
    for step in (
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(venv / "bin" / "pip"), "install", "-q", *REQUIREMENTS],
    ):
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise TransferVnError(
                f"cannot install Client-API-VN into {venv}: {' '.join(step[:3])} exited with "
                f"status {done.returncode}:\n{done.stderr[-2000:]}"
            )
    stamp.write_text(" ".join(REQUIREMENTS))
    return transfer_vn


@dataclass(frozen=True)
class ToolRun:
    args: tuple[str, ...]
    output: str


class ClientApiVn(dg.ConfigurableResource):
    """The operator's transfer_vn configuration and where transfer_vn runs."""

    config_file: str = Field(description="the operator's transfer_vn YAML (never modified)")
    venv: str = Field(default=str(DEFAULT_VENV), description="Client-API-VN's own virtualenv")
    work_dir: str = Field(
        default=str(DEFAULT_WORK_DIR),
        description="HOME and current directory of transfer_vn: jobs.sqlite and ~/tmp logs",
    )
    download_command: str = Field(
        default="",
        description="replaces transfer_vn for --full and --update only (a wrapper, or the "
        "offline stand-in of the demo); the other actions always use transfer_vn",
    )
    timeout_s: float = Field(default=12 * 3600.0)

    def user_config(self) -> dict[str, Any]:
        return tool_config.load(Path(self.config_file))

    def transfer_vn(self) -> Path:
        return self._program("transfer_vn")

    def _program(self, name: str) -> Path:
        path = Path(self.venv) / "bin" / name
        if not path.exists():
            raise TransferVnError(
                f"{name} not found in {self.venv}; run `maint-assets vn install-tool`"
            )
        return path

    @contextmanager
    def generated_config(
        self, db: PostgresResource, schema: str, start_date: date | None = None
    ) -> Iterator[tuple[Path, dict[str, Any]]]:
        """A derived configuration file, readable by its owner only, validated by
        Client-API-VN's loader and removed after use (it holds the API keys). The database
        password is not in it but in a pass file beside it, for libpq: transfer_vn's scheduler
        pickles the whole configuration into jobs.sqlite, which outlives the run."""
        database, password = database_settings(db)
        config = tool_config.derive(
            self.user_config(), schema=schema, database=database, start_date=start_date
        )
        work = self._work_dir()
        fd, name = tempfile.mkstemp(prefix=f"{schema}-", suffix=".yaml", dir=work)
        path = Path(name)
        passfile = _passfile(path)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(tool_config.dump(config))
            if password:
                passfile.touch(mode=0o600)
                passfile.write_text(_passfile_line(database, password))
            self._validate(path, config)
            yield path, config
        finally:
            path.unlink(missing_ok=True)
            passfile.unlink(missing_ok=True)

    def run(self, action: str, path: Path, config: dict[str, Any]) -> ToolRun:
        """``transfer_vn --<action> <path>``; raises TransferVnError naming the action and the
        failed log lines (passwords masked) when transfer_vn logs an error."""
        download = action in {"full", "update"}
        program = shlex.split(self.download_command) if download and self.download_command else [
            str(self.transfer_vn())
        ]
        args = (*program, f"--{action}", str(path))
        output = self._execute(args, config, _passfile(path))
        failed = [line for line in output.splitlines() if _FAILED_LINE.search(line)]
        if failed:
            shown = "\n".join(failed[:10])
            raise TransferVnError(
                f"transfer_vn --{action} for {config['database']['db_schema_import']} failed "
                f"({len(failed)} error line(s)):\n{shown}"
            )
        return ToolRun(args, output)

    def has_schedule(self) -> bool:
        return (Path(self.work_dir) / "jobs.sqlite").exists()

    def _work_dir(self) -> Path:
        work = Path(self.work_dir)
        work.mkdir(parents=True, exist_ok=True)
        work.chmod(0o700)
        return work

    def _validate(self, path: Path, config: dict[str, Any]) -> None:
        python = self._program("python")
        done = subprocess.run(
            [str(python), "-c", _VALIDATE, str(path)],
            capture_output=True, text=True, env=self._env(), cwd=self._work_dir(), check=False,
        )
        if done.returncode != 0:
            reason = _mask(done.stderr.strip().splitlines()[-1:] or ["?"], config)[0]
            raise TransferVnError(
                f"Client-API-VN refuses the configuration derived from {self.config_file}: "
                f"{reason}"
            )

    def _execute(self, args: tuple[str, ...], config: dict[str, Any], passfile: Path) -> str:
        # Own process group: a timeout or a cancelled run stops transfer_vn's worker processes.
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=self._env(passfile), cwd=self._work_dir(), start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=self.timeout_s)
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        output = "\n".join(_mask(output.splitlines(), config))
        if process.returncode != 0:
            tail = "\n".join(output.splitlines()[-10:])
            raise TransferVnError(
                f"{Path(args[0]).name} {args[-2]} exited with status {process.returncode}:\n{tail}"
            )
        return output

    def _env(self, passfile: Path | None = None) -> dict[str, str]:
        env = {**os.environ, "HOME": str(self._work_dir())}
        if passfile is not None and passfile.exists():
            # An empty db_pw makes libpq (under transfer_vn's SQLAlchemy) read this file.
            env["PGPASSFILE"] = str(passfile)
        return env


def database_settings(db: PostgresResource) -> tuple[dict[str, Any], str]:
    """transfer_vn's database keys for the resource's database, with an empty password, and
    the password libpq used (URL, PGPASSWORD or PGPASSFILE), read back from a connection, so
    the environment stays the only place it is configured."""
    parts = conninfo.conninfo_to_dict(db.url)
    with db.connect() as conn:
        password = conn.info.password or ""
        host, port, user = conn.info.host, conn.info.port, conn.info.user
    settings = {
        "db_host": host,
        "db_port": int(port),
        "db_name": parts.get("dbname", user),
        "db_user": user,
        "db_pw": "",
    }
    return settings, password


def _passfile(config_path: Path) -> Path:
    return config_path.with_suffix(".pgpass")


def _passfile_line(database: dict[str, Any], password: str) -> str:
    def escaped(value: object) -> str:
        return str(value).replace("\\", "\\\\").replace(":", "\\:")

    fields = ("db_host", "db_port", "db_name", "db_user")
    return ":".join([*(escaped(database[f]) for f in fields), escaped(password)]) + "\n"


def _mask(lines: list[str], config: dict[str, Any]) -> list[str]:
    secrets = tool_config.secrets(config)
    masked = []
    for line in lines:
        for secret in secrets:
            line = line.replace(secret, "***")
        masked.append(line)
    return masked

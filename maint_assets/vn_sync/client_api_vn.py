"""Client-API-VN's ``transfer_vn``, run from its own virtual environment.

Client-API-VN pins SQLAlchemy < 2, so it cannot share the project's environment;
``maint-assets vn install-tool`` creates one for it. Each run gets a private working directory
as HOME and current directory: transfer_vn keeps its scheduler store (``jobs.sqlite``) in the
current directory and its log under ``~/tmp``, so two configurations (main sync and check
copy) no longer need two operating-system accounts.

transfer_vn exits 0 on most failures (bad configuration, crashed download jobs), so a run is
judged by its log: any ERROR or CRITICAL line fails it. Its messages go through gettext; runs
get ``LANGUAGE=C`` so that the lines read here (and its download_log) are the English ones.

Downloads (``--full``, ``--update``) run transfer_vn's own job functions one after the other
(``transfer_vn_jobs.py`` says why not its scheduler). ``--update`` through its scheduler only
runs the jobs its store says are due: with the template's hourly schedule and a daily run,
none ever is (a job more than an hour late is skipped), and it still exits 0. Here an update
runs its jobs now, and fails unless every site's job logged its end.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg
from pydantic import Field

from maint_assets.core.paths import STATE_DIR
from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import tool_config, tool_secrets

REQUIREMENTS = ("Client-API-VN==2.12.0", "setuptools<81")  # transfer_vn imports pkg_resources
# The environment names them for every user of the tool: the assets, `maint-assets vn …`, an
# image that installed it elsewhere.
VENV_ENV = "VN_CLIENT_API_VN_VENV"
WORK_DIR_ENV = "VN_WORK_DIR"
# read by transfer_vn_jobs.py
REQUEST_TIMEOUT_ENV = "MAINT_VN_REQUEST_TIMEOUT_S"
REPORTED_DELETIONS_ENV = "MAINT_VN_REPORTED_DELETIONS"
SITE_TIMEZONE_ENV = "MAINT_VN_SITE_TIMEZONE"
DEFAULT_VENV = STATE_DIR / "client-api-vn"
DEFAULT_WORK_DIR = STATE_DIR / "vn_sync"
# transfer_vn's log, and psql's (--col_tables_create runs psql and ignores its errors)
_FAILED_LINE = re.compile(r" - (ERROR|CRITICAL) - |^psql:.*: ERROR: ")
# A 3xx or 5xx answer transfer_vn then asks again (biolovision/api.py): logged at ERROR, yet
# no failure unless the retries run out, which it logs at CRITICAL before raising. (A 4xx is
# logged at ERROR too, then raised at CRITICAL.)
_RETRIED_LINE = re.compile(
    r" - ERROR - (?:[\w.]+ - )?(GET|POST|PUT|DELETE) status code: [35]\d\d, text: "
)
# The causes of a failed run that say nothing about the data or the configuration: the
# network (a connection reset or refused, a request timed out: requests' exceptions ending a
# crashed job's traceback, our request timeout's line), the site asking us to come back (429,
# which transfer_vn takes for unrecoverable), the database's connection lost (a restart, a
# failover). transfer_vn retries 3xx and 5xx answers itself (max_retry, retry_delay; 600 s
# after a 503): one that outlasts them is no transient failure.
_TRANSIENT = re.compile(
    r"^requests\.exceptions\.(ConnectionError|ConnectTimeout|ReadTimeout|Timeout"
    r"|ChunkedEncodingError): "
    r"|^psycopg2\.OperationalError: (server closed the connection unexpectedly"
    r"|terminating connection|could not connect to server|connection to server .* failed: "
    r"(Connection refused|timeout expired))"
    r"| - CRITICAL - (?:[\w.]+ - )?Unreceverable error 429,"
    r"| did not answer within .* s; the remaining jobs are not run$"
)
_VALIDATE = "import sys; from export_vn.evnconf import EvnConf; EvnConf(sys.argv[1])"
JOBS = Path(__file__).with_name("transfer_vn_jobs.py")
# transfer_vn's sessions' application_name (it sets none of its own; libpq reads PGAPPNAME):
# the capture of bookkeeping.sql counts a row as served by VisioNature only from them.
APPLICATION_NAME = "transfer_vn"


class TransferVnError(RuntimeError):
    """transfer_vn is missing, refused its configuration, or logged a failure; ``transient``
    when a cause it logged is one the same run a little later may not meet (_TRANSIENT)."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class PollError(TransferVnError):
    """transfer_vn's --update failed. It stores each taxo group's changes (and applies its
    deletions) before it asks for the next group's, so the copy it polled keeps what it
    stored before the failure: the source's changes, which the next poll asks for again."""


def install(venv: Path | None = None) -> Path:
    """Create (or complete) Client-API-VN's environment (``venv``, else the one
    ``VN_CLIENT_API_VN_VENV`` names, else the default); returns its transfer_vn."""
    venv = venv or Path(os.environ.get(VENV_ENV) or DEFAULT_VENV)
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
    # (table, site, id, the database's epoch time): what an update's diff reported deleted
    reported_deletions: tuple[tuple[str, str, int, int], ...] = ()

    @property
    def retried(self) -> list[str]:
        """The requests transfer_vn asked again after a 3xx or 5xx answer (their log lines)."""
        return [line for line in self.output.splitlines() if _RETRIED_LINE.search(line)]


class ClientApiVn(dg.ConfigurableResource):
    """The operator's transfer_vn configuration and where transfer_vn runs."""

    config_file: str = Field(description="the operator's transfer_vn YAML (never modified)")
    venv: str = Field(default=str(DEFAULT_VENV), description="Client-API-VN's own virtualenv")
    work_dir: str = Field(
        default=str(DEFAULT_WORK_DIR),
        description="HOME of transfer_vn (its ~/tmp logs); each kind of run has its own "
        "current directory below it (transfer_vn keeps its scheduler store there)",
    )
    timeout_s: float = Field(
        default=12 * 3600.0,
        description="the longest a transfer_vn run may take (a slow but answering site: "
        "transfer_vn sleeps 600 s after each HTTP 503)",
    )
    request_timeout_s: float = Field(
        default=300.0, gt=0,
        description="the longest one request to the site may wait to connect, or for the next "
        "bytes of its answer (Client-API-VN sets none): a stalled site fails the download",
    )

    site_timezone: str = Field(
        default="Europe/Paris",
        description="the VisioNature sites' time zone (the API dates a sighting at midnight "
        "of the site's day): transfer_vn reads the days of a form's sightings (its "
        "date_start and date_stop) in it, as production's live sync on a server in that zone "
        "does, whatever this machine's own (empty: this machine's, as transfer_vn alone)",
    )

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
        self, db: PostgresResource, schema: str, **derive: Any
    ) -> Iterator[tuple[Path, dict[str, Any]]]:
        """A derived configuration file (``tool_config.derive``'s keywords), readable by its
        owner only, validated by Client-API-VN's loader and removed after use (it holds the
        API keys). The database password is not in it but in a pass file beside it, for
        libpq: transfer_vn's scheduler pickles the whole configuration into jobs.sqlite,
        which outlives the run."""
        database, password = tool_secrets.database_settings(db)
        config = tool_config.derive(self.user_config(), schema=schema, database=database, **derive)
        work = self._work_dir()
        tool_secrets.remove_stale(work)
        fd, name = tempfile.mkstemp(
            prefix=f"{schema}-{tool_secrets.owner()}-", suffix=".yaml", dir=work
        )
        path = Path(name)
        passfile = tool_secrets.passfile(path)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(tool_config.dump(config))
            if password:
                passfile.touch(mode=0o600)
                passfile.write_text(tool_secrets.passfile_line(database, password))
            self._validate(path, config)
            yield path, config
        finally:
            path.unlink(missing_ok=True)
            passfile.unlink(missing_ok=True)

    def run(
        self, action: str, path: Path, config: dict[str, Any], cwd: str = ".",
        env: dict[str, str] | None = None,
    ) -> ToolRun:
        """``transfer_vn --<action> <path>``, or for ``full`` and ``update`` its jobs (see the
        module), in the directory ``cwd`` of the work directory; raises TransferVnError
        naming the action and the failed log lines (passwords masked) when transfer_vn logs
        an error."""
        if action in ("full", "update"):
            args = (str(self._program("python")), str(JOBS), action, str(path))
        else:
            args = (str(self.transfer_vn()), f"--{action}", str(path))
        output = self._execute(args, config, tool_secrets.passfile(path), self._work_dir(cwd), env)
        failed = _failures(output)
        # Requests asked again are shown with a failure, but are none by themselves.
        if any(not _RETRIED_LINE.search(line) for line in failed):
            shown = "\n".join(failed[:10])
            raise TransferVnError(
                f"transfer_vn --{action} for {config['database']['db_schema_import']} failed "
                f"({len(failed)} error line(s)):\n{shown}",
                transient=any(_TRANSIENT.search(line) for line in failed),
            )
        return ToolRun(args, output)

    def update_now(
        self, db: PostgresResource, schema: str, controlers: set[str]
    ) -> ToolRun:
        """transfer_vn's update of ``schema`` (the source's diff since its watermarks) for
        ``controlers``, now, for every enabled site; fails naming the site and controler
        whose job did not run to its end."""
        reported = self._work_dir("update") / "reported_deletions.jsonl"
        reported.unlink(missing_ok=True)  # a failed poll's: the next asks for them again
        try:
            with self.generated_config(db, schema, controlers=controlers) as (path, config):
                run = self.run("update", path, config, cwd="update",
                               env={REPORTED_DELETIONS_ENV: str(reported)})
        except PollError:
            raise
        except TransferVnError as err:
            raise PollError(str(err), err.transient) from None
        expected = [
            (site, ctrl) for site in tool_config.enabled_sites(config)
            for ctrl in sorted(tool_config.enabled_controlers(config))
        ]
        missing = [
            f"{ctrl} of {site}" for site, ctrl in expected
            if f"{site} => Ending download using controler {ctrl}" not in run.output
        ]
        if not expected or missing:
            raise PollError(
                f"transfer_vn --update of {schema} ran no job for "
                f"{', '.join(missing) or 'any site (none enabled, or no controler)'}; "
                "its output ends with:\n" + "\n".join(run.output.splitlines()[-10:])
            )
        return replace(run, reported_deletions=_reported(reported))

    def _work_dir(self, sub: str = ".") -> Path:
        home = Path(self.work_dir)
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)
        work = home / sub
        work.mkdir(exist_ok=True)
        return work

    def _validate(self, path: Path, config: dict[str, Any]) -> None:
        python = self._program("python")
        done = subprocess.run(
            [str(python), "-c", _VALIDATE, str(path)],
            capture_output=True, text=True, env=self._env(), cwd=self._work_dir(), check=False,
        )
        if done.returncode != 0:
            reason = tool_secrets.mask(done.stderr.strip().splitlines()[-1:] or ["?"], config)[0]
            raise TransferVnError(
                f"Client-API-VN refuses the configuration derived from {self.config_file}: "
                f"{reason}"
            )

    def _execute(
        self, args: tuple[str, ...], config: dict[str, Any], passfile: Path, cwd: Path,
        env: dict[str, str] | None = None,
    ) -> str:
        # Own process group: a timeout or a cancelled run stops transfer_vn's worker processes.
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**self._env(passfile), **(env or {})}, cwd=cwd, start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=self.timeout_s)
        except BaseException as err:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if isinstance(err, subprocess.TimeoutExpired):
                # a failure of the tool like any other: recorded, both copies unchanged
                raise TransferVnError(
                    f"{' '.join(Path(a).name for a in args[:-1])} did not finish within "
                    f"{self.timeout_s:g} s (timeout_s) and was stopped"
                ) from None
            raise
        output = "\n".join(tool_secrets.mask(output.splitlines(), config))
        if process.returncode != 0:
            tail = "\n".join(output.splitlines()[-10:])
            raise TransferVnError(
                f"{' '.join(Path(a).name for a in args[:-1])} exited with status "
                f"{process.returncode}:\n{tail}"
            )
        return output

    def _env(self, passfile: Path | None = None) -> dict[str, str]:
        if self.site_timezone:
            try:
                ZoneInfo(self.site_timezone)
            except (ValueError, ZoneInfoNotFoundError):
                # else a traceback inside transfer_vn's process, the download failed
                raise dg.Failure(
                    f"client_api_vn.site_timezone {self.site_timezone!r} is no time zone this "
                    "machine knows (an IANA name such as Europe/Paris; empty: the machine's)"
                ) from None
        env = {**os.environ, "HOME": str(self._work_dir()), "LANGUAGE": "C",
               REQUEST_TIMEOUT_ENV: str(self.request_timeout_s), "PGAPPNAME": APPLICATION_NAME,
               SITE_TIMEZONE_ENV: self.site_timezone}
        if passfile is not None and passfile.exists():
            # An empty db_pw makes libpq (under transfer_vn's SQLAlchemy) read this file.
            env["PGPASSFILE"] = str(passfile)
        return env


def _reported(path: Path) -> tuple[tuple[str, str, int, int], ...]:
    """The deletions transfer_vn_jobs.py wrote to ``path`` (none when the diff reported none)."""
    if not path.exists():
        return ()
    try:
        return tuple(
            (row["table"], row["site"], int(row["id"]), int(row["at"]))
            for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        )
    except (ValueError, KeyError, TypeError) as err:
        raise PollError(f"{path}, the deletions the diff reported, is unreadable: {err}",
                        transient=False) from None


def _failures(output: str) -> list[str]:
    """The ERROR and CRITICAL lines, and the exception that ends each traceback (a crashed
    job's cause: the log line above it only names the job)."""
    failed, in_traceback = [], False
    for line in output.splitlines():
        if line.startswith("Traceback (most recent call last):"):
            in_traceback = True
        elif in_traceback and not line.startswith(" "):
            failed.append(line)
            in_traceback = False
        elif _FAILED_LINE.search(line):
            failed.append(line)
    return failed

"""A private PostgreSQL + PostGIS cluster for the demo and the tests.

Debian's PostgreSQL 15 binaries are the reference build. initdb and pg_ctl refuse to run as
root, so when we are root the server binaries run as the ``postgres`` system user and the
data directory belongs to that user. The cluster listens on 127.0.0.1 only, has no unix
socket (so no socket-path length or permission trouble), and uses password authentication
with a random password kept in a 0600 pgpass file: no password ever appears in argv or URLs.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

PG_MAJOR = 15
SERVER_PACKAGE = f"postgresql-{PG_MAJOR}"
POSTGIS_PACKAGE = f"postgresql-{PG_MAJOR}-postgis-3"
DEFAULT_PORT = 55433
SUPERUSER = "postgres"
SYSTEM_USER = "postgres"
FALLBACK_HOME = Path("/var/lib/maint_assets/clusters")

# Sized for the 2-core/24 GiB reference machine; bulk loads want big WAL and maintenance memory.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "shared_buffers": "'1GB'",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'512MB'",
    "max_wal_size": "'8GB'",
    "checkpoint_timeout": "'15min'",
    "max_parallel_workers_per_gather": "2",
    "password_encryption": "'scram-sha-256'",
}


class ClusterError(RuntimeError):
    """A problem with the local cluster, worded for the person at the terminal."""


@dataclass(frozen=True)
class ClusterStatus:
    running: bool
    initialized: bool
    data_dir: Path
    port: int
    pid: int | None


def _bindir() -> Path:
    return Path(os.environ.get("MAINT_PG_BINDIR", f"/usr/lib/postgresql/{PG_MAJOR}/bin"))


def _is_root() -> bool:
    return os.geteuid() == 0


@dataclass(frozen=True)
class LocalCluster:
    """A cluster whose files live under ``home`` and which listens on ``port``."""

    home: Path
    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"

    @classmethod
    def for_state_dir(cls, state_dir: Path, port: int | None = None) -> LocalCluster:
        """The demo cluster: ``pg`` in the state directory (``.maint`` of the checkout), unless
        ``postgres`` cannot reach it."""
        port = port or int(os.environ.get("MAINT_PG_PORT", DEFAULT_PORT))
        home = state_dir / "pg"
        reached = state_dir if state_dir.exists() else state_dir.parent
        if _is_root() and not _reachable_by_postgres(reached):
            digest = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:12]
            moved = FALLBACK_HOME / digest
            print(
                f"note: the cluster's data lives in {moved}, not {home}: the '{SYSTEM_USER}' user "
                f"that runs the server cannot enter {reached} (a parent directory is not "
                "searchable by others, e.g. root's home with mode 0700)",
                file=sys.stderr,
            )
            home = moved
        return cls(home=home, port=port)

    # -- paths -------------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    @property
    def passfile(self) -> Path:
        # Kept outside the postgres-owned directory so only the invoking user can read it.
        return self.home.parent / f"{self.home.name}.pgpass"

    # -- client side -------------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        """A libpq URL without password; the password comes from :meth:`client_env`."""
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def client_env(self) -> dict[str, str]:
        return {"PGPASSFILE": str(self.passfile)}

    def connect(self, database: str = "postgres", **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(self.url(database), passfile=str(self.passfile), **kwargs)

    # -- lifecycle ---------------------------------------------------------------------------
    def status(self) -> ClusterStatus:
        initialized = (self.data_dir / "PG_VERSION").exists() if self._readable() else False
        pid: int | None = None
        if initialized:
            done = self._run_server_tool(
                ["pg_ctl", "status", "-D", str(self.data_dir)], check=False
            )
            if done.returncode == 0:
                pid_file = (done.stdout or "").split("PID:")[-1].split(")")[0].strip()
                pid = int(pid_file) if pid_file.isdigit() else None
        return ClusterStatus(
            running=pid is not None,
            initialized=initialized,
            data_dir=self.data_dir,
            port=self.port,
            pid=pid,
        )

    def up(self, databases: Sequence[str] = ()) -> ClusterStatus:
        """Initialise and start the cluster if needed, then create missing databases."""
        _check_binaries()
        state = self.status()
        if not state.initialized:
            self._initdb()
        if not state.running:
            self._start()
        self._create_databases(databases)
        return self.status()

    def down(self) -> None:
        if self.status().running:
            self._run_server_tool(["pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast", "-w"])

    def destroy(self) -> None:
        """Stop the server and delete its files (used by the tests' temporary clusters)."""
        self.down()
        shutil.rmtree(self.home, ignore_errors=True)
        self.passfile.unlink(missing_ok=True)

    # -- internals ---------------------------------------------------------------------------
    def _readable(self) -> bool:
        try:
            return self.data_dir.parent.exists()
        except PermissionError:
            return False

    def _initdb(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        pwfile = self.home / ".initdb-pw"
        pwfile.write_text(password + "\n")
        pwfile.chmod(0o600)
        if _is_root():
            _chown_to_postgres(self.home)
            _chown_to_postgres(pwfile)
        try:
            self._run_server_tool(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        settings = "".join(f"{k} = {v}\n" for k, v in SERVER_SETTINGS.items())
        conf = self.data_dir / "postgresql.conf"
        conf.write_text(
            conf.read_text() + f"\n# maint_assets local cluster\nport = {self.port}\n" + settings
        )
        self.passfile.write_text(f"{self.host}:{self.port}:*:{SUPERUSER}:{password}\n")
        self.passfile.chmod(0o600)

    def _start(self) -> None:
        done = self._run_server_tool(
            [
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
            ],
            check=False,
        )
        if done.returncode != 0:
            tail = _tail(self.log_file) if self.log_file.exists() else done.stderr
            raise ClusterError(
                f"PostgreSQL did not start on {self.host}:{self.port} "
                f"(data {self.data_dir}):\n{tail}"
            )

    def _create_databases(self, databases: Sequence[str]) -> None:
        if not databases:
            return
        with self.connect(autocommit=True) as conn:
            existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
            for name in databases:
                if name not in existing:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def _run_server_tool(
        self, argv: list[str], check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [str(_bindir() / argv[0]), *argv[1:]]
        if _is_root():
            command = ["runuser", "-u", SYSTEM_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd="/")
        if check and done.returncode != 0:
            raise ClusterError(f"{argv[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done


def _check_binaries() -> None:
    bindir = _bindir()
    missing = [t for t in ("initdb", "pg_ctl", "postgres") if not (bindir / t).exists()]
    if missing:
        raise ClusterError(
            f"PostgreSQL {PG_MAJOR} server binaries not found in {bindir} "
            f"(missing: {', '.join(missing)}): install the Debian package {SERVER_PACKAGE} "
            f"(apt-get install -y {SERVER_PACKAGE}) or set MAINT_PG_BINDIR"
        )
    sharedir = (
        subprocess.run(
            [str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        or f"/usr/share/postgresql/{PG_MAJOR}"
    )
    if not (Path(sharedir) / "extension" / "postgis.control").exists():
        raise ClusterError(
            f"PostGIS is not installed for PostgreSQL {PG_MAJOR} ({sharedir}/extension has no "
            f"postgis.control): install the Debian package {POSTGIS_PACKAGE} "
            f"(apt-get install -y {POSTGIS_PACKAGE})"
        )
    if _is_root():
        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError as err:
            raise ClusterError(
                f"running as root needs the '{SYSTEM_USER}' system user to run the server "
                f"(it comes with the Debian package {SERVER_PACKAGE})"
            ) from err


def _reachable_by_postgres(path: Path) -> bool:
    done = subprocess.run(
        ["runuser", "-u", SYSTEM_USER, "--", "test", "-x", str(path.resolve())],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def _chown_to_postgres(path: Path) -> None:
    entry = pwd.getpwnam(SYSTEM_USER)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except PermissionError:
        return f"(see {path})"

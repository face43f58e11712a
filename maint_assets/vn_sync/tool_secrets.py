"""Where transfer_vn's secrets are for one run: the database's password, read back from a
connection so the environment stays the only place it is configured; the generated
configuration and pass file, named after their owner so that the next run removes a killed
run's; and its output, with every secret masked."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from typing import Any

from maint_assets.core.pg_tools import url_parts
from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import tool_config


def database_settings(db: PostgresResource) -> tuple[dict[str, Any], str]:
    """transfer_vn's database keys for the resource's database, with an empty password, and
    the password libpq used (URL, PGPASSWORD or PGPASSFILE), read back from a connection, so
    the environment stays the only place it is configured."""
    parts = url_parts(db.url)
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


# A generated file's owner is in its name: a worker killed with SIGKILL never runs the
# `finally` that removes its files, and the API keys and the database password stay on disk
# until the next run here removes them (only its own host's: a process on another host
# sharing the directory cannot be checked).
_STALE = re.compile(r"-pid(\d+)@(.+)-[a-z0-9_]+\.(yaml|pgpass)$")


def owner() -> str:
    return f"pid{os.getpid()}@{socket.gethostname()}"


def remove_stale(work: Path) -> None:
    host = socket.gethostname()
    for path in work.iterdir():
        match = _STALE.search(path.name)
        if match and match[2] == host and not _alive(int(match[1])):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def passfile(config_path: Path) -> Path:
    return config_path.with_suffix(".pgpass")


def passfile_line(database: dict[str, Any], password: str) -> str:
    def escaped(value: object) -> str:
        return str(value).replace("\\", "\\\\").replace(":", "\\:")

    fields = ("db_host", "db_port", "db_name", "db_user")
    return ":".join([*(escaped(database[f]) for f in fields), escaped(password)]) + "\n"


def mask(lines: list[str], config: dict[str, Any]) -> list[str]:
    secrets = tool_config.secrets(config)
    masked = []
    for line in lines:
        for secret in secrets:
            line = line.replace(secret, "***")
        masked.append(line)
    return masked

"""Running pg_dump, pg_dumpall, pg_restore and psql against a database given by URL.

The connection reaches the tools through libpq environment variables (PGHOST, PGPORT,
PGDATABASE, PGUSER and, when the URL carries one, PGPASSWORD), never through argv, where any
user of the machine could read it. The tools come from the PostgreSQL installation whose major
version matches the server's (or is newer): an older pg_dump refuses a newer server, and a
restore from a mismatched client is the classic way to lose a backup.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import conninfo

_ENV_FROM_URL = {
    "host": "PGHOST",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "sslmode": "PGSSLMODE",
}
_INSTALLS = Path("/usr/lib/postgresql")
# Where PostgreSQL's messages quote the data of a row: key values of a constraint violation,
# the failing row, the input COPY or a type could not read, a statement echoed with its
# literals. Names of tables, columns and constraints stay: they say what failed.
_REDACTIONS = [
    (
        re.compile(
            r"(Key \(.*?\))=\(.*?\)(?= already exists| is not present| is still referenced"
            r"| conflicts|\.?$)",
            re.IGNORECASE,
        ),
        r"\1=(…)",
    ),
    (re.compile(r"(Failing row contains ).*"), r"\1(…)."),
    (re.compile(r'(: |at or near )"(?:[^"]|"")*"'), r'\1"…"'),
    (re.compile(r"'(?:[^']|'')*'"), "'…'"),
    (re.compile(r"(\bVALUES\s*)\(.*", re.IGNORECASE), r"\1(…)"),
]


# libpq's messages about a URL it cannot parse quote the part they stumbled on: the whole
# password when it holds an unencoded "%" or space, the whole URL for a broken IPv6 address.
_QUOTED = re.compile(r'"[^"]{2,}"')


class UnreadableUrl(ValueError):
    """A database URL libpq cannot parse; the message leaves out what libpq quoted of it."""


def url_parts(url: str) -> dict[str, str]:
    """``url`` (a libpq URL or key=value string) as libpq's keywords; raises UnreadableUrl
    without the text libpq quoted, which may be the password (an operator who puts it in
    the URL variable, unencoded), for the step's error, its alert e-mail and the logs."""
    try:
        return conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError as err:
        # what follows the last "@" of a URL is its host, port and database: no credentials
        where = f" ({url.rpartition('@')[2]})" if "://" in url else ""
        reason = _QUOTED.sub('"…"', str(err))
        raise UnreadableUrl(
            f"libpq cannot read the database URL{where}: {reason} (the quoted text is left "
            "out: it may be the password, which belongs in PGPASSWORD or a pass file)"
        ) from None


class PgToolError(RuntimeError):
    """A client tool is missing, too old for the server, or failed; the message says which."""


def server_major(server_version_num: int) -> int:
    """12.x and later: 150018 -> 15."""
    return server_version_num // 10000


def client_env(url: str, database: str | None = None) -> dict[str, str]:
    """The process environment for a client tool connecting to ``url`` (or ``database`` on
    the same server)."""
    parts = url_parts(url)
    if database is not None:
        parts["dbname"] = database
    # What the URL names wins over the environment; the rest (PGPASSFILE, PGSSLROOTCERT…)
    # reaches the tool as libpq would read it in this process. The C locale: the tools' and
    # libpq's own messages in English, whatever the machine's language, for the failures read
    # from them (restore_server.py); the data's encoding is the dump's or the server's.
    return {
        **os.environ,
        **{_ENV_FROM_URL[k]: str(v) for k, v in parts.items() if k in _ENV_FROM_URL},
        "LC_ALL": "C",
    }


def tool_path(tool: str, major: int) -> Path:
    """The ``tool`` binary able to talk to a server of major version ``major``."""
    installed = sorted(
        (int(p.name), p / "bin" / tool)
        for p in (_INSTALLS.iterdir() if _INSTALLS.is_dir() else [])
        if p.name.isdigit() and (p / "bin" / tool).exists()
    )
    usable = [path for version, path in installed if version >= major]
    if usable:
        # The same major version if installed, else the oldest newer one.
        return next((p for v, p in installed if v == major), usable[0])
    on_path = shutil.which(tool)
    if on_path and _major_of(Path(on_path)) >= major:
        return Path(on_path)
    found = ", ".join(f"{tool} {v}" for v, _ in installed) or f"no {tool}"
    raise PgToolError(
        f"{tool} for PostgreSQL {major} or newer is needed (found {found}): "
        f"install postgresql-client-{major}"
    )


def _major_of(binary: Path) -> int:
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(match.group(1)) if match else 0


def redact(text: str) -> str:
    """``text`` (a client tool's messages) without the row values PostgreSQL quotes in them:
    these messages go into run metadata and alert mails."""
    lines = []
    for line in text.splitlines():
        for pattern, replacement in _REDACTIONS:
            line = pattern.sub(replacement, line)
        # psql's caret under an echoed statement points into text that is gone.
        lines.append(line if line.strip() != "^" else "")
    return "\n".join(line for line in lines if line)


def run_tool(
    tool: str,
    major: int,
    args: list[str],
    url: str,
    what: str,
    database: str | None = None,
    stdout: Path | None = None,
) -> None:
    """Run ``tool args`` against ``url``; raise PgToolError naming ``what`` on failure, with
    the tool's last messages, row values redacted."""
    binary = tool_path(tool, major)
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    try:
        done = subprocess.run(
            [str(binary), *args],
            env=client_env(url, database),
            stdout=out,
            stderr=subprocess.PIPE,
            text=False,
            check=False,
        )
    finally:
        if stdout:
            out.close()
    if done.returncode != 0:
        raise PgToolError(f"{tool} failed for {what}: {_reason(done.stderr, done.returncode)}")


def run_pipeline(
    first: tuple[str, list[str]],
    second: tuple[str, list[str]],
    major: int,
    url: str,
    what: str,
) -> None:
    """Run the tool ``first`` (name, args) with its output going into ``second``'s input;
    raise PgToolError naming ``what`` and ``first`` when either fails, with the messages of
    the one that failed (``second``'s when both did: ``first`` then only lost its reader)."""
    env = client_env(url)
    # Both found before either starts: a missing one fails with nothing left running.
    binaries = str(tool_path(first[0], major)), str(tool_path(second[0], major))
    with tempfile.TemporaryFile() as first_errors:
        producer = subprocess.Popen(
            [binaries[0], *first[1]], env=env, stdout=subprocess.PIPE, stderr=first_errors
        )
        assert producer.stdout is not None
        with producer.stdout:  # then read by the consumer alone, which stopping stops it
            consumer = subprocess.Popen(
                [binaries[1], *second[1]],
                env=env, stdin=producer.stdout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
        _, consumer_errors = consumer.communicate()
        producer.wait()
        first_errors.seek(0)
        if consumer.returncode != 0:
            reason = _reason(consumer_errors, consumer.returncode)
        elif producer.returncode != 0:
            reason = _reason(first_errors.read(), producer.returncode)
        else:
            return
    raise PgToolError(f"{first[0]} failed for {what}: {reason}")


# psql with VERBOSITY verbose writes the SQLSTATE after the severity, which the server's
# lc_messages may have translated.
_ERROR_LINE = re.compile(r"\b(ERROR|FATAL|PANIC|error):|:  [0-9A-Z]{5}: ")


def _reason(stderr: bytes, returncode: int) -> str:
    """The tool's error lines first (a run's failure shows the message's first line, and a
    restore's NOTICEs may come last), then its last lines; row values redacted."""
    lines = redact(stderr.decode(errors="replace").strip()).splitlines()
    errors = [line for line in lines if _ERROR_LINE.search(line)][:3]
    shown = errors + [line for line in lines[-8:] if line not in errors]
    return "\n".join(shown) or f"exit status {returncode}"

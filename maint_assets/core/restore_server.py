"""Restore failures that are the restore server's, not the artifact's.

A restore check that fails because its server refused or failed (its role may not create
databases or PostGIS, the server lacks an extension, its connection broke, its disk is full)
proves nothing about the artifact: recorded as the artifact's failure, it made retention
delete dumps that restore (a failed artifact no longer counts toward the number kept). Such a
check still fails, so operators see it, and its evaluation says what to do on the server; its
metadata carries ``RESTORE_SERVER_FAILURE``, which ``artifact_steps.check_verdicts`` leaves out.

The server's errors are told apart by their SQLSTATE, never by their text, which is in the
server's lc_messages language: the loads run psql with VERBOSITY verbose, whose error lines
carry it (databases.load_dump), and psycopg's errors have it. The client tools' own messages
(libpq's, for a connection refused or lost) have none, but they run in the C locale
(pg_tools.client_env), so theirs are English.
"""

import re
from typing import Any

import psycopg

from maint_assets.core.artifact_steps import RESTORE_SERVER_FAILURE
from maint_assets.core.pg_tools import PgToolError
from maint_assets.core.postgres import DatabaseUnavailable

# SQLSTATEs and classes of a refusal or failure of the server, whatever was being loaded:
# connection exceptions (08), authorization (28), insufficient resources (53: disk full, out
# of memory, too many connections), operator intervention (57P: shut down, starting up),
# system errors (58: I/O, a file missing), insufficient privilege (42501: may not create a
# database or an extension, must be owner) and an extension the server does not have (0A000).
# A statement cancelled (57014: statement_timeout, pg_cancel_backend), a lock not granted in
# time (55P03: lock_timeout) and transaction rollbacks (40: deadlock, serialization) are the
# server's and its other sessions' doing, not the artifact's.
_SERVER_STATES = ("08", "28", "53", "57P", "57014", "55P03", "40", "58", "42501", "0A000")
# An error line of psql with VERBOSITY verbose: "psql:<file>:<line>: ERROR:  42501: <text>"
# (its severity word translated too). libpq puts two spaces after the severity: one would
# also match "<file>: ERROR: ".
_VERBOSE_ERROR = re.compile(r":  (?P<state>[0-9A-Z]{5}): (?P<text>.*)$")
# libpq's own messages, in the client tools' C locale: the connection failed or broke.
_CLIENT_CAUSES = re.compile(
    r"connection to server .*failed|server closed the connection unexpectedly"
    r"|could not connect to server|no connection to the server|lost synchronization with server",
    re.IGNORECASE,
)
GENERIC_REMEDY = (
    "give the restore server's role the rights and the extensions the dump needs, then run "
    "the check again"
)


def server_state(sqlstate: str | None) -> bool:
    return sqlstate is not None and sqlstate.startswith(_SERVER_STATES)


def server_cause(message: str) -> str | None:
    """The part of a client tool's failure (``PgToolError``: its first error comes first)
    that says the server refused or failed, or None when the artifact may be at fault."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    coded = _VERBOSE_ERROR.search(first)
    if coded is not None:
        state = coded["state"]
        return f"{coded['text']} (SQLSTATE {state})" if server_state(state) else None
    found = _CLIENT_CAUSES.search(first)
    return first[found.start():] if found else None


def error_cause(err: BaseException) -> str | None:
    """What says the restore server refused or failed in ``err``, raised while preparing or
    loading a restore (a scratch database not created, a server not reached), or None."""
    if isinstance(err, DatabaseUnavailable):
        return str(err)
    if isinstance(err, PgToolError):
        return server_cause(str(err))
    if isinstance(err, psycopg.OperationalError) and err.sqlstate is None:
        # libpq's own: the connection failed or broke
        return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if isinstance(err, psycopg.Error) and server_state(err.sqlstate):
        return f"{err.diag.message_primary} (SQLSTATE {err.sqlstate})"
    return None


def server_failure(what: str, error: str, cause: str, remedy: str) -> str:
    """``error`` followed by what says the restore server, not ``what``, failed."""
    return f"{error}\nThe restore server, not {what}, failed ({cause}): {remedy}."


def failed_restore(
    artifact: str, err: BaseException, remedy: str = GENERIC_REMEDY
) -> dict[str, Any]:
    """The metadata of a restore check whose load failed with ``err``: when the restore
    server caused it, marked as such and saying what to do (``remedy``)."""
    cause = error_cause(err)
    if cause is None:
        return {"artifact": artifact, "error": str(err)}
    return {
        "artifact": artifact,
        "error": server_failure(artifact, str(err), cause, remedy)
        + " The artifact is kept as not checked.",
        RESTORE_SERVER_FAILURE: cause,
    }

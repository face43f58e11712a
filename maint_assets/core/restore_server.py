"""Restore failures that are the restore server's, not the artifact's.

A restore check that fails because its server refused or failed (its role may not create
PostGIS, the server lacks an extension, its connection broke, its disk is full) proves
nothing about the artifact: recorded as the artifact's failure, it made retention delete
dumps that restore (a failed artifact no longer counts toward the number kept). Such a check
still fails, so operators see it, and its evaluation says what to do on the server; its
metadata carries ``RESTORE_SERVER_FAILURE``, which ``artifacts.check_verdicts`` leaves out.
"""

import re
from typing import Any

from maint_assets.core.artifacts import RESTORE_SERVER_FAILURE

# PostgreSQL's and libpq's messages for a refusal or failure of the server, whatever was
# being loaded: insufficient privilege (42501), an extension the server does not have, a
# connection lost or refused, resources exhausted (class 53).
_SERVER_CAUSES = re.compile(
    r"permission denied|must be superuser|must be owner of"
    r"|extension \S+ is not available|could not open extension control file"
    r"|connection to server .*failed|server closed the connection unexpectedly"
    r"|could not connect to server|terminating connection"
    r"|the database system is (?:starting up|shutting down|in recovery mode)"
    r"|too many (?:connections|clients)|remaining connection slots are reserved"
    r"|no space left on device|could not extend file|out of memory",
    re.IGNORECASE,
)
GENERIC_REMEDY = (
    "give the restore server's role the rights and the extensions the dump needs, then run "
    "the check again"
)


def server_cause(message: str) -> str | None:
    """The part of a client tool's failure (``PgToolError``: its first error comes first)
    that says the server refused or failed, or None when the artifact may be at fault."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    found = _SERVER_CAUSES.search(first)
    return first[found.start():] if found else None


def failed_restore(artifact: str, error: str, remedy: str = GENERIC_REMEDY) -> dict[str, Any]:
    """The metadata of a restore check whose load failed with ``error``: when the restore
    server caused it, marked as such and saying what to do (``remedy``)."""
    cause = server_cause(error)
    if cause is None:
        return {"artifact": artifact, "error": error}
    return {
        "artifact": artifact,
        "error": f"{error}\nThe restore server, not {artifact}, failed ({cause}): {remedy}. "
        "The artifact is kept as not checked.",
        RESTORE_SERVER_FAILURE: cause,
    }

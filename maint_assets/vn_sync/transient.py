"""Which failures of the check copy's step are transient: the database's, when a later run may
not meet them (its session ended, or was never made), raised as transfer_vn's transient failures
(TransferVnError), which vn_check_copy runs again (``transient_retries``)."""

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from maint_assets.core.database_unavailable import DatabaseUnavailable
from maint_assets.vn_sync.client_api_vn import TransferVnError


@contextmanager
def transient_if_cut(what: str) -> Iterator[None]:
    """The database's failures of ``what`` that a later run may not meet (its connection
    ended or not made), as transient failures of the step."""
    try:
        yield
    except DatabaseUnavailable as err:
        # a refusal (password, role, pg_hba.conf, missing database) meets every retry again
        raise TransferVnError(f"{what} failed: {err}", transient=not err.refused) from err
    except psycopg.OperationalError as err:
        # Only a lost session: a lock or statement timeout, or a full disk, would meet the
        # retry again after a whole new download (hours).
        if not _session_lost(err):
            raise
        raise TransferVnError(f"{what} failed: {err}", transient=True) from err


def _session_lost(err: psycopg.OperationalError) -> bool:
    """The server ended the session or cannot be reached: libpq's own error (no SQLSTATE),
    a connection exception (class 08), or an operator intervention ending it (57P01-57P03)."""
    state = err.sqlstate
    return state is None or state.startswith("08") or state in ("57P01", "57P02", "57P03")

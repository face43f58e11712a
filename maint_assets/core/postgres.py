"""The PostgreSQL databases the assets maintain, with the safety rules every refresh follows.

Each refresh holds a PostgreSQL advisory lock named after its asset, so a second run, or an
operator running the same SQL by hand with ``SELECT pg_advisory_lock(hashtextextended(
'maint_assets:<asset key>', 0))``, waits or fails instead of overlapping. Work happens in
explicit transactions with lock and statement timeouts, so a killed or stuck run rolls back
and leaves the previous data in place. Every session checks that its client is still there
while a statement runs (``client_connection_check_interval``): when the run's process is
killed, its server session ends within that interval instead of finishing a long statement
and keeping the advisory lock meanwhile.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import dagster as dg
import psycopg
from psycopg import errors, sql
from pydantic import Field

from maint_assets.core.database_unavailable import DatabaseUnavailable
from maint_assets.core.lock_waits import DEFAULT_ATTEMPTS
from maint_assets.core.pg_tools import UnreadableUrl, url_parts

LOCK_NAMESPACE = "maint_assets:"
# The longest wait in one statement for a maintenance lock another session holds.
_LOCK_WAIT_S = 1.0
_LOCK_WAIT_MARGIN_S = 0.01
# How often a step waits out another session's maintenance lock (each time as long again as
# the lock timeout) before it fails.
LOCK_RETRIES = 10
APPLICATION_NAME = "maint_assets"
# The refusals of a connection that a step run again would meet again: the server's, in its
# default (English) messages (PostgreSQL 15's auth.c, postinit.c, hba.c), and libpq's own when
# it has no password to give. libpq gives a failed connection no SQLSTATE, so a server that
# speaks another language (lc_messages) has its refusals retried like a server not reached.
# Not LDAP, RADIUS, PAM or Ident: the server sends the same message when their own server
# cannot be reached (an outage, retried) as when it rejects the user.
_REFUSED = re.compile(
    r"FATAL: (password authentication failed|no pg_hba\.conf entry|pg_hba\.conf rejects"
    r"|(Peer|certificate) authentication failed"
    r'|(database|role) ".*" does not exist|role ".*" is not permitted to log in'
    r'|permission denied for database)'
    r"|fe_sendauth: no password supplied"
)


class MaintenanceLocked(RuntimeError):
    """Another session holds the maintenance lock of the asset."""


class PostgresResource(dg.ConfigurableResource):
    """One PostgreSQL database, addressed by a libpq URL (password from PGPASSWORD/PGPASSFILE)."""

    url: str = Field(description="libpq URL, e.g. postgresql://maint@db.example:5432/atlas")
    lock_timeout_s: float = Field(default=30.0, description="wait at most this long for a lock")
    statement_timeout_s: float = Field(
        default=4 * 3600.0, description="abort any single statement running longer than this"
    )
    exclusive_lock_attempts: int = Field(
        default=DEFAULT_ATTEMPTS,
        ge=1,
        description="how often a plain materialized view refresh tries to take the lock every "
        "reader of the view waits for, each time waiting at most 200 ms (so readers never "
        "queue behind it for longer), 0.25 s doubling to 10 s apart: 20 attempts give a long "
        "reader (an export) about 2.5 minutes; then it fails naming the sessions holding it",
    )
    connection_retries: int = Field(
        default=3,
        ge=0,
        description="how often a step is run again when the database could not be reached as "
        "it started, or (for a step that may run twice: the ingest's staging load, the "
        "catalogue's load, TrackDB's listing, the atlas's refreshes; or one that records "
        "itself in its own transaction and finds that record when run again: the "
        "VisioNature repair, the ingest's switch and rollback) when the server ended its "
        "connection (a restart, a failover, a network cut)",
    )
    connection_retry_wait_s: float = Field(
        default=30.0, ge=0, description="how long to wait before running such a step again"
    )
    client_check_interval_s: float = Field(
        default=1.0,
        ge=0,
        description="while a statement runs, the server checks this often that the client is "
        "still connected and ends the session if not (PostgreSQL 14+; 0 turns it off)",
    )

    def describe(self) -> str:
        """host, port and database of the URL, without credentials."""
        try:
            parts = url_parts(self.url)
        except UnreadableUrl:
            return "a database whose URL libpq cannot read"
        host = parts.get("host", "localhost")
        port = parts.get("port", "5432")
        return f"database {parts.get('dbname', '?')!r} at {host}:{port}"

    @contextmanager
    def connect(self, autocommit: bool = True) -> Iterator[psycopg.Connection]:
        try:
            url_parts(self.url)
        except UnreadableUrl as err:
            # the same URL again next time: refused, never run again
            raise DatabaseUnavailable(str(err), refused=True) from None
        try:
            # A fallback only: PGAPPNAME or the URL's application_name (a deployment's profile
            # naming each job) win, as with every libpq client.
            conn = psycopg.connect(
                self.url, autocommit=autocommit, fallback_application_name=APPLICATION_NAME
            )
        except psycopg.OperationalError as err:
            # libpq's whole message: its first line says why (refused, timed out, password
            # rejected), the next ones only suggest what to check.
            reason = " ".join(str(err).split()) or type(err).__name__
            raise DatabaseUnavailable(f"cannot connect to {self.describe()}: {reason}",
                                      refused=_REFUSED.search(reason) is not None) from None
        with conn:
            if self.client_check_interval_s and conn.info.server_version >= 140000:
                conn.execute(
                    "SELECT set_config('client_connection_check_interval', %s, false)",
                    [_ms(self.client_check_interval_s)],
                )
                if not autocommit:
                    conn.commit()
            yield conn

    @contextmanager
    def step_connection(self, autocommit: bool = True) -> Iterator[psycopg.Connection]:
        """:meth:`connect` at the start of an op, before it changed anything: a database not
        reached (a restart, a failover, a network cut) makes Dagster run the step again,
        ``connection_retries`` times, ``connection_retry_wait_s`` apart."""
        with ExitStack() as stack:
            try:
                conn = stack.enter_context(self.connect(autocommit))
            except DatabaseUnavailable as err:
                if err.refused:  # running again would meet the same refusal
                    raise
                raise self._run_again() from err
            yield conn

    def _run_again(self) -> dg.RetryRequested:
        return dg.RetryRequested(
            max_retries=self.connection_retries, seconds_to_wait=self.connection_retry_wait_s
        )

    @contextmanager
    def maintenance_session(self, lock_name: str) -> Iterator[psycopg.Connection]:
        """An autocommit connection holding the advisory lock ``lock_name`` until it closes."""
        with self.connect() as conn:
            # Waited for a second at a time, each wait a statement of its own: a statement
            # waiting holds its snapshot all along, older than what the holder is building, and
            # the holder's swap waits for such snapshots to end (core/older_snapshots.py): each
            # waited for the other until this one's lock_timeout (30 s), and this run failed.
            # A lock_timeout of 0 is PostgreSQL's "wait for ever".
            forever = self.lock_timeout_s <= 0
            deadline = time.monotonic() + self.lock_timeout_s
            while True:
                left = deadline - time.monotonic()
                # never 0 ms: lock_timeout 0 would wait for ever
                wait = _LOCK_WAIT_S if forever else max(min(_LOCK_WAIT_S, left), 0.001)
                try:
                    conn.execute("SELECT set_config('lock_timeout', %s, false)", [_ms(wait)])
                    conn.execute(
                        "SELECT pg_advisory_lock(hashtextextended(%s, 0))",
                        [LOCK_NAMESPACE + lock_name],
                    )
                    break
                except errors.LockNotAvailable:
                    # (the server's milliseconds may end a wait just short of the deadline)
                    if not forever and time.monotonic() >= deadline - _LOCK_WAIT_MARGIN_S:
                        raise MaintenanceLocked(
                            f"{lock_name} is being maintained by another session on "
                            f"{self.describe()} (waited {self.lock_timeout_s:g} s for its "
                            "advisory lock)"
                        ) from None
            conn.execute("SELECT set_config('lock_timeout', %s, false)", [_ms(self.lock_timeout_s)])
            yield conn

    @contextmanager
    def transaction(
        self, conn: psycopg.Connection, repeatable_read: bool = False, snapshot: str | None = None
    ) -> Iterator[psycopg.Connection]:
        """One transaction with this resource's lock and statement timeouts; with
        ``repeatable_read`` every statement in it reads the same snapshot, with ``snapshot``
        the one another transaction exported (pg_export_snapshot)."""
        with conn.transaction():
            if repeatable_read or snapshot:
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if snapshot:
                conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            conn.execute(
                "SELECT set_config('lock_timeout', %s, true),"
                " set_config('statement_timeout', %s, true)",
                [_ms(self.lock_timeout_s), _ms(self.statement_timeout_s)],
            )
            yield conn

    @contextmanager
    def maintenance_step(
        self, lock_name: str, rerun_if_cut: bool = False
    ) -> Iterator[psycopg.Connection]:
        """:meth:`maintenance_session` for an op: a lock held by another run (a rebuild the
        automation started, a weekly job) is waited out by Dagster retrying the step after as
        long again, not reported as a failure; a database not reached is tried again as
        :meth:`step_connection` does. With ``rerun_if_cut``, a step whose connection
        the server ended (a restart, a failover, a network cut) is run again,
        ``connection_retries`` times: only for a step that may run twice whatever it did
        (loading a staging schema afresh, a refresh made from the change log), or that
        records itself in its own transaction and reads that record first when run again
        (the VisioNature repair, the ingest's switch and rollback), since a connection lost
        during COMMIT leaves it unknown whether the server committed (a switch or a rollback
        run again without its record would act twice, a check run again on what it already
        changed would pass)."""
        with ExitStack() as stack:
            try:
                conn = stack.enter_context(self.maintenance_session(lock_name))
            except MaintenanceLocked as err:
                raise dg.RetryRequested(
                    max_retries=LOCK_RETRIES, seconds_to_wait=self.lock_timeout_s
                ) from err
            except DatabaseUnavailable as err:
                if err.refused:  # running again would meet the same refusal
                    raise
                raise self._run_again() from err
            try:
                yield conn
            except psycopg.OperationalError as err:
                if not (rerun_if_cut and conn.broken):
                    raise
                raise self._run_again() from err
            except DatabaseUnavailable as err:
                # A second session the step opens (the count check's) not reached: a server
                # restarting in "smart" mode refuses it while this one goes on. The step's
                # transaction did not commit: run again as if this session had been cut.
                if not rerun_if_cut or err.refused:
                    raise
                raise self._run_again() from err

    @contextmanager
    def locked_transaction(
        self, lock_name: str, repeatable_read: bool = False
    ) -> Iterator[psycopg.Connection]:
        with (
            self.maintenance_session(lock_name) as conn,
            self.transaction(conn, repeatable_read) as in_transaction,
        ):
            yield in_transaction

    @contextmanager
    def locked_step(
        self, lock_name: str, repeatable_read: bool = False, rerun_if_cut: bool = False
    ) -> Iterator[psycopg.Connection]:
        """:meth:`locked_transaction` for an op, waiting out another run's lock (and with
        ``rerun_if_cut`` a lost connection) as :meth:`maintenance_step` does."""
        with (
            self.maintenance_step(lock_name, rerun_if_cut) as conn,
            self.transaction(conn, repeatable_read) as in_transaction,
        ):
            yield in_transaction


def _ms(seconds: float) -> str:
    return f"{int(seconds * 1000)}ms"

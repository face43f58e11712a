"""The count refresh tells its statement timeout from an operator's cancel (both SQLSTATE 57014)
by comparing the message with the one its own session gives a 1 ms statement timeout, because
the message is in the server's lc_messages language. Tested on a server speaking French: an
English test ("statement timeout" in the message) took every timeout there for a cancel, and
without any comparison every cancel would be taken for a timeout."""

import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors

from maint_assets.atlas.counts.refresh import _statement_timeout
from maint_assets.demo.local_cluster import LocalCluster
from maint_assets_tests.ports import free_port

LOCALE = "fr_FR.UTF-8"


@pytest.fixture(scope="module")
def french_server() -> Iterator[LocalCluster]:
    """A server of its own whose sessions speak French: the system has no French locale
    compiled, so one is compiled (glibc's localedef, from the locales package's sources) into
    a directory the server reads through LOCPATH, and set as lc_messages (PostgreSQL's own
    French catalogue, shipped with Debian's server package)."""
    home = Path(tempfile.mkdtemp(prefix="maint-assets-fr-"))
    home.chmod(0o755)  # the server runs as `postgres` when we are root
    locales = home / "locales"
    locales.mkdir()
    subprocess.run(["localedef", "-i", "fr_FR", "-f", "UTF-8", str(locales / LOCALE)],
                   check=True, capture_output=True)
    for path in locales.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    cluster = LocalCluster(home=home / "pg", port=free_port())
    before = os.environ.get("LOCPATH")
    os.environ["LOCPATH"] = str(locales)  # inherited by pg_ctl, then the server
    try:
        cluster.up()
    finally:
        if before is None:
            os.environ.pop("LOCPATH")
        else:
            os.environ["LOCPATH"] = before
    try:
        with cluster.connect(autocommit=True) as conn:
            conn.execute(f"ALTER SYSTEM SET lc_messages = '{LOCALE}'")
            conn.execute("SELECT pg_reload_conf()")
        yield cluster
    finally:
        cluster.destroy()
        shutil.rmtree(home, ignore_errors=True)


def _canceled(
    cluster: LocalCluster, conn: psycopg.Connection, provoke: str
) -> errors.QueryCanceled:
    """The error of a long statement, in a savepoint as the refresh's are, stopped by
    ``provoke``: 'timeout' (the session's statement timeout) or 'cancel' (pg_cancel_backend
    from another session, an operator's)."""
    pid = conn.info.backend_pid
    canceller = None
    if provoke == "cancel":
        def cancel() -> None:
            with cluster.connect(autocommit=True) as other:
                for _ in range(100):  # until the sleep runs
                    time.sleep(0.05)
                    active = other.execute(
                        "SELECT state = 'active' FROM pg_stat_activity WHERE pid = %s", [pid]
                    ).fetchone()[0]
                    if active:
                        other.execute("SELECT pg_cancel_backend(%s)", [pid])
                        return

        canceller = threading.Thread(target=cancel)
        canceller.start()
    with pytest.raises(errors.QueryCanceled) as raised, conn.transaction(), conn.transaction():
        if provoke == "timeout":
            conn.execute("SET LOCAL statement_timeout = 200")
        conn.execute("SELECT pg_sleep(10)")
    if canceller is not None:
        canceller.join()
    return raised.value


def test_a_statement_timeout_and_a_cancel_are_told_apart_in_french(
    french_server: LocalCluster,
) -> None:
    with french_server.connect(autocommit=True) as conn:
        assert conn.execute("SHOW lc_messages").fetchone()[0] == LOCALE
        timeout = _canceled(french_server, conn, "timeout")
        cancel = _canceled(french_server, conn, "cancel")
        # the premise: not English, and the same SQLSTATE for both
        assert timeout.diag.message_primary != cancel.diag.message_primary
        assert "statement timeout" not in timeout.diag.message_primary
        assert "annulation de la requête" in timeout.diag.message_primary
        assert timeout.sqlstate == cancel.sqlstate == "57014"
        with conn.transaction():  # the refresh asks inside its own transaction
            assert _statement_timeout(conn, timeout) is True
            assert _statement_timeout(conn, cancel) is False

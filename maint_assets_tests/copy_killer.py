"""The server ending, once, the session that runs a COPY FROM STDIN in a database (a restart,
a failover, a network cut in the middle of a load)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


@contextmanager
def copy_ended_once(url: str) -> Iterator[list[int]]:
    """While the block runs, terminate the first session seen running a COPY FROM STDIN in
    ``url``'s database; yields the pids terminated (one, or none if no COPY was seen)."""
    killed: list[int] = []
    stop = threading.Event()

    def watch() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.is_set() and not killed:
                for (pid,) in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE state = 'active'"
                    " AND query LIKE '%%COPY %%FROM STDIN%%' AND pid <> pg_backend_pid()"
                    " AND datname = current_database()"  # not another test's
                ).fetchall():
                    conn.execute("SELECT pg_terminate_backend(%s)", [pid])
                    killed.append(pid)
                time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        yield killed
    finally:
        stop.set()
        watcher.join()

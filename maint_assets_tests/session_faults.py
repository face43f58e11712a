"""A session the server ends in the middle of a step, as at a restart or a failover."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql


@contextmanager
def session_ended_once(url: str, table: str, when: str) -> Iterator[list]:
    """While the block runs, the first session inserting a row of maint_assets.``table`` for
    which the SQL condition ``when`` holds is held there (a trigger sleeps) and ended by the
    server; yields what was ended (one session, or none if no such insert came). The trigger
    goes once a session was ended, so the step's next attempt goes through."""
    target = sql.Identifier("maint_assets", table)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("""
            CREATE FUNCTION public.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF {when} THEN PERFORM pg_sleep(5); END IF; RETURN NEW; END $$;
            CREATE TRIGGER slow BEFORE INSERT ON {table}
            FOR EACH ROW EXECUTE FUNCTION public.slow_row();
        """).format(when=sql.SQL(when), table=target))
    drop = sql.SQL("DROP TRIGGER IF EXISTS slow ON {}").format(target)
    ended: list = []
    stop = threading.Event()

    def end_it() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.is_set():
                sleeping = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE query LIKE %s"
                    " AND wait_event = 'PgSleep' AND datname = current_database()"
                    " AND pid <> pg_backend_pid()", [f"%{table}%"]).fetchall()
                for (pid,) in sleeping:
                    conn.execute("SELECT pg_terminate_backend(%s)", [pid])
                    ended.append((pid,))
                if ended:
                    conn.execute(drop)
                    return
                time.sleep(0.05)

    killer = threading.Thread(target=end_it)
    killer.start()
    try:
        yield ended
    finally:
        stop.set()
        killer.join()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(drop)
            conn.execute("DROP FUNCTION public.slow_row()")

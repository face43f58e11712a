"""What a download of the check copy provably covered, recorded as a window: the
observations/search answers transfer_vn stored (its download_log: site, taxo group,
territorial unit, days), the territorial unit of every downloaded place, and the sites (or,
with territorial_unit_ids, the communes) whose places it asked for. Sites disabled, taxo
groups excluded or without access, territorial units filtered out, controlers disabled and
slices of a crashed job have no line there, so they are simply not covered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import psycopg

from maint_assets.core.sql_files import compose, statement
from maint_assets.vn_sync.keys import SQL_COVERAGE

# The sighting date a window is cut on, as Client-API-VN's `filter.type_date` chooses it
# (observations/search's entry_date).
DATE_PATHS = {"sighting": ["date", "@timestamp"], "entry": ["observers", "0", "insert_date"]}


@dataclass(frozen=True)
class Window:
    id: int
    mode: str  # window: our download of the window; adopt: the operator's check copy
    type_date: str
    download_started: int  # epoch seconds
    confirmed_at: int  # epoch seconds: the check copy's last diff poll (0: none after it)
    tables: tuple[str, ...]
    run_id: str
    # coverage.sql xid_horizon before the window's last fetch from the source, 64-bit (None:
    # adopted); the rows' xmin are compared with it (vn_check_copy.sql form_changes)
    fetched_xid: int | None = None

    @property
    def xid_params(self) -> dict[str, int | None]:
        return {"fetched_xid": self.fetched_xid}

    @property
    def date_path(self) -> list[str]:
        return DATE_PATHS[self.type_date]

    @property
    def absence_is_evidence(self) -> bool:
        """Absence from both the download and the check copy proves a deletion only when
        the diff brought the check copy up to date after the download (see reconcile.sql)."""
        return self.mode == "window" and self.confirmed_at >= self.download_started


@dataclass(frozen=True)
class SiteSlices:
    site: str
    slices: int
    first_day: date
    last_day: date
    rows: int


def record(
    conn: psycopg.Connection, *, check_schema: str, mode: str, log_schema: str,
    ref_schema: str, type_date: str, download_started: int, confirmed_at: int,
    tables: tuple[str, ...], sites: list[str], run_id: str, after_log_id: int = 0,
    fetched_xid: int | None = None,
) -> tuple[Window, list[SiteSlices]]:
    """A window from the download_log lines of ``log_schema`` after ``after_log_id`` and the
    places of ``ref_schema``; returns it with its slices per site."""
    last_log_id = conn.execute(compose(SQL_COVERAGE, "last_log_id", log=log_schema)).fetchone()[0]
    window_id = conn.execute(statement(SQL_COVERAGE, "record_window"), {
        "check_schema": check_schema, "mode": mode, "type_date": type_date,
        "download_started": download_started, "confirmed_at": confirmed_at,
        "tables": list(tables), "run_id": run_id,
        "last_log_id": last_log_id if mode == "adopt" else None, "fetched_xid": fetched_xid,
    }).fetchone()[0]
    params = {"window_id": window_id, "after_log_id": after_log_id, "sites": sites}
    conn.execute(compose(SQL_COVERAGE, "record_slices", log=log_schema), params)
    conn.execute(compose(SQL_COVERAGE, "record_places", ref=ref_schema, check=check_schema), params)
    conn.execute(compose(SQL_COVERAGE, "record_place_sites", log=log_schema), params)
    conn.execute(compose(SQL_COVERAGE, "record_place_communes", log=log_schema), params)
    conn.execute(statement(SQL_COVERAGE, "forget_old_windows"), {"check_schema": check_schema})
    per_site = [
        SiteSlices(*row) for row in conn.execute(statement(SQL_COVERAGE, "slices_per_site"), params)
    ]
    window = Window(window_id, mode, type_date, download_started, confirmed_at, tables, run_id,
                    fetched_xid)
    return window, per_site


def sites_without_places(conn: psycopg.Connection, window: Window, sites: list[str]) -> list[str]:
    """The ``sites`` of which the window's download asked for no place at all."""
    return [site for (site,) in conn.execute(
        statement(SQL_COVERAGE, "sites_without_places"), {"window_id": window.id, "sites": sites}
    )]


def latest(conn: psycopg.Connection, check_schema: str) -> Window | None:
    row = conn.execute(
        statement(SQL_COVERAGE, "latest_window"), {"check_schema": check_schema}
    ).fetchone()
    if row is None:
        return None
    window_id, mode, type_date, started, confirmed, tables, run_id, fetched_xid = row
    return Window(window_id, mode, type_date, started, confirmed, tuple(tables), run_id,
                  fetched_xid)


def polled_since(
    conn: psycopg.Connection, window: Window, check_schema: str
) -> dict[tuple[str, str], int]:
    """Per (site, taxo group) the latest poll of ``check_schema`` asked for, epoch seconds since
    when our polls have stored every change the source made to it: each poll asked for every
    change since the one before it started (polls.py ``poll``), so a row the source
    changed since then was stored by one of them, and a deletion of it since is a signal
    (reconcile.sql). The chain is the group's own: a poll that did not ask for it (the group
    excluded, or the account without access; a poll recorded without its groups) leaves a gap
    the next poll's start does not cover, and the chain starts again after it. Empty unless
    the window's own poll ended the chain (an adopted check copy is polled by the operator's
    cron, which records nothing)."""
    if not window.absence_is_evidence:
        return {}
    polls = conn.execute(
        statement(SQL_COVERAGE, "polls"), {"check_schema": check_schema}
    ).fetchall()
    if not polls:
        return {}
    chains: dict[tuple[str, str], tuple[datetime, datetime]] = {}  # group -> (start, last)
    for since, started, groups in polls:
        for group in {(g["site"], str(g["taxo_group"])) for g in groups or ()}:
            start, last = chains.get(group, (since, None))
            # a gap since the group's last poll: its changes in between were not asked for
            chains[group] = (since if last is None or since > last else min(start, since),
                             started)
    latest = {(g["site"], str(g["taxo_group"])) for g in polls[-1][2] or ()}
    # naive, transfer_vn's clock: this machine's local time
    return {group: int(start.timestamp()) for group, (start, _) in chains.items()
            if group in latest}


def adopted_log_id(conn: psycopg.Connection, check_schema: str) -> int:
    return conn.execute(
        statement(SQL_COVERAGE, "adopted_log_id"), {"check_schema": check_schema}
    ).fetchone()[0]


def log_started(conn: psycopg.Connection, log_schema: str, after_log_id: int) -> int | None:
    return conn.execute(
        compose(SQL_COVERAGE, "log_started", log=log_schema), {"after_log_id": after_log_id}
    ).fetchone()[0]


def covered(conn: psycopg.Connection, window: Window, copy: str, temp: str) -> int:
    """Creates the temporary table ``temp`` of ``copy``'s observations inside the window
    (site, id, taxo_group, day); returns their number."""
    conn.execute(
        compose(SQL_COVERAGE, "covered_observations", copy=copy, temp=temp),
        {"window_id": window.id, "date_path": window.date_path},
    )
    return _indexed_rows(conn, temp)


def polled(conn: psycopg.Connection, window: Window, copy: str, temp: str) -> int:
    """Creates the temporary table ``temp`` of ``copy``'s observations outside the window's
    days that our polls of ``copy`` stored (since the start of the polls of their site and
    taxo group, ``polled_since``), of a territorial unit the window covered (site, id);
    returns their number."""
    since = polled_since(conn, window, copy)
    conn.execute(
        compose(SQL_COVERAGE, "polled_observations", copy=copy, temp=temp),
        {"window_id": window.id, "sites": [s for s, _ in since],
         "groups": [g for _, g in since], "since": list(since.values())},
    )
    return _indexed_rows(conn, temp)


def covered_places(conn: psycopg.Connection, window: Window, copy: str, temp: str) -> int:
    """Creates the temporary table ``temp`` of ``copy``'s places the window's places download
    covered (site, id: its sites downloaded whole, its communes); returns their number."""
    conn.execute(compose(SQL_COVERAGE, "covered_places", copy=copy, temp=temp),
                 {"window_id": window.id})
    return _indexed_rows(conn, temp)


def _indexed_rows(conn: psycopg.Connection, temp: str) -> int:
    """Indexes a covered table by key, analyzes it and counts its rows."""
    conn.execute(compose(SQL_COVERAGE, "index_covered", temp=temp))
    return conn.execute(compose(SQL_COVERAGE, "covered_rows", temp=temp)).fetchone()[0]


def covered_days(conn: psycopg.Connection, window: Window) -> None:
    """Creates ``vn_covered_days``: per site, the days inside the window (forms)."""
    conn.execute(statement(SQL_COVERAGE, "covered_days"), {"window_id": window.id})

"""The demo's VisioNature: a fake site (vn_fake_api.py) with
generated sightings, production and check copies of it as transfer_vn stores them
(vn_site_copy.py), and the divergences a failing live sync leaves behind.

The tables are created by transfer_vn itself (maint_assets/vn_sync/tables.py, with
``--col_tables_create`` and its row triggers for the tests and the demo), so their layout is
Client-API-VN's, not a copy of it.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

from maint_assets.core.sql_files import compose, statement
from maint_assets.demo import vn_fake_site
from maint_assets.demo.vn_fake_api import SCHEMA
from maint_assets.demo.vn_fake_site import FakeSite, Layout, epoch
from maint_assets.demo.vn_site_copy import copy_site
from maint_assets.vn_sync import tool_config
from maint_assets.vn_sync.keys import CHECK, PRODUCTION, SQL_BOOKKEEPING, TABLES

GROUP = "demo/vn_data"
DEMO_TRANSFER_VN_CONFIG = Path(__file__).parent / "data" / "demo_transfer_vn.yaml"
DEMO_SITE = "tst1"
DEMO_LAYOUT = Layout(units=3, communes=8, places=12)
# Taxo groups of the generated sightings, with their weights.
GROUP_WEIGHTS = ((1, 70), (2, 8), (3, 17), (37, 5))


@dataclass(frozen=True)
class DemoSummary:
    observations: int
    forms: int
    places: int
    check_observations: int
    seconds: float


def is_loaded(conn: psycopg.Connection) -> bool:
    return conn.execute(
        sql.SQL("SELECT EXISTS (SELECT FROM {})").format(
            sql.Identifier(PRODUCTION, "observations_json")
        )
    ).fetchone()[0]


def generate_site(
    conn: psycopg.Connection, site: str, rows: int, seed: int = 1, window_days: int = 14,
    window_share: float = 0.1, layout: Layout = DEMO_LAYOUT, schema: str = SCHEMA,
) -> None:
    """``rows`` sightings of one site: ``window_share`` of them dated in the last
    ``window_days``, the rest over the two years before; about a sixth in forms of four (one
    observer, day and place); some edited since their entry."""
    rng = random.Random(seed)
    maker = FakeSite(conn, site, schema=schema)
    maker.add_reference(layout)
    places, today = layout.place_ids(), datetime.now(UTC).date()
    now = int(time.time())
    groups, weights = zip(*GROUP_WEIGHTS, strict=True)
    forms: list[tuple[int, dict]] = []
    table = sql.Identifier(schema, "sightings")
    with conn.cursor().copy(
        sql.SQL("COPY {} (site, id, id_form, item, modified_at) FROM STDIN").format(table)
    ) as copy:
        n = 0
        while n < rows:
            in_window = rng.random() < window_share
            day = today - timedelta(days=rng.randint(1, window_days - 1) if in_window
                                    else rng.randint(window_days + 1, window_days + 730))
            size = 4 if rng.random() < 0.05 else 1  # about a sixth in forms of four
            group, place = rng.choices(groups, weights)[0], rng.choice(places)
            observer = rng.randint(1, 700)
            form = None
            if size == 4:
                form = 1_000_000 + n
                forms.append((form, maker.form_item(form, place)))
            for id_ in range(n + 1, min(n + size, rows) + 1):
                inserted = min(epoch(day) + rng.randint(6, 40) * 3600, now - 60)
                updated = None
                if rng.random() < 0.3:
                    updated = min(inserted + int(rng.random() ** 2 * 30 * 86400), now - 60)
                item = maker.sighting_item(id_, day, group, place, inserted, updated,
                                           count=rng.randint(1, 12), observer=observer)
                copy.write_row((site, id_, form, json.dumps(item),
                                datetime.fromtimestamp(updated or inserted, UTC)))
            n += size
    with conn.cursor() as cur:
        cur.executemany(
            compose("demo/vn_fake_site", "upsert_form", schema=schema),
            [{"site": site, "id": i, "item": json.dumps(item)} for i, item in forms],
        )


@dataclass(frozen=True)
class Divergence:
    """Shares of the window's sightings (the last window_days) a failing sync leaves wrong."""

    missing: float = 0.01  # production lacks them
    stale: float = 0.01  # edited at the source; the check copy has the edit, production not
    deleted: float = 0.005  # deleted at the source; both copies still have them
    only_in_production: float = 0.002  # never at the source any more, never in the check copy
    same_timestamp: float = 0.002  # production's item differs, same update_ts
    newer_in_production: float = 0.002
    moved_out: float = 0.002  # date corrected to before the window at the source
    gap: float = 0.0  # the site's search leaves them out (a silent partial download)


def load_demo_data(
    conn: psycopg.Connection, venv: Path, rows: int, seed: int = 1, window_days: int = 14,
    window_share: float = 0.1, divergence: Divergence = Divergence(),
) -> DemoSummary:
    """The demo's site (``rows`` sightings on one site), production and the check copy as
    transfer_vn stores it, then ``divergence``."""
    started = time.monotonic()
    vn_fake_site.create(conn)
    generate_site(conn, DEMO_SITE, rows, seed, window_days, window_share)
    for schema in (PRODUCTION, CHECK):
        for table in (*TABLES, "local_admin_units_json", "territorial_units_json",
                      "taxo_groups_json", "increment_log"):
            conn.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(schema, table)))
        copy_site(conn, venv, schema, [DEMO_SITE])
        conn.execute(compose(GROUP, "watermarks", schema=schema), {"site": DEMO_SITE})
    diverge(conn, venv, seed, window_days, divergence)
    counts = conn.execute(compose(GROUP, "row_counts", production=PRODUCTION, check=CHECK)
                          ).fetchone()
    for schema in (SCHEMA, PRODUCTION, CHECK):
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, (
            "sightings" if schema == SCHEMA else "observations_json"))))
    return DemoSummary(*counts, seconds=time.monotonic() - started)


def diverge(
    conn: psycopg.Connection, venv: Path, seed: int, window_days: int, d: Divergence
) -> None:
    rng = random.Random(seed + 1)
    site = FakeSite(conn, DEMO_SITE)
    today = datetime.now(UTC).date()
    window = [i for (i,) in conn.execute(compose(GROUP, "window_ids", schema=SCHEMA), {
        "site": DEMO_SITE, "since": today - timedelta(days=window_days - 1)})]
    rng.shuffle(window)
    picks: dict[str, list[int]] = {}
    for name in ("missing", "stale", "deleted", "same_timestamp", "newer_in_production",
                 "moved_out", "gap"):
        count = int(len(window) * getattr(d, name))
        picks[name], window = window[:count], window[count:]
    now = int(time.time())
    for id_ in picks["stale"]:
        site.edit(id_, at=now - rng.randint(120, 20 * 3600))
    for id_ in picks["moved_out"]:
        site.edit(id_, day=today - timedelta(days=window_days + 30), at=now - 60)
    for id_ in picks["deleted"]:
        site.delete(id_)
    if picks["stale"]:
        copy_site(conn, venv, CHECK, [DEMO_SITE], ids=picks["stale"])  # the check's diff
    extra = int((len(window) + sum(map(len, picks.values()))) * d.only_in_production)
    params = {"site": DEMO_SITE, **picks, "now": now, "extra_from": window[:extra],
              "first_extra": 10_000_000}
    with conn.transaction():
        conn.execute(statement(SQL_BOOKKEEPING, "repairing"))
        for name in ("missing_in_production", "same_timestamp_in_production",
                     "newer_in_production", "only_in_production"):
            conn.execute(compose(GROUP, name, production=PRODUCTION, check=CHECK), params)
    if picks["gap"]:
        site.fault("drop", picks["gap"])



def serve_demo_site(database_url: str, config: Path) -> subprocess.Popen:
    """The demo's fake VisioNature site, in its own process on a free port (it stops with
    the process that started it), and the demo's transfer_vn configuration pointing at it:
    ``config``, the shipped DEMO_TRANSFER_VN_CONFIG with its site's URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "maint_assets.demo.vn_fake_api", "--database-url", database_url,
         "--port", str(port)],
    )
    demo = tool_config.load(DEMO_TRANSFER_VN_CONFIG)
    demo["site"][DEMO_SITE]["site"] = f"http://127.0.0.1:{port}/{DEMO_SITE}/"
    config.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the API keys
    with os.fdopen(fd, "w") as out:
        out.write(tool_config.dump(demo))
    return server

"""The fake site's data written into Client-API-VN's tables as transfer_vn would store them
(``sql/demo/vn_site_copy.sql`` says how, rule by rule): the initial production and check
copies of the demo, the tests and the benchmark. The local coordinates transfer_vn adds come
from Client-API-VN's own pyproj, run in its virtualenv with its call
(``Transformer.from_proj(4326, db_out_proj, always_xy=True)``)."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import psycopg

from maint_assets.core.sql_files import compose, statement
from maint_assets.demo.vn_fake_api import SCHEMA

GROUP = "demo/vn_site_copy"
_PROJECT = (
    "import json, sys\n"
    "from pyproj import Transformer\n"
    "t = Transformer.from_proj(4326, int(sys.argv[1]), always_xy=True)\n"
    "for line in sys.stdin:\n"
    "    lon, lat = json.loads(line)\n"
    "    print(json.dumps(t.transform(lon, lat)))\n"
)
GEOMETRY = (("places_json", "places"), ("local_admin_units_json", "local_admin_units"))
SIMPLE = (("territorial_units_json", "territorial_units"), ("taxo_groups_json", "taxo_groups"))


def copy_site(
    conn: psycopg.Connection, venv: Path, target: str, sites: list[str],
    ids: list[int] | None = None, site_schema: str = SCHEMA, out_proj: int = 2154,
) -> None:
    """The site's current sightings (``ids``: only those, as ``--update`` fetches them), their
    forms and, for a whole copy, its places and reference tables, into ``target``."""
    names = {"site": site_schema, "target": target}
    params = {
        "sites": sites, "ids": ids,
        "utc_offset": f"{int(datetime.now().astimezone().utcoffset().total_seconds())} seconds",
    }
    conn.execute(statement(GROUP, "projection_table"))
    points = conn.execute(compose(GROUP, "points", site=site_schema), params).fetchall()
    if points:
        projected = _project(venv, points, out_proj)
        with conn.cursor() as cur:
            cur.executemany(statement(GROUP, "add_projection"), projected)
    conn.execute(compose(GROUP, "copy_observations", **names), params)
    conn.execute(compose(GROUP, "copy_forms", **names), params)
    if ids is None:
        for table, source in GEOMETRY:
            conn.execute(compose(GROUP, "copy_geometry", table=table, source=source, **names),
                         params)
        for table, source in SIMPLE:
            conn.execute(compose(GROUP, "copy_simple", table=table, source=source, **names),
                         params)


def _project(
    venv: Path, points: list[tuple[str, str]], out_proj: int
) -> list[tuple[str, str, str, str]]:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", _PROJECT, str(out_proj)],
        input="".join(json.dumps(p) + "\n" for p in points),
        capture_output=True, text=True, check=True,
    )
    rows = []
    for (lon, lat), line in zip(points, done.stdout.splitlines(), strict=True):
        x, y = json.loads(line)
        # json.dumps as transfer_vn's SQLAlchemy JSONB serializer writes the floats
        rows.append((lon, lat, json.dumps(x), json.dumps(y)))
    return rows

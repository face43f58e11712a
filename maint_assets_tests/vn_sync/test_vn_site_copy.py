"""The copies the demo, the tests and the benchmark start from (site_copy.py writes the fake
site's items as transfer_vn would) are exactly what the real transfer_vn stores when it
downloads the same site: observations (update_ts from update_date or insert_date, forms'
id_form_universal, local coordinates), forms (their computed days and observer), places
and the reference tables."""

import time

from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.vn_site_copy import copy_site
from maint_assets.vn_sync.client_api_vn import DEFAULT_VENV
from maint_assets.vn_sync.keys import CHECK, REFERENCE_CONTROLERS, WINDOW_STAGING
from maint_assets_tests.vn_sync.helpers import LAYOUT, VnWorld, days_ago, table_rows

TABLES = ("observations_json", "forms_json", "places_json", "local_admin_units_json",
          "territorial_units_json", "taxo_groups_json")


def test_site_copy_equals_what_transfer_vn_stores(world: VnWorld) -> None:
    site = world.sites["tst1"]
    places = LAYOUT.place_ids()
    for n in range(30):
        site.add_sightings([n + 1], days_ago(n + 1), (1, 2, 3, 37)[n % 4], places[n % 12])
    site.add_sightings([101, 102, 103], days_ago(5), 2, places[4], form=900)
    site.add_sightings([104, 105], days_ago(20), 1, places[7], form=901)
    time.sleep(1)
    for id_ in (3, 7, 102):  # edited: their items carry update_date, the rest only insert_date
        site.edit(id_)
    db = PostgresResource(url=world.url)
    tool = world.tool()
    with tool.generated_config(
        db, WINDOW_STAGING, start_date=days_ago(60), controlers={"observations"}
        | REFERENCE_CONTROLERS,
    ) as (path, config):
        tool.run("full", path, config)
    copy_site(world.conn, DEFAULT_VENV, CHECK, ["tst1"])
    for table in TABLES:
        stored = table_rows(world.conn, WINDOW_STAGING, table)
        assert stored, table
        assert table_rows(world.conn, CHECK, table) == stored, table
    query = ("SELECT id, id_form_universal FROM {}.observations_json "
             "WHERE id_form_universal IS NOT NULL")
    in_forms = set(world.conn.execute(query.format(CHECK)).fetchall())
    assert in_forms == set(world.conn.execute(query.format(WINDOW_STAGING)).fetchall())
    assert len(in_forms) == 5

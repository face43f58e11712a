"""What a sensor tick that did something says: Dagster marks every tick without a run request
SKIPPED, so its reason (and the tick's log) names what it recorded; and each source asset's
page lists the sensor that records it as its automation."""

from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.atlas import sources
from maint_assets.catalog import assets as catalog
from maint_assets.core.postgres import PostgresResource
from maint_assets.core.stores import FileStore
from maint_assets.definitions import defs
from maint_assets.webarchive.demo_data import write_store
from maint_assets.webarchive.keys import WARC_STORE


@pytest.mark.parametrize(
    ("sensor", "keys"),
    [
        (
            "atlas_source_changes",
            {sources.observations.key, sources.regions.key, sources.taxa_obs.key},
        ),
        ("webarchive_new_files", {WARC_STORE}),
        ("catalog_new_pages", {catalog.PAGES}),
    ],
)
def test_source_assets_show_the_sensor_that_records_them(sensor: str, keys: set) -> None:
    definition = defs.resolve_sensor_def(sensor)
    assert definition.asset_selection is not None, sensor
    assert definition.asset_selection.resolve(defs.resolve_asset_graph()) == keys


def test_a_change_tick_says_what_it_recorded(atlas_url: str) -> None:
    sensor = defs.resolve_sensor_def("atlas_source_changes")
    resources = {"atlas_db": PostgresResource(url=atlas_url)}
    cursor = sensor(dg.build_sensor_context(resources=resources)).cursor
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM public.observations WHERE id IN "
            "(SELECT id FROM public.observations ORDER BY id LIMIT 3)"
        )
    tick = sensor(dg.build_sensor_context(cursor=cursor, resources=resources))
    observations = sources.observations.key.to_user_string()
    assert tick.skip_reason.skip_message == f"recorded {observations} (3 deleted)"


def test_a_new_files_tick_says_what_it_recorded(tmp_path: Path) -> None:
    write_store(tmp_path / "store", warcs=1, records=2)  # the demo's real WARCs
    store = FileStore(url=str(tmp_path / "store"))
    sensor = defs.resolve_sensor_def("webarchive_new_files")
    tick = sensor(dg.build_sensor_context(resources={"warc_store": store}))
    message = tick.skip_reason.skip_message
    assert message.startswith(f"recorded {WARC_STORE.to_user_string()}: ")
    assert " new file(s) in " in message and tick.asset_events

"""What a sensor tick that did something says: Dagster marks every tick without a run request
SKIPPED, so its reason (and the tick's log) names what it recorded; and each source asset's
page lists the sensor that records it as its automation. (The atlas change sensor's tick:
test_change_sensor.py.)"""

from pathlib import Path

import dagster as dg
import pytest

from maint_assets.atlas.keys import OBSERVATIONS, REGIONS, REGIONS_ZOOM_LOOKUP, TAXA_OBS
from maint_assets.catalog.keys import DCAT_PAGES
from maint_assets.core.stores import FileStore
from maint_assets.definitions import defs
from maint_assets.demo.webarchive_data import write_store
from maint_assets.webarchive.keys import WARC_FILES


@pytest.mark.parametrize(
    ("sensor", "keys"),
    [
        (
            "atlas_source_changes",
            {OBSERVATIONS, REGIONS, TAXA_OBS, REGIONS_ZOOM_LOOKUP},
        ),
        ("webarchive_new_files", {WARC_FILES}),
        ("catalog_new_pages", {DCAT_PAGES}),
    ],
)
def test_source_assets_show_the_sensor_that_records_them(sensor: str, keys: set) -> None:
    definition = defs.resolve_sensor_def(sensor)
    assert definition.asset_selection is not None, sensor
    assert keys <= definition.asset_selection.resolve(defs.resolve_asset_graph())


def test_a_new_files_tick_says_what_it_recorded(tmp_path: Path) -> None:
    write_store(tmp_path / "store", warcs=1, records=2)  # the demo's real WARCs
    store = FileStore(url=str(tmp_path / "store"))
    sensor = defs.resolve_sensor_def("webarchive_new_files")
    tick = sensor(dg.build_sensor_context(resources={"warc_store": store}))
    message = tick.skip_reason.skip_message
    assert message.startswith(f"recorded {WARC_FILES.to_user_string()}: ")
    assert " new file(s) in " in message
    assert [e.asset_key for e in tick.asset_events] == [WARC_FILES]

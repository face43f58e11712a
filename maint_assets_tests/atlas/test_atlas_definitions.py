"""The atlas graph's shape, without servers: every check declares what it reads, so a run of
everything ("Materialize all") orders each check after the assets it reads."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from maint_assets.atlas import keys
from maint_assets.atlas.assets import dumps as dump_assets
from maint_assets.atlas.assets.counts import COUNT_KEYS, TOUCHED_CHECK
from maint_assets.atlas.checks import FULL_CHECK, full_recount
from maint_assets.definitions import defs


def _reads(check: dg.AssetCheckKey) -> set[dg.AssetKey]:
    return set(defs.resolve_asset_graph().get(check).parent_entity_keys)


def test_the_restore_checks_declare_the_dumps_they_load_first():
    restores = {
        key: _reads(dg.AssetCheckKey(key, "restores"))
        for key in (
            keys.SCHEMA_DUMP,
            keys.REFERENCE_DATA_DUMP,
            keys.REGIONS_DUMP,
            keys.OBSERVATIONS_SAMPLE_DUMP,
        )
    }
    assert restores[keys.OBSERVATIONS_SAMPLE_DUMP] >= {
        keys.SCHEMA_DUMP,
        keys.REFERENCE_DATA_DUMP,
        keys.REGIONS_DUMP,
    }
    assert restores[keys.REGIONS_DUMP] >= {keys.SCHEMA_DUMP}
    assert restores[keys.REFERENCE_DATA_DUMP] >= {keys.SCHEMA_DUMP}


def test_the_table_checks_declare_what_they_compare_with():
    full = _reads(dg.AssetCheckKey(keys.OBS_REGION_COUNTS, "matches_full_recount"))
    assert full >= {keys.OBSERVATIONS, keys.REGIONS, keys.REGIONS_ZOOM_LOOKUP}
    coverage = _reads(dg.AssetCheckKey(keys.API_TAXA, "one_row_per_resolved_taxa_obs"))
    assert keys.TAXA_OBS_REF_LOOKUP in coverage


def test_a_materialize_all_job_runs_each_restore_check_after_the_dumps_it_loads():
    job = dg.define_asset_job("everything").resolve(asset_graph=defs.resolve_asset_graph())
    deps = job.graph.dependency_structure
    # The sample's check runs in the step of its own asset or after it: its inputs reach the
    # steps of the three dumps it loads.
    upstream: dict[str, set[str]] = {}
    for node in job.graph.node_dict:
        upstream[node] = {
            out.node_name
            for handles in deps.input_to_upstream_outputs_for_node(node).values()
            for out in handles
        }

    def ancestors(node: str) -> set[str]:
        seen, todo = set(), [node]
        while todo:
            for parent in upstream.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    sample_check = "atlas__dump__observations_sample_dump_restores"
    check_step = next(n for n in job.graph.node_dict if n.startswith(sample_check))
    assert "atlas_snapshot_dumps" in ancestors(check_step)


def test_the_dumps_staging_loads_together_are_written_in_one_step():
    """One step, one snapshot: dumps of different snapshots did not load together (a dataset
    reloaded between two of them broke a foreign key). Each stays an asset of its own, and
    the step cannot be subset: a dump written alone read another snapshot than the others."""
    assert set(dump_assets.snapshot_dumps.keys) == set(dump_assets.PREREQUISITES)
    assert not dump_assets.snapshot_dumps.can_subset


def test_only_the_weekly_automation_runs_the_full_recount():
    """The full comparison costs production's own query. The weekly refresh (its scheduled run
    names its assets, and a job takes every check of its assets) must leave it out; it runs
    by its own automation condition."""
    full = full_recount.node_def.name
    weekly = defs.resolve_job_def("atlas_weekly_incremental_refresh")
    nodes = set(weekly.graph.node_dict)
    assert "atlas_region_counts" in nodes and full not in nodes
    assert dg.AssetCheckKey(keys.OBS_REGION_COUNTS, TOUCHED_CHECK) in (
        weekly.asset_layer.asset_graph.asset_check_keys
    )
    assert full in defs.resolve_job_def("atlas_counts_full_comparison").graph.node_dict


def test_automation_compares_the_counts_whole_on_sundays_at_three_in_toronto():
    """A condition of its own: a check without one rides along with every automation run of
    the count tables."""
    full = {dg.AssetCheckKey(k, FULL_CHECK) for k in COUNT_KEYS.values()}
    toronto = ZoneInfo("America/Toronto")
    ticks = [datetime(2026, 12, 5, 12, 0), datetime(2026, 12, 6, 2, 59),
             datetime(2026, 12, 6, 3, 1), datetime(2026, 12, 6, 3, 6)]
    requested, cursor = [], None
    with dg.instance_for_test() as instance:
        for tick in ticks:
            result = dg.evaluate_automation_conditions(
                defs, instance, asset_selection=dg.AssetSelection.checks(full_recount),
                evaluation_time=tick.replace(tzinfo=toronto), cursor=cursor,
            )
            cursor = result.cursor
            requested.append({r.key for r in result.results if r.true_subset.size} & full)
    assert requested == [set(), set(), full, set()]

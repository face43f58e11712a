"""The taxonomy chain's derived objects as production's refresh and the atlas API's own
functions see them, after edits of the tables they read.

1. An edit of the taxa groups (production's scripts/TAXA_status_group_inject.sql and
   TAXA_group_invasive_species.sql add CDPNQ and invasive-species members, then refresh the
   group lookup) or of the source priorities is a change of a declared upstream of
   taxa_obs_group_lookup and api.taxa, which are eager: automation must refresh them.
2. A taxa_obs deleted (a name merged into another: production's FK makes the operator delete
   its lookup rows first) must take its reference records with it, as production's
   refresh_taxa_ref() does (it rebuilds the table). (Its vernacular names staying in
   taxa_vernacular, unlinked, is trial s34's F2 left-over, not asserted here.)
"""

import dagster as dg
import psycopg
import pytest

from maint_assets.atlas import checks
from maint_assets.atlas.assets import taxonomy
from maint_assets.atlas.keys import API_TAXA, TAXA_OBS_GROUP_LOOKUP
from maint_assets_tests.atlas.helpers import ALL_ASSETS, materialize, rows, sensor_tick


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


def _requested_after(url, resources, instance, edit: str) -> set[dg.AssetKey]:
    """What automation requests after ``edit``, everything being up to date before it and the
    change sensor ticking in between (as the daemon records its events)."""
    graph = dg.Definitions(assets=ALL_ASSETS, asset_checks=checks.TABLE_CHECKS, resources=resources)
    tick = sensor_tick(url, None, instance)
    for event in tick.asset_events:
        instance.report_runless_asset_event(event)
    for key in graph.resolve_asset_graph().materializable_asset_keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
    evaluation = dg.evaluate_automation_conditions(defs=graph, instance=instance)
    assert evaluation.total_requested == 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(edit)
    tick = sensor_tick(url, tick.cursor, instance)
    for event in tick.asset_events:
        instance.report_runless_asset_event(event)
    evaluation = dg.evaluate_automation_conditions(
        defs=graph, instance=instance, cursor=evaluation.cursor
    )
    return {r.key for r in evaluation.results if r.true_subset.size}


@pytest.mark.parametrize(
    "edit",
    [
        # a species made SENSITIVE: obs_map must then show it at the coarser scale only
        "INSERT INTO public.taxa_group_members (short, scientific_name) "
        "SELECT 'SENSITIVE', scientific_name FROM public.taxa_obs ORDER BY id LIMIT 1",
        "UPDATE public.taxa_groups SET vernacular_fr = 'Oiseaux nicheurs' WHERE short = 'BIRDS'",
        "UPDATE api.taxa_vernacular_sources SET source_priority = source_priority + 10",
    ],
    ids=["group_member_added", "group_renamed", "vernacular_priority"],
)
def test_an_edit_of_the_taxa_groups_refreshes_the_views_that_read_them(
    resources, atlas_url, instance, edit
):
    requested = _requested_after(atlas_url, resources, instance, edit)
    if "taxa_vernacular_sources" in edit:
        assert API_TAXA in requested
    else:
        assert {TAXA_OBS_GROUP_LOOKUP, API_TAXA} <= requested


def test_a_deleted_taxa_obs_takes_its_reference_records_with_it(resources, atlas_url):
    assert materialize(resources, selection=taxonomy.ASSETS).success
    [(victim, name)] = rows(
        atlas_url,
        """SELECT o.id, o.scientific_name FROM public.taxa_obs o
           JOIN public.taxa_obs_ref_lookup l ON l.id_taxa_obs = o.id AND l.match_type = 'exact'
           WHERE NOT EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup x
                             WHERE x.id_taxa_ref = l.id_taxa_ref AND x.id_taxa_obs <> o.id)
             AND EXISTS (SELECT 1 FROM public.taxa_obs_vernacular_lookup v
                         WHERE v.id_taxa_obs = o.id AND v.match_type = 'exact')
           ORDER BY o.id LIMIT 1""",
    )
    own = """SELECT count(*) FROM public.taxa_ref WHERE scientific_name = %s"""
    assert rows(atlas_url, own, [name]) == [(1,)]
    # merged into another name: its observations moved, then the rows production's keys
    # require gone first, then the name itself
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE public.observations SET id_taxa_obs = "
            "(SELECT min(id) FROM public.taxa_obs WHERE id <> %s) WHERE id_taxa_obs = %s",
            [victim, victim],
        )
        conn.execute("DELETE FROM public.taxa_obs_ref_lookup WHERE id_taxa_obs = %s", [victim])
        conn.execute(
            "DELETE FROM public.taxa_obs_vernacular_lookup WHERE id_taxa_obs = %s", [victim]
        )
        conn.execute("DELETE FROM public.taxa_obs WHERE id = %s", [victim])
    assert materialize(resources, selection=taxonomy.ASSETS).success
    # production's refresh (DELETE everything, resolve every taxa_obs again) no longer has the
    # record: api.autocomplete_taxa_name and match_taxa_ref_relatives would still offer it
    assert rows(atlas_url, own, [name]) == [(0,)]

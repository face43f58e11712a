"""Every derived atlas asset against an independent recomputation written here in plain
SQL or Python, on a generated PostGIS dataset."""

import csv
from collections import defaultdict

import pytest

from maint_assets.atlas.assets.counts import (
    OBS_REGION_COUNTS,
    OBS_REGIONS_TAXA_DATASETS_COUNTS,
    TOUCHED_CHECK,
    WEB_REGIONS,
)
from maint_assets.atlas.assets.taxonomy import (
    API_TAXA,
    TAXA_OBS_GROUP_LOOKUP,
    TAXA_OBS_REF_LOOKUP,
    TAXA_REF,
)
from maint_assets.atlas.taxonomy.checklist import DEFAULT_CHECKLIST
from maint_assets.core.postgres import PostgresResource
from maint_assets_tests.atlas.helpers import (
    atlas_resources,
    differences,
    materialize,
    metadata,
    rows,
)


@pytest.fixture(scope="module")
def atlas_url(shared_atlas_url):
    # No test here writes: they all read the one refresh below.
    return shared_atlas_url


@pytest.fixture(scope="module")
def refreshed(atlas_url):
    result = materialize(atlas_resources(PostgresResource(url=atlas_url, lock_timeout_s=5)))
    assert result.success
    return result


def _checklist() -> dict[str, dict[str, str]]:
    with DEFAULT_CHECKLIST.open(newline="") as fh:
        return {r["taxon_id"]: r for r in csv.DictReader(fh)}


def _symmetric_difference(url: str, left: str, right: str) -> int:
    return rows(
        url,
        f"SELECT (SELECT count(*) FROM (({left}) EXCEPT ALL ({right})) a)"
        f" + (SELECT count(*) FROM (({right}) EXCEPT ALL ({left})) b)",
    )[0][0]


def test_obs_region_counts_equal_a_point_in_polygon_recount(refreshed, atlas_url):
    expected = """
        SELECT r.type::text, r.scale, r.fid, o.id_taxa_obs, o.year_obs, count(*)::int
        FROM public.regions r
        JOIN atlas_api.regions_zoom_lookup z USING (type, scale)
        JOIN public.observations o
          ON ST_Within(o.geom, r.geom) AND r.within_quebec = o.within_quebec
        GROUP BY 1, 2, 3, 4, 5"""
    stored = (
        "SELECT type, scale, fid, id_taxa_obs, year_obs, count_obs FROM atlas_api.obs_region_counts"
    )
    assert rows(atlas_url, "SELECT count(*) FROM atlas_api.obs_region_counts")[0][0] > 10_000
    assert _symmetric_difference(atlas_url, expected, stored) == 0
    # every observation inside Québec is counted once per counted region level
    per_obs = rows(
        atlas_url,
        """
        SELECT sum(count_obs) FROM atlas_api.obs_region_counts
        WHERE type = 'admin' AND scale = 1""",
    )
    inside = rows(atlas_url, "SELECT count(*) FROM observations_partitions.within_quebec")
    assert per_obs == inside
    assert metadata(refreshed, OBS_REGION_COUNTS)["refresh_mode"] == "full"


def test_datasets_counts_equal_a_recount(refreshed, atlas_url):
    expected = """
        SELECT r.fid, r.type::text, o.id_taxa_obs, o.id_datasets, min(o.year_obs),
               max(o.year_obs), count(*)::int
        FROM public.regions r
        JOIN atlas_api.regions_zoom_lookup z USING (type, scale)
        JOIN public.observations o
          ON ST_Within(o.geom, r.geom) AND r.within_quebec = o.within_quebec
        GROUP BY 1, 2, 3, 4"""
    stored = (
        "SELECT fid, type, id_taxa_obs, id_datasets, min_year, max_year, count_obs "
        "FROM atlas_api.obs_regions_taxa_datasets_counts"
    )
    assert _symmetric_difference(atlas_url, expected, stored) == 0
    assert metadata(refreshed, OBS_REGIONS_TAXA_DATASETS_COUNTS)["dagster/row_count"] > 10_000


def test_web_regions_hold_every_counted_region_simplified_for_its_zoom(refreshed, atlas_url):
    assert differences(atlas_url, WEB_REGIONS) == 0  # production's own view definition
    # simplification really happened for the coarse levels
    coarse = rows(
        atlas_url,
        """
        SELECT sum(ST_NPoints(w.geom)) < sum(ST_NPoints(r.geom)) FROM atlas_api.web_regions w
        JOIN public.regions r USING (fid) WHERE r.type = 'cadre_eco' AND r.scale = 1""",
    )
    assert coarse == [(True,)]


def test_taxa_ref_matches_the_checklist(refreshed, atlas_url):
    checklist = _checklist()
    by_name = {r["scientific_name"]: r for r in checklist.values()}
    own = rows(
        atlas_url,
        """
        SELECT o.scientific_name, o.rank, r.scientific_name, r.valid, lu.match_type,
               v.scientific_name
        FROM public.taxa_obs o
        JOIN public.taxa_obs_ref_lookup lu ON lu.id_taxa_obs = o.id AND NOT lu.is_parent
        JOIN public.taxa_ref r ON r.id = lu.id_taxa_ref
        JOIN public.taxa_ref v ON v.id = lu.id_taxa_ref_valid
        WHERE o.scientific_name NOT LIKE '%%|%%'""",
    )
    checked = 0
    for observed, _rank, ref_name, valid, match_type, valid_name in own:
        entry = by_name.get(observed)
        if entry is None or match_type != "exact":
            continue
        if ref_name != observed:
            continue  # the accepted row a synonym also links to
        accepted = checklist[entry["accepted_id"]] if entry["accepted_id"] else entry
        assert valid == (not entry["accepted_id"])
        assert valid_name == accepted["scientific_name"]
        checked += 1
    assert checked > 1500
    unknown = rows(
        atlas_url,
        """
        SELECT count(*) FROM public.taxa_obs o
        WHERE o.scientific_name LIKE '%% demoensis%%'
          AND EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup lu WHERE lu.id_taxa_obs = o.id)""",
    )
    assert unknown == [(0,)]
    fuzzy = rows(
        atlas_url,
        "SELECT count(DISTINCT id_taxa_obs) FROM public.taxa_obs_ref_lookup "
        "WHERE match_type = 'fuzzy'",
    )[0][0]
    assert fuzzy > 0
    complexes = rows(
        atlas_url,
        """
        SELECT count(DISTINCT lu.id_taxa_obs) FROM public.taxa_obs_ref_lookup lu
        JOIN public.taxa_obs o ON o.id = lu.id_taxa_obs
        WHERE o.scientific_name LIKE '%%|%%' AND lu.match_type = 'complex_closest_parent'""",
    )
    assert complexes == [(20,)]
    meta = metadata(refreshed, TAXA_REF)
    assert meta["mode"] == "incremental" and meta["names_resolved"] > 1900
    assert (
        metadata(refreshed, TAXA_OBS_REF_LOOKUP)["rows_added"]
        == rows(atlas_url, "SELECT count(*) FROM public.taxa_obs_ref_lookup")[0][0]
    )


def test_taxa_obs_group_lookup_follows_the_classification(refreshed, atlas_url):
    checklist = _checklist()

    def lineage(taxon_id: str) -> set[str]:
        names = set()
        while taxon_id:
            names.add(checklist[taxon_id]["scientific_name"])
            taxon_id = checklist[taxon_id]["parent_id"]
        return names

    members = defaultdict(set)
    for short, name in rows(
        atlas_url,
        """
            SELECT m.short, m.scientific_name FROM public.taxa_group_members m
            JOIN public.taxa_groups g USING (short) WHERE g.level = 1""",
    ):
        members[short].add(name)
    expected = set()
    for id_taxa_obs, source_record_id in rows(
        atlas_url,
        """
            SELECT DISTINCT lu.id_taxa_obs, r.source_record_id FROM public.taxa_obs_ref_lookup lu
            JOIN public.taxa_ref r ON r.id = lu.id_taxa_ref""",
    ):
        names = lineage(source_record_id)
        expected |= {(id_taxa_obs, short) for short, group in members.items() if group & names}
    stored = set(
        rows(
            atlas_url,
            """
        SELECT l.id_taxa_obs, l.short_group FROM public.taxa_obs_group_lookup l
        JOIN public.taxa_groups g ON g.id = l.id_group WHERE g.level = 1""",
        )
    )
    assert stored == expected
    all_species = rows(
        atlas_url,
        """
        SELECT (SELECT count(*) FROM public.taxa_obs_group_lookup
                WHERE short_group = 'ALL_SPECIES'),
               (SELECT count(DISTINCT id_taxa_obs) FROM observations_partitions.within_quebec)""",
    )
    assert all_species[0][0] == all_species[0][1] > 0


def test_api_taxa_has_the_accepted_name_and_vernacular_names(refreshed, atlas_url):
    checklist = _checklist()
    by_name = {r["scientific_name"]: r for r in checklist.values() if not r["accepted_id"]}
    taxa = rows(
        atlas_url,
        """
        SELECT observed_scientific_name, valid_scientific_name, vernacular_fr, vernacular_en,
               group_en FROM api.taxa""",
    )
    assert len(taxa) == metadata(refreshed, API_TAXA)["dagster/row_count"]

    def nearest(entry: dict[str, str], column: str) -> str | None:
        # production's api.taxa: the name's own first, else the closest ancestor's
        while entry:
            if entry[column]:
                return entry[column]
            entry = checklist.get(entry["parent_id"])
        return None

    compared = 0
    for observed, valid, fr, en, group in taxa:
        entry = by_name.get(observed)
        if entry is None or "|" in observed:
            continue
        assert valid == observed
        expected_en = nearest(entry, "vernacular_en")
        # (production pairs the French name with the English one: none without it)
        expected_fr = nearest(entry, "vernacular_fr") if expected_en else None
        assert (fr, en) == (expected_fr, expected_en)
        assert group
        compared += 1
    assert compared > 1000
    birds = rows(atlas_url, "SELECT count(*) FROM api.taxa WHERE group_en = 'Birds'")[0][0]
    assert birds > 50


def test_checks_pass_on_a_fresh_refresh(refreshed):
    evaluations = refreshed.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} >= {
        TOUCHED_CHECK,
        "one_row_per_resolved_taxa_obs",
        "populated",
    }
    assert all(e.passed for e in evaluations)


def test_table_assets_record_their_columns(refreshed):
    def columns(key) -> list[str]:
        return [c.name for c in metadata(refreshed, key)["dagster/column_schema"].columns]

    assert {"id", "scientific_name", "rank"} <= set(columns(TAXA_REF))
    assert {"id_taxa_obs", "id_taxa_ref"} <= set(columns(TAXA_OBS_REF_LOOKUP))
    # production's column order, read from the live table
    assert columns(OBS_REGION_COUNTS) == [
        "type", "scale", "fid", "id_taxa_obs", "year_obs", "count_obs"
    ]
    lineage = metadata(refreshed, OBS_REGION_COUNTS)["dagster/column_lineage"]
    assert set(lineage.deps_by_column) == set(columns(OBS_REGION_COUNTS))
    # the materialized views too, as the database has them after the refresh
    assert columns(API_TAXA)[:3] == [
        "id_taxa_obs", "observed_scientific_name", "valid_scientific_name"
    ]
    assert "id_group" in columns(TAXA_OBS_GROUP_LOOKUP)

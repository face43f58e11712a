"""The GBIF resolver against a local server replaying GBIF responses, the checklist resolver,
and the incremental, id-stable behaviour of taxa_ref."""

import json

import psycopg
import pytest

from maint_assets.atlas.assets.taxonomy import ASSETS as TAXONOMY
from maint_assets.atlas.assets.taxonomy import (
    TAXA_OBS_REF_LOOKUP,
    TAXA_OBS_VERNACULAR_LOOKUP,
    TAXA_REF,
    TAXA_VERNACULAR,
)
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.atlas.taxonomy.choice import taxonomy_resolver
from maint_assets.atlas.taxonomy.gbif import GbifResolver
from maint_assets.atlas.taxonomy.resolver import NameQuery, RefKey
from maint_assets.atlas.taxonomy.vernacular_names import capitalised
from maint_assets_tests.atlas.gbif_server import FIXTURES, GbifReplay
from maint_assets_tests.atlas.helpers import materialize, metadata, rows


def _query(i: int, name: str) -> NameQuery:
    return NameQuery(i, name, "", "species", None)


@pytest.fixture
def gbif():
    with GbifReplay() as server:
        yield server


def _resolver(server: GbifReplay, **overrides) -> GbifResolver:
    return GbifResolver(
        base_url=server.base_url, backoff_s=0.01, requests_per_second=0, **overrides
    )


def test_gbif_match_maps_accepted_names_synonyms_and_higher_ranks(gbif):
    answers = _resolver(gbif).match(
        [
            _query(1, "Setophaga canadensis"),
            _query(2, "Wilsonia canadensis"),
            _query(3, "Setophaga demoensis"),
            _query(4, "Nomen nudum"),
        ]
    )
    assert answers.failures == {}
    own = [r for r in answers.found[1] if not r.is_parent]
    assert [(r.scientific_name, r.valid, r.match_type) for r in own] == [
        ("Setophaga canadensis", True, "exact")
    ]
    assert own[0].classification_srids == ("1", "44", "212", "729", "5263", "2489923", "2489929")
    assert {r.rank for r in answers.found[1] if r.is_parent} == {
        "kingdom",
        "phylum",
        "class",
        "order",
        "family",
        "genus",
    }
    synonym = {r.scientific_name: r for r in answers.found[2] if not r.is_parent}
    assert synonym["Wilsonia canadensis"].valid is False
    assert synonym["Wilsonia canadensis"].valid_srid == "2489929"
    assert synonym["Setophaga canadensis"].valid is True
    # ancestors carry no match type (production's api.taxa would take them for the name)
    assert {r.match_type for r in answers.found[2] if r.is_parent} == {None}
    # only the genus of 'Setophaga demoensis' is known: unresolved, with production's
    # higher-rank rows kept aside for when the name is accepted
    assert "HIGHERRANK" in answers.unresolved[3].reason
    higher = [r for r in answers.unresolved[3].fallback if r.match_type]
    assert [(r.scientific_name, r.match_type, r.is_parent) for r in higher] == [
        ("Setophaga", "higherrank", True)
    ]
    assert answers.unresolved[4].reason == "GBIF has no match (NONE)"
    assert 3 not in answers.found and 4 not in answers.found


def test_gbif_retries_server_errors_then_succeeds(gbif):
    gbif.faults["/species/match?Acer saccharum"] = [503, 502]
    answers = _resolver(gbif).match([_query(1, "Acer saccharum")])
    assert answers.failures == {}
    assert gbif.hits["/species/match?Acer saccharum"] == 3


def test_gbif_gives_up_cleanly_and_stops_after_consecutive_failures(gbif):
    gbif.broken |= {"/species/match?Acer saccharum", "/species/match?Setophaga canadensis"}
    resolver = _resolver(gbif, max_attempts=3, give_up_after=2)
    answers = resolver.match(
        [
            _query(1, "Acer saccharum"),
            _query(2, "Setophaga canadensis"),
            _query(3, "Wilsonia canadensis"),
        ]
    )
    assert "HTTP 500" in answers.failures[1]
    assert gbif.hits["/species/match?Acer saccharum"] == 3
    assert answers.failures[3].startswith("not attempted")
    assert gbif.hits["/species/match?Wilsonia canadensis"] == 0


def test_gbif_cache_answers_repeated_requests(gbif, tmp_path):
    resolver = _resolver(gbif, cache_path=str(tmp_path / "gbif.sqlite"))
    resolver.match([_query(1, "Acer saccharum")])
    again = _resolver(gbif, cache_path=str(tmp_path / "gbif.sqlite"))
    assert not again.match([_query(1, "Acer saccharum")]).failures
    assert gbif.hits["/species/match?Acer saccharum"] == 1


def test_gbif_vernacular_names_are_the_ones_productions_code_keeps(gbif):
    # every French and English name of the recorded page, one per (source, source key,
    # language), in GBIF's order: what bdqc_taxa keeps and production's insert stores
    answers = _resolver(gbif).vernacular(
        [RefKey(7, "GBIF Backbone Taxonomy", "5231190", "Passer domesticus", "species")]
    )
    by_bdqc_taxa = json.loads((FIXTURES / "bdqc_taxa_vernacular.json").read_text())
    assert [
        (v.source_name, v.source_record_id, v.name, v.language, v.rank, v.rank_order)
        for v in answers.found[7]
    ] == [tuple(r) for r in by_bdqc_taxa["taxa_vernacular"] if r[4] == "species"]
    # capitalised as production does: places kept, spacing as the source gives it
    assert capitalised("PARULINE DU CANADA") == "Paruline du Canada"
    assert capitalised("house  sparrow ") == "House  sparrow "


def test_gbif_vernacular_names_are_read_to_the_last_page(gbif):
    # 25 pages, as GBIF pages them (limit 100, endOfRecords on the last); the Avibase names
    # are on page 22 only, past the 20 pages once read
    taxon, pages = "/species/2489929/vernacularNames", 25
    for page in range(pages):
        names = [
            {"taxonKey": 2489929, "vernacularName": f"Warbler {page}.{i}", "language": "eng",
             "source": f"Source {i}", "sourceTaxonKey": i}
            for i in range(99)
        ]
        if page == 21:
            names += [
                {"taxonKey": 2489929, "vernacularName": name, "language": language,
                 "source": "Avibase", "sourceTaxonKey": 7, "preferred": True}
                for name, language in (("Canada Warbler", "eng"), ("Paruline du Canada", "fra"))
            ]
        gbif.answers[f"{taxon}?offset={page * 100}"] = {
            "offset": page * 100, "limit": 100, "endOfRecords": page == pages - 1,
            "results": names,
        }
    ref = RefKey(7, "GBIF Backbone Taxonomy", "2489929", "Setophaga canadensis", "species")
    answers = _resolver(gbif).vernacular([ref])
    assert gbif.hits[taxon] == pages
    # each source's name is the first it gives (page 1), as production keeps it
    found = {(v.source_name, v.language): v.name for v in answers.found[7]}
    assert len(found) == 101
    assert found[("Source 12", "eng")] == "Warbler 0.12"
    assert found[("Avibase", "eng")] == "Canada warbler"
    assert found[("Avibase", "fra")] == "Paruline du Canada"
    # a page that is empty but not the last: the answer is incomplete, the taxon not answered
    gbif.answers[f"{taxon}?offset=300"] = {
        "offset": 300, "limit": 100, "endOfRecords": False, "results": []
    }
    answers = _resolver(gbif, max_attempts=1).vernacular([ref])
    assert 7 not in answers.found and "incomplete" in answers.failures[7]


def test_taxa_ref_failure_lists_unresolved_names_and_keeps_the_rest(gbif, atlas_url, atlas_db):
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs RESTART IDENTITY CASCADE")
        conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) VALUES "
            "('Setophaga canadensis', 'species'), ('Acer saccharum', 'species'), "
            "('Wilsonia canadensis', 'species')"
        )
    gbif.broken.add("/species/match?Acer saccharum")
    resources = {"atlas_db": atlas_db, "taxonomy": _resolver(gbif, max_attempts=2)}
    result = materialize(resources, selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP], raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.error.message + str(failure.event_specific_data)
    assert "1 taxa_obs names could not be resolved" in message and "Acer saccharum" in message
    kept = rows(
        atlas_url,
        """SELECT o.scientific_name FROM public.taxa_obs o
        WHERE EXISTS (SELECT 1 FROM public.taxa_obs_ref_lookup l WHERE l.id_taxa_obs = o.id)
        ORDER BY 1""",
    )
    assert kept == [("Setophaga canadensis",), ("Wilsonia canadensis",)]
    # the server recovers: the next (incremental) run asks only for the missing name
    gbif.broken.clear()
    asked_before = sum(gbif.hits.values())
    result = materialize(resources, selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP])
    assert metadata(result, TAXA_REF)["names_resolved"] == 1
    assert sum(gbif.hits.values()) - asked_before == 1


def test_taxa_ref_is_incremental_and_keeps_ids_stable(resources, atlas_url):
    assert materialize(
        resources,
        selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP, TAXA_VERNACULAR, TAXA_OBS_VERNACULAR_LOOKUP],
    ).success
    ids_before = rows(atlas_url, "SELECT source_record_id, id FROM public.taxa_ref ORDER BY 1")
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) "
            "VALUES ('Acer saccharum', 'species')"
        )
        conn.execute(
            "UPDATE public.taxa_obs SET scientific_name = 'Picea glauca' "
            "WHERE id = (SELECT min(id) FROM public.taxa_obs WHERE rank = 'species')"
        )
    result = materialize(resources, selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP])
    assert metadata(result, TAXA_REF)["names_resolved"] == 2
    full = materialize(
        resources,
        selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP],
        run_config={"ops": {"atlas_taxa_ref": {"config": {"full": True}}}},
    )
    meta = metadata(full, TAXA_REF)
    assert meta["mode"] == "full" and meta["names_resolved"] > 1900
    ids_after = dict(rows(atlas_url, "SELECT source_record_id, id FROM public.taxa_ref"))
    survivors = [(srid, i) for srid, i in ids_before if srid in ids_after]
    assert len(survivors) > 1500
    assert all(ids_after[srid] == i for srid, i in survivors)


def test_a_name_edited_to_one_accepted_unresolved_loses_the_old_names_taxon(
    resources, atlas_url
):
    """A name fixed by hand (as production's fix_taxa_obs_parent_scientific_name does) to one
    the resolver cannot match, accepted unresolved: its rows described the old name, and
    production's refresh (delete all, resolve again) leaves it none; api.taxa must not show
    the old name's taxon for it."""
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        taxon = conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, authorship, rank) "
            "VALUES ('Canis alba', 'Latham, 1790', 'species') RETURNING id"
        ).fetchone()[0]
    lookup = "SELECT count(*) FROM public.taxa_obs_ref_lookup WHERE id_taxa_obs = %s"
    assert materialize(resources, selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP]).success
    assert rows(atlas_url, lookup, [taxon])[0][0] > 0
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE public.taxa_obs SET scientific_name = 'Zzyzx trialensis' WHERE id = %s",
            [taxon],
        )
    result = materialize(resources, selection=TAXONOMY)  # api.taxa too
    assert metadata(result, TAXA_REF)["names_resolved"] == 1
    assert rows(atlas_url, lookup, [taxon]) == [(0,)]
    assert rows(atlas_url, "SELECT count(*) FROM api.taxa WHERE id_taxa_obs = %s", [taxon]) == [
        (0,)
    ]


def test_checklist_resolver_exact_fuzzy_synonym_and_complex_matches():
    resolver = ChecklistResolver()
    checklist = resolver._checklist
    species = next(t for t in checklist.by_id.values() if t.rank == "species" and not t.accepted_id)
    synonym = next(t for t in checklist.by_id.values() if t.accepted_id)
    sibling = next(
        t
        for t in checklist.by_id.values()
        if t.parent_id == species.parent_id
        and t is not species
        and t.rank == "species"
        and not t.accepted_id
    )
    genus, epithet = species.scientific_name.split(" ", 1)
    misspelt = f"{genus} {epithet[:-2]}{epithet[-1]}{epithet[-2]}"
    found = resolver.match(
        [
            NameQuery(1, species.scientific_name, "", "species", None),
            NameQuery(2, misspelt, "", "species", None),
            NameQuery(3, synonym.scientific_name, "", "species", None),
            NameQuery(
                4, f"{species.scientific_name}|{sibling.scientific_name}", "", "species", None
            ),
        ]
    ).found
    own = {
        i: [(r.scientific_name, r.match_type, r.valid) for r in found[i] if not r.is_parent]
        for i in found
    }
    assert own[1] == [(species.scientific_name, "exact", True)]
    assert own[2] == [(species.scientific_name, "fuzzy", True)]
    accepted = checklist.by_id[synonym.accepted_id].scientific_name
    assert sorted(own[3]) == sorted(
        [(accepted, "exact", True), (synonym.scientific_name, "exact", False)]
    )
    complex_rows = {(r.scientific_name, r.match_type, r.is_parent) for r in found[4]}
    assert (species.scientific_name, "complex", False) in complex_rows
    assert (
        checklist.by_id[species.parent_id].scientific_name,
        "complex_closest_parent",
        True,
    ) in complex_rows
    # above the closest shared ancestor, production writes no match type
    assert {m for _, m, is_parent in complex_rows if is_parent} == {
        None,
        "complex_closest_parent",
    }


def test_gbif_is_the_default_resolver_and_the_checklist_must_be_named():
    default = taxonomy_resolver({})
    assert isinstance(default, GbifResolver) and not default.accept_unresolved
    demo = taxonomy_resolver(
        {"ATLAS_TAXONOMY_RESOLVER": "checklist", "ATLAS_TAXONOMY_ACCEPT_UNRESOLVED": "true"}
    )
    assert isinstance(demo, ChecklistResolver) and demo.accept_unresolved and demo.offline
    for wrong in (
        {"ATLAS_TAXONOMY_RESOLVER": "cheklist"},
        {"ATLAS_TAXONOMY_ACCEPT_UNRESOLVED": "y"},
    ):
        with pytest.raises(ValueError, match="ATLAS_TAXONOMY_"):
            taxonomy_resolver(wrong)


def test_the_offline_checklist_refuses_a_database_that_is_not_a_replica(resources, atlas_url):
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        # what `maint-assets schema atlas --bookkeeping` leaves on a real atlas: no marker
        conn.execute("DROP TABLE maint_assets.replica")
    result = materialize(resources, selection=[TAXA_REF, TAXA_OBS_REF_LOOKUP], raise_on_error=False)
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "ATLAS_TAXONOMY_RESOLVER=gbif" in failure.event_specific_data.error.message
    assert rows(atlas_url, "SELECT count(*) FROM public.taxa_ref") == [(0,)]

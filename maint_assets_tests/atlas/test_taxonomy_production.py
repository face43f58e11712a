"""The taxonomy chain on the replica of production's schema (its taxonomy tables, views and
triggers equal the 2024-01 schema dump's), with GBIF's answers recorded from api.gbif.org
(fixtures/gbif/recorded.json). Production's rows are written here the way its own refresh
(refresh_taxa_ref() with bdqc_taxa) writes them for GBIF records: a name's own record with the
match type, its ancestors with none and is_parent, all joined on (source_id, record id)."""

import json

import psycopg
import pytest

from maint_assets.atlas.assets.taxonomy import (
    API_TAXA,
    TAXA_OBS_GROUP_LOOKUP,
    TAXA_OBS_REF_LOOKUP,
    TAXA_OBS_VERNACULAR_LOOKUP,
    TAXA_REF,
    TAXA_VERNACULAR,
)
from maint_assets.atlas.taxonomy.checklist import ChecklistResolver
from maint_assets.atlas.taxonomy.gbif import SOURCE_NAME, GbifResolver
from maint_assets.atlas.taxonomy.resolver import NameQuery, RefKey
from maint_assets_tests.atlas.gbif_server import (
    FIXTURES,
    NO_VERNACULAR_NAMES,
    RECORDED,
    GbifReplay,
)
from maint_assets_tests.atlas.helpers import materialize, metadata, rows

REFS = [TAXA_REF, TAXA_OBS_REF_LOOKUP]
CHAIN = [*REFS, TAXA_VERNACULAR, TAXA_OBS_VERNACULAR_LOOKUP, TAXA_OBS_GROUP_LOOKUP, API_TAXA]
RANKS = ["kingdom", "phylum", "class", "order", "family", "genus", "species"]
ACCEPT = {"ops": {"atlas_taxa_ref": {"config": {"accept_unresolved": True}}}}
FULL_VERNACULAR = {"ops": {"atlas_taxa_vernacular": {"config": {"full": True}}}}
TAXA_OBS_ROWS = """
    SELECT o.scientific_name, r.source_record_id, r.scientific_name, r.authorship, r.rank,
           l.match_type, l.is_parent, v.source_record_id
    FROM public.taxa_obs o
    JOIN public.taxa_obs_ref_lookup l ON l.id_taxa_obs = o.id
    JOIN public.taxa_ref r ON r.id = l.id_taxa_ref
    JOIN public.taxa_ref v ON v.id = l.id_taxa_ref_valid
    WHERE o.scientific_name = %s ORDER BY 2"""
VERNACULAR_ROWS = """
    SELECT v.id, v.source_name, v.name, v.language, vl.match_type
    FROM public.taxa_obs o
    JOIN public.taxa_obs_vernacular_lookup vl ON vl.id_taxa_obs = o.id
    JOIN public.taxa_vernacular v ON v.id = vl.id_taxa_vernacular
    WHERE o.scientific_name = %s ORDER BY 1"""
# What production's own code (bdqc_taxa through refresh_taxa_vernacular()) stores for three
# names from recorded.json's answers; how it was made: its "_about"
BY_BDQC_TAXA = json.loads((FIXTURES / "bdqc_taxa_vernacular.json").read_text())


@pytest.fixture
def gbif():
    with GbifReplay() as server:
        yield server


def _resources(gbif: GbifReplay, atlas_db) -> dict[str, object]:
    resolver = GbifResolver(
        base_url=gbif.base_url, backoff_s=0.01, requests_per_second=0, max_attempts=2
    )
    return {"atlas_db": atlas_db, "taxonomy": resolver}


def _taxa_obs(url: str, *names: tuple[str, str, str | None]) -> dict[str, int]:
    """Only these taxa_obs (scientific_name, rank, parent_scientific_name)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs RESTART IDENTITY CASCADE")
        return {
            name: conn.execute(
                "INSERT INTO public.taxa_obs (scientific_name, rank, parent_scientific_name) "
                "VALUES (%s, %s, %s) RETURNING id",
                [name, rank, parent],
            ).fetchone()[0]
            for name, rank, parent in names
        }


def _as_production(url: str, id_taxa_obs: int, usage: dict, authorship: str | None) -> None:
    """What production's refresh wrote for a GBIF record matched exactly (bdqc_taxa's
    from_gbif): the ancestors (match_type NULL, is_parent), then the record itself."""
    ranks = [r for r in RANKS if f"{r}Key" in usage]
    srids = [str(usage[f"{r}Key"]) for r in ranks]
    own = usage["rank"].lower()
    records = [
        (srids[i], usage[r], None, r, srids[: i + 1], None, True)
        for i, r in enumerate(ranks)
        if r != own
    ]
    records.append(
        (str(usage["key"]), usage["canonicalName"], authorship, own, srids, "exact", False)
    )
    with psycopg.connect(url, autocommit=True) as conn:
        for srid, name, author, rank, classification, match_type, is_parent in records:
            conn.execute(
                """INSERT INTO public.taxa_ref (source_name, source_id, source_record_id,
                       scientific_name, authorship, rank, valid, valid_srid, classification_srids)
                   VALUES ('GBIF Backbone Taxonomy', 11, %s, %s, %s, %s, true, %s, %s)
                   ON CONFLICT DO NOTHING""",
                [srid, name, author, rank, srid, classification],
            )
            conn.execute(
                """INSERT INTO public.taxa_obs_ref_lookup
                   SELECT %s, r.id, r.id, %s, %s FROM public.taxa_ref r
                   WHERE r.source_id = 11 AND r.source_record_id = %s
                   ON CONFLICT DO NOTHING""",
                [id_taxa_obs, match_type, is_parent, srid],
            )


def _failure(result) -> str:
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert failures, "the run should have failed"
    return "\n".join(e.event_specific_data.error.message for e in failures)


def test_unmatched_names_keep_their_production_rows_and_fail_the_run(gbif, atlas_url, atlas_db):
    ids = _taxa_obs(
        atlas_url,
        ("Pinus", "genus", None),
        ("aaa vva", "species", None),
        ("Calopteryx", "species", None),
        ("Ursus", "genus", None),
    )
    # Production resolved 'Pinus' (the conifer) before GBIF's backbone gained an animal Pinus;
    # GBIF now answers NONE, "Multiple equal matches for Pinus" (recorded).
    _as_production(atlas_url, ids["Pinus"], RECORDED["/species/2684241"], "L.")
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        # production's vernacular rows for it (values invented, shape as its refresh writes)
        for name, language in (("Pins", "fra"), ("Pines", "eng")):
            conn.execute(
                """WITH v AS (INSERT INTO public.taxa_vernacular
                       (source_name, source_record_id, name, language, rank, rank_order)
                       VALUES ('Catalogue of Life', '6SH3L', %s, %s, 'genus', 5) RETURNING id)
                   INSERT INTO public.taxa_obs_vernacular_lookup (id_taxa_obs, id_taxa_vernacular,
                                                                  match_type)
                   SELECT %s, id, 'exact' FROM v""",
                [name, language, ids["Pinus"]],
            )
    before = rows(atlas_url, TAXA_OBS_ROWS, ["Pinus"]), rows(atlas_url, VERNACULAR_ROWS, ["Pinus"])
    resources = _resources(gbif, atlas_db)

    result = materialize(resources, selection=REFS, raise_on_error=False)
    message = _failure(result)
    assert "3 taxa_obs names did not match" in message
    assert "Multiple equal matches for Pinus" in message and "aaa vva" in message
    assert "only the genus 'Calopteryx' of this name (HIGHERRANK)" in message
    assert (
        rows(atlas_url, TAXA_OBS_ROWS, ["Pinus"]),
        rows(atlas_url, VERNACULAR_ROWS, ["Pinus"]),
    ) == before
    assert rows(atlas_url, TAXA_OBS_ROWS, ["Ursus"])  # the name that matched is merged
    # the other assets of the chain keep production's rows too
    assert materialize(resources, selection=CHAIN[2:]).success
    assert rows(atlas_url, VERNACULAR_ROWS, ["Pinus"]) == before[1]
    assert rows(
        atlas_url,
        "SELECT valid_scientific_name, rank, vernacular_en, vernacular_fr, group_en "
        "FROM api.taxa WHERE observed_scientific_name = 'Pinus'",
    ) == [("Pinus", "genus", "Pines", "Pins", "Conifers")]

    # still unmatched next run: asked again, failing again until fixed or accepted
    assert not materialize(resources, selection=REFS, raise_on_error=False).success
    accepted = materialize(resources, selection=REFS, run_config=ACCEPT)
    assert metadata(accepted, TAXA_REF)["names_accepted_unresolved"] == 3
    listed = set(metadata(accepted, TAXA_REF)["accepted_unresolved"])
    assert listed == {"Pinus", "aaa vva", "Calopteryx"}
    assert rows(atlas_url, TAXA_OBS_ROWS, ["Pinus"]) == before[0]
    # accepted, a name without rows gets what production writes for GBIF's higher-rank answer
    higher = rows(atlas_url, TAXA_OBS_ROWS, ["Calopteryx"])
    assert [r[2:7] for r in higher if r[5]] == [
        ("Calopteryx", "Leach, 1815", "genus", "higherrank", True)
    ]
    assert rows(atlas_url, TAXA_OBS_ROWS, ["aaa vva"]) == []
    again = materialize(resources, selection=REFS)
    assert metadata(again, TAXA_REF)["names_resolved"] == 0


def test_production_api_taxa_gives_the_right_names_after_a_refresh(gbif, atlas_url, atlas_db):
    ids = _taxa_obs(
        atlas_url,
        ("Passer domesticus", "species", None),
        ("Fringilla domestica", "species", None),
        ("Pinus contorta", "species", None),
        ("Pinus", "genus", "Pinaceae"),
        ("Quercus douglasii", "species", None),
        ("Chironomus riparius", "species", None),
        ("Ursus", "genus", None),
    )
    # first as production's own refresh writes the exact matches, read through its views
    exact = ["Passer domesticus", "Pinus contorta", "Quercus douglasii", "Chironomus riparius"]
    for name in [*exact, "Ursus"]:
        answer = RECORDED[f"/species/match?{name}"]
        _as_production(atlas_url, ids[name], {**answer, "key": answer["usageKey"]}, None)
    resources = _resources(gbif, atlas_db)
    assert materialize(resources, selection=[TAXA_OBS_GROUP_LOOKUP, API_TAXA]).success
    read = "SELECT observed_scientific_name, valid_scientific_name, rank, group_en FROM api.taxa"
    by_production = rows(atlas_url, read)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs_ref_lookup, public.taxa_ref CASCADE")

    assert materialize(resources, selection=CHAIN).success
    # the project's refresh gives the same names, ranks and groups for the same answers
    assert set(by_production) <= set(rows(atlas_url, read))
    assert len(by_production) == 5
    taxa = rows(
        atlas_url,
        """SELECT observed_scientific_name, valid_scientific_name, rank, group_en, group_fr,
                  vernacular_en, vernacular_fr FROM api.taxa""",
    )
    birds = ("Birds", "Oiseaux", "House sparrow", "Moineau domestique")
    assert sorted(taxa) == sorted(
        [
            ("Passer domesticus", "Passer domesticus", "species", *birds),
            # a synonym reads as its accepted name, with its names and group
            ("Fringilla domestica", "Passer domesticus", "species", *birds),
            ("Pinus contorta", "Pinus contorta", "species", "Conifers", "Conifères", None, None),
            # a homonym (GBIF: "Multiple equal matches") placed by its parent_scientific_name
            ("Pinus", "Pinus", "genus", "Conifers", "Conifères", None, None),
            (
                "Quercus douglasii",
                "Quercus douglasii",
                "species",
                "Flowering plants",
                "Angiospermes",
                None,
                None,
            ),
            (
                "Chironomus riparius",
                "Chironomus riparius",
                "species",
                "Insects",
                "Insectes",
                None,
                None,
            ),
            ("Ursus", "Ursus", "genus", "Mammals", "Mammifères", None, None),
        ]
    )
    # what production's api.taxa takes a name from: only the name's own or accepted record
    # carries a match type, never an ancestor (else a species could read "Animalia")
    named_by = rows(
        atlas_url,
        """SELECT o.scientific_name, v.scientific_name, v.rank FROM public.taxa_obs_ref_lookup l
           JOIN public.taxa_obs o ON o.id = l.id_taxa_obs
           JOIN public.taxa_ref v ON v.id = l.id_taxa_ref_valid
           WHERE l.match_type IS NOT NULL AND l.match_type <> 'complex'""",
    )
    assert {(o, v) for o, v, _ in named_by} == {(o, v) for o, v, *_ in taxa}
    ancestors = rows(
        atlas_url,
        "SELECT count(*) FROM public.taxa_obs_ref_lookup WHERE is_parent AND match_type IS NULL",
    )[0][0]
    assert ancestors > 20  # the classification is there (groups and name search need it)
    # production's synonym view links the synonym and its accepted name both ways
    assert (ids["Fringilla domestica"], ids["Passer domesticus"]) in rows(
        atlas_url, "SELECT id_taxa_obs, id_taxa_obs_synonym FROM public.taxa_obs_synonym_lookup"
    )
    sources = json.dumps(
        rows(
            atlas_url,
            "SELECT vernacular FROM api.taxa WHERE id_taxa_obs = %s",
            [ids["Passer domesticus"]],
        )[0][0]
    )
    assert "The IUCN Red List of Threatened Species" in sources  # the name's GBIF source


def test_a_changed_taxa_ref_row_is_rewritten_despite_productions_trigger(gbif, atlas_url, atlas_db):
    ids = _taxa_obs(atlas_url, ("Ursus", "genus", None))
    usage = RECORDED["/species/2433406"]
    # production wrote the genus from an older backbone, without its authorship
    _as_production(atlas_url, ids["Ursus"], usage, None)
    ((ref_id, created),) = rows(
        atlas_url,
        "SELECT id, created_at FROM public.taxa_ref WHERE source_record_id = '2433406'",
    )
    with (
        psycopg.connect(atlas_url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.UndefinedColumn, match="modified_at"),
    ):
        # production's trigger, as it is in production: no UPDATE of taxa_ref gets through
        conn.execute("UPDATE public.taxa_ref SET authorship = 'x' WHERE id = %s", [ref_id])
    result = materialize(_resources(gbif, atlas_db), selection=REFS)
    assert metadata(result, TAXA_REF)["rows_replaced"] == 1
    assert rows(
        atlas_url,
        "SELECT id, authorship, created_at FROM public.taxa_ref WHERE source_record_id = '2433406'",
    ) == [(ref_id, "Linnaeus, 1758", created)]
    assert ("Ursus", "2433406", "Ursus", "Linnaeus, 1758", "genus", "exact", False, "2433406") in (
        rows(atlas_url, TAXA_OBS_ROWS, ["Ursus"])
    )


def test_a_near_miss_across_kingdoms_is_rejected(gbif, atlas_url, atlas_db):
    # GBIF's fuzzy answer for the misspelt oak is a beetle (its recorded alternative for the
    # oak's right name: Animalia, confidence 70)
    _taxa_obs(atlas_url, ("Quercus douglasi", "species", None))
    result = materialize(_resources(gbif, atlas_db), selection=REFS, raise_on_error=False)
    message = _failure(result)
    assert "Quercus douglasi" in message and "'Quedius douglasi' (Animalia" in message
    assert rows(atlas_url, "SELECT count(*) FROM public.taxa_obs_ref_lookup") == [(0,)]
    assert rows(atlas_url, "SELECT count(*) FROM public.taxa_ref") == [(0,)]
    # The offline checklist's near miss from the report: the pine 'Pinus fusca' is one letter
    # from the checklist's bird 'Spinus fusca'; a misspelt epithet within a genus still matches.
    checklist = ChecklistResolver()
    answers = checklist.match(
        [
            NameQuery(1, "Pinus fusca", "", "species", None),
            NameQuery(2, "Spinus palustrsi", "", "species", None),
        ]
    )
    assert "crosses from Plantae to Animalia" in answers.unresolved[1].reason
    assert 1 not in answers.found
    own = [r for r in answers.found[2] if not r.is_parent]
    assert [(r.scientific_name, r.match_type) for r in own] == [("Spinus palustris", "fuzzy")]


def test_one_names_answer_cannot_overwrite_another_names_rows(gbif, atlas_url, atlas_db):
    ids = _taxa_obs(atlas_url, ("Pinus", "genus", "Pinaceae"), ("Pinus contorta", "species", None))
    _as_production(atlas_url, ids["Pinus"], RECORDED["/species/2684241"], "L.")
    genus = "SELECT * FROM public.taxa_ref WHERE source_record_id = '2684241'"
    before = rows(atlas_url, genus), rows(atlas_url, TAXA_OBS_ROWS, ["Pinus"])
    # 'Pinus contorta' is new: GBIF's answer for it names the genus 2684241 as an ancestor,
    # without the authorship production has for it
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO maint_assets.taxa_obs_resolution (id_taxa_obs, name_key, matched,"
            " resolver) VALUES (%s, 'Pinus||genus|Pinaceae', true, %s)",
            [ids["Pinus"], GbifResolver(base_url=gbif.base_url).resolver_name],
        )
    resources = _resources(gbif, atlas_db)
    assert metadata(materialize(resources, selection=REFS), TAXA_REF)["names_resolved"] == 1
    assert (rows(atlas_url, genus), rows(atlas_url, TAXA_OBS_ROWS, ["Pinus"])) == before
    # the new name links to the genus record as it is
    assert ("Pinus contorta", "2684241", "Pinus", "L.", "genus", None, True, "2684241") in rows(
        atlas_url, TAXA_OBS_ROWS, ["Pinus contorta"]
    )
    # two answers that disagree about one record: neither is written
    _taxa_obs(atlas_url, ("Ursus", "genus", None), ("Ursus arctos", "species", None))
    other = {**RECORDED["/species/match?Ursus"], "rank": "SPECIES"}
    gbif.answers["/species/match?Ursus arctos"] = {**other, "scientificName": "Ursus L."}
    result = materialize(resources, selection=REFS, raise_on_error=False)
    assert "answers disagree about GBIF Backbone Taxonomy record 2433406" in _failure(result)
    assert rows(
        atlas_url, "SELECT count(*) FROM public.taxa_ref WHERE source_record_id = '2433406'"
    ) == [(0,)]


def test_a_varietys_authorship_and_classification_are_productions(gbif, atlas_url, atlas_db):
    # GBIF's canonicalName drops the 'var.' its scientificName keeps: the authorship is not
    # what follows the canonical name's length, and a variety has no lineage key of its own
    ids = _taxa_obs(atlas_url, ("Acer saccharum var. nigrum", "variety", None))
    record = RECORDED["/species/7262914"]
    _as_production(atlas_url, ids["Acer saccharum var. nigrum"], record, "(F.Michx.) Britton")
    variety = """SELECT id, scientific_name, authorship, rank, classification_srids
                 FROM public.taxa_ref WHERE source_record_id = '7262914'"""
    by_production = rows(atlas_url, variety)
    assert [r[2:] for r in by_production] == [
        ("(F.Michx.) Britton", "variety", ["6", "7707728", "220", "933", "6657", "3189834",
                                           "3189870"])
    ]
    lookups = rows(atlas_url, TAXA_OBS_ROWS, ["Acer saccharum var. nigrum"])
    resources = _resources(gbif, atlas_db)

    result = materialize(resources, selection=REFS)
    assert metadata(result, TAXA_REF)["rows_replaced"] == 0
    assert rows(atlas_url, variety) == by_production
    assert rows(atlas_url, TAXA_OBS_ROWS, ["Acer saccharum var. nigrum"]) == lookups
    # written afresh, the project's rows are production's too
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs_ref_lookup, public.taxa_ref CASCADE")
        conn.execute("TRUNCATE maint_assets.taxa_obs_resolution")
    assert metadata(materialize(resources, selection=REFS), TAXA_REF)["rows_added"] == 8
    assert [r[1:] for r in rows(atlas_url, variety)] == [r[1:] for r in by_production]
    assert rows(atlas_url, TAXA_OBS_ROWS, ["Acer saccharum var. nigrum"]) == lookups


def test_an_empty_authorship_is_stored_as_production_stores_it(gbif, atlas_url, atlas_db):
    # GBIF's record of Plantae has "authorship": ""; production (bdqc_taxa's strip_authorship
    # of the record's authorship) stores '' for the name's own record, NULL only for ancestors
    ids = _taxa_obs(atlas_url, ("Plantae", "kingdom", None), ("Passer domesticus", "species", None))
    _as_production(atlas_url, ids["Plantae"], RECORDED["/species/6"], "")
    sparrow = {**RECORDED["/species/match?Passer domesticus"], "key": 5231190}
    _as_production(atlas_url, ids["Passer domesticus"], sparrow, "Linnaeus, 1758")
    refs = """SELECT id, source_record_id, authorship, created_at FROM public.taxa_ref
              ORDER BY source_record_id"""
    by_production = rows(atlas_url, refs)
    resources = _resources(gbif, atlas_db)

    result = materialize(resources, selection=REFS)
    # production's rows are already what the project writes: none is rewritten
    assert metadata(result, TAXA_REF)["rows_replaced"] == 0
    assert rows(atlas_url, refs) == by_production
    assert ("6", "") in {(srid, author) for _, srid, author, _ in by_production}
    # written afresh: '' for the records matched, NULL for the ancestors, as production
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs_ref_lookup, public.taxa_ref CASCADE")
        conn.execute("TRUNCATE maint_assets.taxa_obs_resolution")
    materialize(resources, selection=REFS)
    assert [r[1:3] for r in rows(atlas_url, refs)] == [r[1:3] for r in by_production]
    assert rows(
        atlas_url,
        """SELECT o.scientific_name, r.authorship FROM public.taxa_obs_ref_lookup l
           JOIN public.taxa_obs o ON o.id = l.id_taxa_obs
           JOIN public.taxa_ref r ON r.id = l.id_taxa_ref
           WHERE NOT l.is_parent ORDER BY 1""",
    ) == [("Passer domesticus", "Linnaeus, 1758"), ("Plantae", "")]


def test_vernacular_names_are_the_ones_productions_code_stores(gbif, atlas_url, atlas_db):
    _taxa_obs(
        atlas_url,
        ("Passer domesticus", "species", None),
        ("Fringilla domestica", "species", None),
        ("Acer saccharum var. nigrum", "variety", None),
    )
    resources = _resources(gbif, atlas_db)
    assert materialize(resources, selection=CHAIN).success
    names = """SELECT source_name, source_record_id, name, language, rank, rank_order
               FROM public.taxa_vernacular"""
    links = """SELECT o.scientific_name, v.source_name, v.source_record_id, v.language,
                      l.match_type
               FROM public.taxa_obs o
               JOIN public.taxa_obs_vernacular_lookup l ON l.id_taxa_obs = o.id
               JOIN public.taxa_vernacular v ON v.id = l.id_taxa_vernacular ORDER BY 1, 2, 3, 4"""
    # every French and English name GBIF's sources give, one per (source, source key,
    # language): the first GBIF lists ('House sparrow' of Martha's Vineyard, not its
    # 'House/eurasian Tree Sparrow'), capitalised as production does
    expected = [tuple(r) for r in BY_BDQC_TAXA["taxa_vernacular"]]
    assert sorted(rows(atlas_url, names)) == sorted(expected)
    assert len([r for r in expected if r[4] == "species"]) == 32
    assert rows(atlas_url, links) == [tuple(r) for r in BY_BDQC_TAXA["taxa_obs_vernacular_lookup"]]
    # api.taxa lists them all and picks its English and French names among them
    taxa = rows(
        atlas_url,
        "SELECT observed_scientific_name, vernacular_en, vernacular_fr, vernacular FROM api.taxa",
    )
    for observed, english, french, listed in taxa:
        shown = [(v["source"], v["source_taxon_key"], v["language"]) for v in listed]
        assert sorted(shown) == sorted(
            (source, key, language)
            for name, source, key, language, _ in BY_BDQC_TAXA["taxa_obs_vernacular_lookup"]
            if name == observed
        )
        assert {(v["name"], v["language"]) for v in listed} >= {(english, "eng"), (french, "fra")}
    # a second run changes nothing
    again = materialize(resources, selection=CHAIN[2:], run_config=FULL_VERNACULAR)
    assert metadata(again, TAXA_VERNACULAR)["rows_added"] == 0
    assert metadata(again, TAXA_VERNACULAR)["rows_updated"] == 0
    assert sorted(rows(atlas_url, names)) == sorted(expected)


def test_a_vernacular_answer_never_deletes_productions_names(gbif, atlas_url, atlas_db):
    ids = _taxa_obs(atlas_url, ("Passer domesticus", "species", None))
    answer = RECORDED["/species/match?Passer domesticus"]
    _as_production(atlas_url, ids["Passer domesticus"], {**answer, "key": 5231190}, None)
    resources = _resources(gbif, atlas_db)
    sparrow = RefKey(0, SOURCE_NAME, "5231190", "Passer domesticus", "species")
    answered = resources["taxonomy"].vernacular([sparrow]).found[0]
    assert len(answered) == 32
    first = {v.language: v for v in reversed(answered)}
    # production's names for the sparrow: one the project writes too (same source, source key
    # and language), and one the project never writes
    by_production = [
        (first["eng"].source_name, first["eng"].source_record_id, first["eng"].name, "eng"),
        ("Wikidata", "Q6718", "English sparrow", "eng"),
    ]
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        production_ids = [
            conn.execute(
                """WITH v AS (INSERT INTO public.taxa_vernacular
                       (source_name, source_record_id, name, language, rank, rank_order)
                       VALUES (%s, %s, %s, %s, 'species', 6) RETURNING id)
                   INSERT INTO public.taxa_obs_vernacular_lookup (id_taxa_obs, id_taxa_vernacular,
                                                                  match_type)
                   SELECT %s, id, 'exact' FROM v RETURNING id_taxa_vernacular""",
                [*row, ids["Passer domesticus"]],
            ).fetchone()[0]
            for row in by_production
        ]
    chain = CHAIN[2:]
    production_names = "SELECT * FROM public.taxa_vernacular WHERE id = ANY(%s) ORDER BY id"
    read = "SELECT vernacular_en, vernacular_fr, vernacular FROM api.taxa"
    result = materialize(resources, selection=chain)
    assert metadata(result, TAXA_VERNACULAR)["rows_added"] == 31
    kept = rows(atlas_url, production_names, [production_ids])
    assert len(kept) == 2
    linked = rows(atlas_url, VERNACULAR_ROWS, ["Passer domesticus"])
    assert {(source, name, language) for _, source, name, language, _ in linked} == {
        *((v.source_name, v.name, v.language) for v in answered),
        ("Wikidata", "English sparrow", "eng"),
    }
    api = rows(atlas_url, read)

    # GBIF answers the sparrow's names with an empty page: no evidence that any name is gone
    gbif.answers["/species/5231190/vernacularNames"] = NO_VERNACULAR_NAMES
    result = materialize(resources, selection=chain, run_config=FULL_VERNACULAR)
    assert rows(atlas_url, production_names, [production_ids]) == kept
    assert rows(atlas_url, VERNACULAR_ROWS, ["Passer domesticus"]) == linked
    assert rows(atlas_url, read) == api
    meta = metadata(result, TAXA_VERNACULAR)
    assert meta["rows_removed"] == 0 and meta["names_kept_without_answer"] == 32
    assert meta["kept_without_answer"] == {"Passer domesticus": "eng, fra"}

    # a partial answer, English names only: the French ones stay
    page = RECORDED["/species/5231190/vernacularNames"]
    english = [r for r in page["results"] if r["language"] != "fra"]
    gbif.answers["/species/5231190/vernacularNames"] = {**page, "results": english}
    result = materialize(resources, selection=chain, run_config=FULL_VERNACULAR)
    assert rows(atlas_url, VERNACULAR_ROWS, ["Passer domesticus"]) == linked
    meta = metadata(result, TAXA_VERNACULAR)
    assert meta["rows_removed"] == 0 and meta["names_kept_without_answer"] == 8
    assert meta["kept_without_answer"] == {"Passer domesticus": "fra"}

    # GBIF now names other records for both languages: the project's own rows, replaced, are
    # removed; production's rows stay whatever the answer
    gbif.answers["/species/5231190/vernacularNames"] = {
        **NO_VERNACULAR_NAMES,
        "results": [
            {"taxonKey": 5231190, "vernacularName": "House sparrow", "language": "eng",
             "source": "Avibase", "sourceTaxonKey": 7, "preferred": True},
            {"taxonKey": 5231190, "vernacularName": "Moineau domestique", "language": "fra",
             "source": "Avibase", "sourceTaxonKey": 7, "preferred": True},
        ],
    }
    result = materialize(resources, selection=chain, run_config=FULL_VERNACULAR)
    assert metadata(result, TAXA_VERNACULAR)["rows_removed"] == 31
    assert rows(atlas_url, production_names, [production_ids]) == kept
    assert rows(
        atlas_url,
        "SELECT count(*) FROM public.taxa_vernacular WHERE source_name = %s AND language = 'fra'",
        [first["fra"].source_name],
    ) == [(0,)]
    assert {(source, name, language) for _, source, name, language, _ in rows(
        atlas_url, VERNACULAR_ROWS, ["Passer domesticus"]
    )} == {
        ("Avibase", "House sparrow", "eng"),
        ("Avibase", "Moineau domestique", "fra"),
        ("Wikidata", "English sparrow", "eng"),
    }


def test_two_taxa_naming_one_source_record_keep_the_name_production_keeps(
    gbif, atlas_url, atlas_db
):
    # production asks taxa_ref by scientific name and rank and keeps the first name inserted
    # for a (source, source key, language): the sparrow's, asked before the bear's
    _taxa_obs(atlas_url, ("Ursus", "genus", None), ("Passer domesticus", "species", None))
    gbif.answers["/species/2433406/vernacularNames"] = {
        **NO_VERNACULAR_NAMES,
        "results": [
            {"taxonKey": 2433406, "vernacularName": "Bears", "language": "eng",
             "source": "TAXREF", "sourceTaxonKey": 222458834},
        ],
    }
    assert materialize(_resources(gbif, atlas_db), selection=CHAIN).success
    assert rows(
        atlas_url,
        "SELECT name FROM public.taxa_vernacular WHERE source_name = 'TAXREF' AND language = 'eng'",
    ) == [("House sparrow",)]

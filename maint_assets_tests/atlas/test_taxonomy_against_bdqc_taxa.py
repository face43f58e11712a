"""GBIF answers of shapes the recorded fixtures lack, judged by what
production's own code (bdqc_taxa @6f12e3b, TaxaRef.from_gbif through refresh_taxa_ref()) writes
for them. The answers are laid out as GBIF's recorded ones (fixtures/gbif/recorded.json); the
keys are illustrative, the shape is GBIF's: a synonym's match answer carries its own rank and
the classification of its accepted taxon (kingdom ... species), so when the accepted taxon is a
subspecies the answer's species is the accepted taxon's species, a third record. (Found by a
trial of session 34.)"""

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
from maint_assets.atlas.taxonomy.gbif import GbifResolver
from maint_assets_tests.atlas.gbif_server import RECORDED, GbifReplay
from maint_assets_tests.atlas.helpers import materialize, metadata, rows

CHAIN = [
    TAXA_REF,
    TAXA_OBS_REF_LOOKUP,
    TAXA_VERNACULAR,
    TAXA_OBS_VERNACULAR_LOOKUP,
    TAXA_OBS_GROUP_LOOKUP,
    API_TAXA,
]
FALCO = {
    "kingdom": "Animalia",
    "phylum": "Chordata",
    "class": "Aves",
    "order": "Falconiformes",
    "family": "Falconidae",
    "genus": "Falco",
    "species": "Falco peregrinus",
    "kingdomKey": 1,
    "phylumKey": 44,
    "classKey": 212,
    "orderKey": 7191147,
    "familyKey": 5240,
    "genusKey": 2480900,
    "speciesKey": 2481047,
}
# 'Falco anatum Bonaparte, 1838': a species name GBIF keeps as a synonym of the subspecies
# 'Falco peregrinus anatum' (the American peregrine); Falco peregrinus is on Québec's list of
# vulnerable species, so a sensitive-species group names it.
SYNONYM_MATCH = {
    "usageKey": 2481050,
    "acceptedUsageKey": 6065855,
    "scientificName": "Falco anatum Bonaparte, 1838",
    "canonicalName": "Falco anatum",
    "rank": "SPECIES",
    "status": "SYNONYM",
    "confidence": 98,
    "matchType": "EXACT",
    **FALCO,
    "synonym": True,
}
ACCEPTED_RECORD = {
    "key": 6065855,
    "nubKey": 6065855,
    **FALCO,
    "parentKey": 2481047,
    "scientificName": "Falco peregrinus anatum Bonaparte, 1838",
    "canonicalName": "Falco peregrinus anatum",
    "authorship": "Bonaparte, 1838",
    "nameType": "SCIENTIFIC",
    "rank": "SUBSPECIES",
    "taxonomicStatus": "ACCEPTED",
    "synonym": False,
}
SPECIES_NAMES = {
    "offset": 0,
    "limit": 100,
    "endOfRecords": True,
    "results": [
        {
            "taxonKey": 2481047,
            "vernacularName": "Faucon pèlerin",
            "language": "fra",
            "source": "Integrated Taxonomic Information System (ITIS)",
            "sourceTaxonKey": 102104811,
        },
        {
            "taxonKey": 2481047,
            "vernacularName": "Peregrine Falcon",
            "language": "eng",
            "source": "Integrated Taxonomic Information System (ITIS)",
            "sourceTaxonKey": 102104811,
        },
    ],
}


@pytest.fixture
def gbif():
    with GbifReplay() as server:
        server.answers["/species/match?Falco anatum"] = SYNONYM_MATCH
        server.answers["/species/6065855"] = ACCEPTED_RECORD
        server.answers["/species/2481047/vernacularNames"] = SPECIES_NAMES
        yield server


def test_a_species_synonym_of_a_subspecies_keeps_its_species(gbif, atlas_url, atlas_db):
    """bdqc_taxa writes the accepted record's whole classification as ancestors, the species
    included (it stops at the accepted record's own rank, subspecies); the project stops at
    the synonym's rank, species, and drops the species record 2481047. The name then leaves
    the groups its species is a member of (here the sensitive species), its species' names,
    and production's name search (match_taxa_obs('Falco peregrinus'))."""
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs RESTART IDENTITY CASCADE")
        conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) VALUES ('Falco anatum', 'species')"
        )
        conn.execute(
            "INSERT INTO public.taxa_group_members (short, scientific_name) "
            "VALUES ('SENSITIVE', 'Falco peregrinus')"
        )
    resolver = GbifResolver(
        base_url=gbif.base_url, backoff_s=0.01, requests_per_second=0, max_attempts=2
    )
    assert materialize({"atlas_db": atlas_db, "taxonomy": resolver}, selection=CHAIN).success

    linked = rows(
        atlas_url,
        """SELECT r.source_record_id, r.scientific_name, r.rank, l.match_type, l.is_parent
           FROM public.taxa_obs_ref_lookup l JOIN public.taxa_ref r ON r.id = l.id_taxa_ref
           ORDER BY 1""",
    )
    # what production's code writes for this answer (bdqc_taxa TaxaRef.from_gbif, run on it)
    assert ("2481047", "Falco peregrinus", "species", None, True) in linked
    assert ("2481050", "Falco anatum", "species", "exact", False) in linked
    assert ("6065855", "Falco peregrinus anatum", "subspecies", "exact", False) in linked
    groups = rows(atlas_url, "SELECT short_group FROM public.taxa_obs_group_lookup")
    assert ("SENSITIVE",) in groups
    assert rows(
        atlas_url, "SELECT valid_scientific_name, vernacular_en, vernacular_fr FROM api.taxa"
    ) == [("Falco peregrinus anatum", "Peregrine falcon", "Faucon pèlerin")]


def test_names_resolved_under_older_rules_are_resolved_again_once(gbif, atlas_url, atlas_db):
    """The synonym above, resolved by a version whose rules dropped the species: production
    kept those rows until someone ran a full refresh. The resolver's rules are recorded with
    each resolution (its name), so the next ordinary run resolves such names again, once."""
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs RESTART IDENTITY CASCADE")
        conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) VALUES ('Falco anatum', 'species')"
        )
    resolver = GbifResolver(
        base_url=gbif.base_url, backoff_s=0.01, requests_per_second=0, max_attempts=2
    )
    resources = {"atlas_db": atlas_db, "taxonomy": resolver}
    assert materialize(resources, selection=CHAIN[:2]).success
    species = ("SELECT count(*) FROM public.taxa_obs_ref_lookup l JOIN public.taxa_ref r"
               " ON r.id = l.id_taxa_ref WHERE r.source_record_id = '2481047'")
    with psycopg.connect(atlas_url, autocommit=True) as conn:  # as the rules of 1 left it
        conn.execute("DELETE FROM public.taxa_obs_ref_lookup l USING public.taxa_ref r"
                     " WHERE r.id = l.id_taxa_ref AND r.source_record_id = '2481047'")
        conn.execute("UPDATE maint_assets.taxa_obs_resolution SET resolver = %s",
                     [f"gbif:{gbif.base_url}"])
    assert rows(atlas_url, species) == [(0,)]
    again = materialize(resources, selection=CHAIN[:2])
    assert metadata(again, TAXA_REF)["names_resolved"] == 1
    assert rows(atlas_url, species) == [(1,)]
    assert metadata(materialize(resources, selection=CHAIN[:2]), TAXA_REF)["names_resolved"] == 0


def test_a_rewritten_record_keeps_its_links_under_the_scripts_cascading_key(
    gbif, atlas_url, atlas_db
):
    """atlas-db's scripts/TAXA_ref.sql (since 9dbcfa6, 2023-09) declare the lookup's key to
    taxa_ref ON DELETE CASCADE; a database built from the scripts has it. The project rewrites
    a changed record by DELETE and INSERT of the same id in one statement: with a cascading
    key the DELETE takes the name's lookup rows with it."""

    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs RESTART IDENTITY CASCADE")
        (obs,) = conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) VALUES ('Ursus', 'genus') "
            "RETURNING id"
        ).fetchone()
        (fk,) = conn.execute(
            """SELECT conname FROM pg_constraint
               WHERE conrelid = 'public.taxa_obs_ref_lookup'::regclass
                 AND confrelid = 'public.taxa_ref'::regclass"""
        ).fetchone()
        conn.execute(f"ALTER TABLE public.taxa_obs_ref_lookup DROP CONSTRAINT {fk}")
        conn.execute(
            f"""ALTER TABLE public.taxa_obs_ref_lookup ADD CONSTRAINT {fk}
                FOREIGN KEY (id_taxa_ref) REFERENCES public.taxa_ref (id)
                ON DELETE CASCADE ON UPDATE CASCADE"""
        )
        usage = RECORDED["/species/2433406"]
        # production's rows from an older backbone: the genus without its authorship
        ranks = ["kingdom", "phylum", "class", "order", "family", "genus"]
        keys = [str(usage[f"{r}Key"]) for r in ranks]
        for i, r in enumerate(ranks):
            own = r == "genus"
            conn.execute(
                """WITH t AS (INSERT INTO public.taxa_ref (source_name, source_id, source_record_id,
                       scientific_name, authorship, rank, valid, valid_srid, classification_srids)
                   VALUES ('GBIF Backbone Taxonomy', 11, %s, %s, NULL, %s, true, %s, %s)
                   RETURNING id)
                   INSERT INTO public.taxa_obs_ref_lookup SELECT %s, id, id, %s, %s FROM t""",
                [
                    keys[i],
                    usage[r],
                    r,
                    keys[i],
                    keys[: i + 1],
                    obs,
                    "exact" if own else None,
                    not own,
                ],
            )
        # another name, already resolved by the project, links the genus as its ancestor
        (bear,) = conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) VALUES ('Ursus arctos', "
            "'species') RETURNING id"
        ).fetchone()
        conn.execute(
            """INSERT INTO public.taxa_obs_ref_lookup SELECT %s, id, id, NULL, true
               FROM public.taxa_ref WHERE source_record_id = '2433406'""",
            [bear],
        )
        conn.execute(
            "INSERT INTO maint_assets.taxa_obs_resolution (id_taxa_obs, name_key, matched,"
            " resolver) VALUES (%s, 'Ursus arctos||species|', true, %s)",
            [bear, GbifResolver(base_url=gbif.base_url).resolver_name],
        )
    before = rows(atlas_url, "SELECT count(*) FROM public.taxa_obs_ref_lookup")[0][0]
    resolver = GbifResolver(
        base_url=gbif.base_url, backoff_s=0.01, requests_per_second=0, max_attempts=2
    )
    assert materialize({"atlas_db": atlas_db, "taxonomy": resolver}, selection=CHAIN[:2]).success
    assert rows(
        atlas_url, "SELECT authorship FROM public.taxa_ref WHERE source_record_id = '2433406'"
    ) == [("Linnaeus, 1758",)]
    assert rows(
        atlas_url,
        """SELECT l.match_type, l.is_parent FROM public.taxa_obs_ref_lookup l
           JOIN public.taxa_ref r ON r.id = l.id_taxa_ref WHERE r.source_record_id = '2433406'
           ORDER BY l.id_taxa_obs""",
    ) == [("exact", False), (None, True)]
    assert rows(atlas_url, "SELECT count(*) FROM public.taxa_obs_ref_lookup")[0][0] == before


def test_a_rewritten_record_keeps_the_vernacular_names_an_answer_left_out(
    gbif, atlas_url, atlas_db
):
    """A record whose content changed at GBIF is rewritten by DELETE and INSERT of the same
    id (replace_refs); the project's own bookkeeping references taxa_ref ON DELETE CASCADE
    (sql/atlas/schema/60_maint_assets.sql), so the DELETE also drops the record's links to its
    vernacular names. The next answer that names none in French can then no longer keep the
    French name (relink_refs keeps links, and there are none left): it is neither kept nor
    listed in kept_without_answer, and the name drops out of what the project manages."""

    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs RESTART IDENTITY CASCADE")
        conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) VALUES ('Ursus', 'genus')"
        )
    names = {
        "offset": 0,
        "limit": 100,
        "endOfRecords": True,
        "results": [
            {
                "taxonKey": 2433406,
                "vernacularName": "Ours",
                "language": "fra",
                "source": "Catalogue of Life",
                "sourceTaxonKey": 1,
            },
            {
                "taxonKey": 2433406,
                "vernacularName": "Bears",
                "language": "eng",
                "source": "Catalogue of Life",
                "sourceTaxonKey": 1,
            },
        ],
    }
    gbif.answers["/species/2433406/vernacularNames"] = names
    resources = {
        "atlas_db": atlas_db,
        "taxonomy": GbifResolver(
            base_url=gbif.base_url, backoff_s=0.01, requests_per_second=0, max_attempts=2
        ),
    }
    assert materialize(resources, selection=CHAIN).success
    linked = """SELECT v.name FROM maint_assets.taxa_ref_vernacular rv
                JOIN public.taxa_vernacular v ON v.id = rv.id_taxa_vernacular ORDER BY 1"""
    assert rows(atlas_url, linked) == [("Bears",), ("Ours",)]

    # GBIF corrects the genus' authorship, and its names page now lists only the English one
    answer = RECORDED["/species/match?Ursus"]
    gbif.answers["/species/match?Ursus"] = {**answer, "scientificName": "Ursus L."}
    gbif.answers["/species/2433406/vernacularNames"] = {**names, "results": names["results"][1:]}
    result = materialize(
        resources,
        selection=CHAIN,
        run_config={
            "ops": {
                op: {"config": {"full": True}} for op in ("atlas_taxa_ref", "atlas_taxa_vernacular")
            }
        },
    )
    assert metadata(result, TAXA_REF)["rows_replaced"] == 1
    # as without the rewrite: an answer naming none in French keeps the French name
    assert rows(atlas_url, linked) == [("Bears",), ("Ours",)]
    assert "Ursus" in metadata(result, TAXA_VERNACULAR)["kept_without_answer"]


def test_a_renamed_taxa_obs_loses_the_vernacular_names_of_its_old_taxon(gbif, atlas_url, atlas_db):
    """A taxa_obs whose name is corrected ('Falco anatum' -> 'Falco peregrinus') is linked to
    its new taxon and its old records, now used by no name, are removed (remove_orphan_refs).
    The project's bookkeeping of the old records' vernacular names goes with them (ON DELETE
    CASCADE), before the vernacular step could see them as unlinked: the taxa_obs keeps its
    links to the old subspecies' names, which nothing manages any more, and api.taxa, which
    prefers the most specific rank, names the species by its former subspecies."""
    species_match = {
        **{k: v for k, v in SYNONYM_MATCH.items() if k != "acceptedUsageKey"},
        "usageKey": 2481047,
        "scientificName": "Falco peregrinus Tunstall, 1771",
        "canonicalName": "Falco peregrinus",
        "status": "ACCEPTED",
        "synonym": False,
    }
    gbif.answers["/species/match?Falco peregrinus"] = species_match
    gbif.answers["/species/6065855/vernacularNames"] = {
        **SPECIES_NAMES,
        "results": [
            {
                "taxonKey": 6065855,
                "vernacularName": "American Peregrine Falcon",
                "language": "eng",
                "source": "Catalogue of Life",
                "sourceTaxonKey": 7,
            },
            {
                "taxonKey": 6065855,
                "vernacularName": "Faucon pèlerin anatum",
                "language": "fra",
                "source": "Catalogue of Life",
                "sourceTaxonKey": 7,
            },
        ],
    }
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("TRUNCATE public.taxa_obs RESTART IDENTITY CASCADE")
        (obs,) = conn.execute(
            "INSERT INTO public.taxa_obs (scientific_name, rank) "
            "VALUES ('Falco anatum', 'species') RETURNING id"
        ).fetchone()
    resources = {
        "atlas_db": atlas_db,
        "taxonomy": GbifResolver(
            base_url=gbif.base_url, backoff_s=0.01, requests_per_second=0, max_attempts=2
        ),
    }
    assert materialize(resources, selection=CHAIN).success
    read = "SELECT valid_scientific_name, vernacular_en, vernacular_fr FROM api.taxa"
    assert rows(atlas_url, read) == [
        ("Falco peregrinus anatum", "American peregrine falcon", "Faucon pèlerin anatum")
    ]

    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE public.taxa_obs SET scientific_name = 'Falco peregrinus' WHERE id = %s", [obs]
        )
    assert materialize(resources, selection=CHAIN).success
    assert rows(
        atlas_url, "SELECT count(*) FROM public.taxa_ref WHERE source_record_id = '6065855'"
    ) == [(0,)]
    assert rows(atlas_url, read) == [("Falco peregrinus", "Peregrine falcon", "Faucon pèlerin")]
    names = rows(
        atlas_url,
        """SELECT v.name FROM public.taxa_obs_vernacular_lookup l
           JOIN public.taxa_vernacular v ON v.id = l.id_taxa_vernacular ORDER BY 1""",
    )
    assert names == [("Faucon pèlerin",), ("Peregrine falcon",)]


def test_a_complex_whose_member_is_a_homonym_is_placed_by_its_parent(gbif):
    """'Pinus' alone, with parent_scientific_name 'Pinaceae', is placed among GBIF's homonyms
    (NONE, "Multiple equal matches for Pinus", recorded) by its parent; the same 'Pinus' as a
    member of the complex 'Pinus | Picea' with the same parent is asked without it, and the
    whole complex is left unresolved (failing the run until accepted). Production's code
    (bdqc_taxa, which prunes by the parent after matching) writes Picea's rows for it."""
    from maint_assets.atlas.taxonomy.resolver import NameQuery

    pinus = RECORDED["/species/match?Pinus"]["alternatives"][0]
    assert (pinus["matchType"], pinus["family"]) == ("EXACT", "Pinaceae")
    lineage = {k: pinus[k] for k in ("kingdom", "phylum", "class", "order", "family")}
    lineage |= {f"{k}Key": pinus[f"{k}Key"] for k in lineage}
    gbif.answers["/species/match?Picea"] = {
        "usageKey": 2685390,
        "scientificName": "Picea A.Dietr.",
        "canonicalName": "Picea",
        "rank": "GENUS",
        "status": "ACCEPTED",
        "confidence": 97,
        "matchType": "EXACT",
        **lineage,
        "genus": "Picea",
        "genusKey": 2685390,
        "synonym": False,
    }
    resolver = GbifResolver(
        base_url=gbif.base_url, backoff_s=0.01, requests_per_second=0, max_attempts=2
    )
    alone = resolver.match([NameQuery(1, "Pinus", "", "genus", "Pinaceae")])
    assert 1 in alone.found
    answers = resolver.match([NameQuery(2, "Pinus | Picea", "", "genus", "Pinaceae")])
    assert answers.unresolved == {}
    own = {(r.scientific_name, r.match_type) for r in answers.found[2] if not r.is_parent}
    assert own == {("Pinus", "complex"), ("Picea", "complex")}
    closest = [
        r.scientific_name for r in answers.found[2] if r.match_type == "complex_closest_parent"
    ]
    assert closest == ["Pinaceae"]

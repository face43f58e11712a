"""The runbook's columns, which the Metabase questions built on its ``public.datasets`` read,
are loaded with its names and its values, beside the project's own.

The pages have the real producer's shape (see test_catalog_producer_shapes.py for why its file
is not committed): a flattened ``@graph``, the catalogue record and its catalogue as blank
nodes (``foaf:isPrimaryTopicOf`` → ``dcat:inCatalog`` → ``dcterms:title``), the rights holder
as a ``foaf:Organization`` under CKAN's ``dcterms:rights_holder``, ``vcard:hasEmail`` as a
CKAN URL, ``adms:status`` as a full URI, blank ``dcterms:Location`` nodes beside the INSEE URIs
in ``dcterms:spatial``, and licences on the distributions. Each expected value is worked out by
hand from the runbook's rules (ecospheres-metadata ``src/dcat_reader_ckan.py`` and
``src/transform.py``).
"""

import json
from pathlib import Path

import dagster as dg
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from maint_assets.catalog import checks, keys
from maint_assets.catalog.assets.datasets_clean import datasets_clean
from maint_assets.catalog.clean import COLUMNS, RUNBOOK_GENERATED
from maint_assets.catalog.dcat import SCHEMA_RAW
from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.refresh import start_rebuild
from maint_assets.core.schema import apply_schema
from maint_assets_tests.catalog.test_catalog import _run_pages
from maint_assets_tests.catalog.test_catalog_producer_shapes import CONTEXT as SHAPES_CONTEXT
from maint_assets_tests.catalog.test_catalog_producer_shapes import GEOIDE, RIGHTS

CONTEXT = {**SHAPES_CONTEXT, "foaf": "http://xmlns.com/foaf/0.1/"}
ADMS = "http://www.w3.org/ns/adms#status"
VCARD = "http://www.w3.org/2006/vcard/ns#"
INSEE = "http://id.insee.fr/geo"
ETALAB = "https://spdx.org/licenses/etalab-2.0"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
DDT74 = "DDT 74 (Direction Départementale des Territoires de la Haute-Savoie)"
RUNBOOK = [
    "dataset",
    "modification",
    "right_statement",
    "right_statement_processed",
    "key_words",
    "creator",
    "rights_holder",
    "catalog",
    "licenses",
    "percantage_filling",
    "univers",
    "commune",
    "departement",
]


def _page() -> list[dict]:
    def text(value: str) -> dict:
        return {"@language": "fr", "@value": value}

    graph: list[dict] = [
        {"@id": "_:cat", "@type": "dcat:Catalog", "dcterms:title": text("GéoIDE Catalogue")},
        {"@id": "_:rec1", "@type": "dcat:CatalogRecord", "dcat:inCatalog": {"@id": "_:cat"}},
        {"@id": "_:rec2", "@type": "dcat:CatalogRecord", "dcat:inCatalog": {"@id": "_:cat"}},
        {"@id": "_:ddt", "@type": "foaf:Organization", "foaf:name": text(DDT74)},
        {"@id": "_:dreal", "@type": "foaf:Organization", "foaf:name": text("DREAL ARA")},
        {
            "@id": "_:kind",
            "@type": f"{VCARD}Kind",
            f"{VCARD}hasEmail": {
                "@id": "https://integration.data.e2.rie.gouv.fr/dcat/catalog/ddt@hs.gouv.fr"
            },
        },
        {"@id": "_:loc", "@type": "dcterms:Location"},
    ]
    graph += [
        {"@id": f"_:{r}", "@type": "dcterms:RightsStatement", "rdfs:label": text(label)}
        for r, label in [
            *RIGHTS.items(),
            ("lo", "Licence Ouverte / Open Licence version 2.0"),
            ("closed", "Diffusion restreinte"),
        ]
    ]
    graph += [
        {"@id": f"_:d{i}", "@type": "dcat:Distribution"}
        | ({"dcterms:license": {"@id": lic}} if lic else {})
        for i, lic in enumerate([ETALAB, ETALAB, None, CC_BY, ETALAB])
    ]

    def dataset(uid: str, **fields) -> dict:
        return {"@id": f"{GEOIDE}#/metadata/fr-120066022-{uid}", "@type": "dcat:Dataset", **fields}

    graph += [
        # Every one of the runbook's 9 fields filled: 100; two distributions, one licence.
        dataset(
            "jdd-0a3ba9b5",
            **{
                "dcterms:title": text("Zones exposées au bruit en Haute-Savoie (Lden)"),
                "dcterms:description": text("Courbes isophones Lden, routes de Haute-Savoie."),
                "dcterms:modified": {"@type": "xsd:date", "@value": "2018-08-02"},
                "dcterms:accessRights": [{"@id": "_:law"}, {"@id": "_:open"}],
                "dcat:keyword": [text("zone de bruit"), text("données ouvertes")],
                "dcterms:creator": {"@id": "_:dreal"},
                "dcterms:rights_holder": {"@id": "_:ddt"},
                "dcat:contactPoint": {"@id": "_:kind"},
                ADMS: {"@id": "http://publications.europa.eu/resource/authority/dataset-status/"
                       "COMPLETED"},
                "foaf:isPrimaryTopicOf": {"@id": "_:rec1"},
                "dcterms:spatial": [{"@id": "_:loc"}, {"@id": f"{INSEE}/departement/74"}],
                "dcat:distribution": [{"@id": "_:d0"}, {"@id": "_:d1"}],
            },
        ),
        # A series: only title and catalogue besides the three lists (5 of 9); PPRN in the
        # title; communes without their département (the first commune's two first digits);
        # a distribution without licence (NULL, not {}).
        {
            **dataset(
                "ldd-7ee1b06f",
                **{
                    "dcterms:title": text("PPRN inondation du Fier (Annecy, Seynod)"),
                    "dcterms:description": text("Zonage réglementaire."),
                    "foaf:isPrimaryTopicOf": {"@id": "_:rec2"},
                    "dcterms:spatial": [
                        {"@id": f"{INSEE}/commune/74011"},
                        {"@id": f"{INSEE}/commune/74010"},
                    ],
                    "dcat:distribution": [{"@id": "_:d2"}],
                },
            ),
            "@type": ["dcat:Dataset", "dcat:DatasetSeries"],
        },
        # "Prévention des risques naturels" in the description only, accented; "open licence"
        # in a statement; dcterms:modified as an xsd:dateTime kept as written; no catalogue
        # record nor rights holder (7 of 9); two licences; a non-INSEE place only.
        dataset(
            "jdd-5c0de9a1",
            **{
                "dcterms:title": text("Cartes des aléas"),
                "dcterms:description": text("Études du Plan de Prévention des Risques Naturels."),
                "dcterms:modified": {
                    "@type": "xsd:dateTime", "@value": "2019-03-29T22:45:00.000412"
                },
                "dcterms:accessRights": [{"@id": "_:lo"}],
                "dcat:contactPoint": {"@id": "_:kind"},
                ADMS: {"@id": "http://registre.data.developpement-durable.gouv.fr/plume/"
                       "ISO19139ProgressCode/onGoing"},
                "dcterms:spatial": [{"@id": "http://sws.geonames.org/3037350/"}],
                "dcat:distribution": [{"@id": "_:d3"}, {"@id": "_:d4"}],
            },
        ),
        # Restricted: a statement matching none of the three phrases.
        dataset(
            "jdd-9e8d7c6b",
            **{
                "dcterms:title": text("Captages d'eau potable"),
                "dcterms:accessRights": [{"@id": "_:closed"}],
                "dcterms:spatial": [{"@id": f"{INSEE}/commune/2A004"}],
            },
        ),
    ]
    return graph


def test_the_runbook_columns_are_loaded_with_its_names_and_values(
    empty_db: str, tmp_path: Path
) -> None:
    page = tmp_path / "pages" / "page-001.json"
    page.parent.mkdir()
    page.write_text(json.dumps({"@context": CONTEXT, "@graph": _page()}, ensure_ascii=False))
    result = _run_pages(empty_db, tmp_path)
    assert result.success
    with psycopg.connect(empty_db) as conn:
        types = dict(
            conn.execute(
                "SELECT column_name, format_type(atttypid, atttypmod) FROM pg_attribute "
                "JOIN information_schema.columns ON column_name = attname "
                "WHERE attrelid = 'public.datasets'::regclass AND table_schema = 'public' "
                "AND table_name = 'datasets'"
            ).fetchall()
        )
        cursor = conn.execute(
            f"SELECT uri, keywords, status, contact_point, {', '.join(RUNBOOK)} "
            "FROM public.datasets ORDER BY uri"
        )
        rows = {
            r[0].rsplit("fr-120066022-", 1)[1]: dict(
                zip([c.name for c in cursor.description], r, strict=True)
            )
            for r in cursor.fetchall()
        }
    assert {c: types.get(c) for c in RUNBOOK} == {
        "dataset": "text",
        "modification": "text",
        "right_statement": "text",
        "right_statement_processed": "boolean",
        "key_words": "text[]",
        "creator": "text",
        "rights_holder": "text",
        "catalog": "text",
        "licenses": "text[]",
        "percantage_filling": "double precision",
        "univers": "text",
        "commune": "text[]",
        "departement": "text[]",
    }
    # The project's columns are kept; two of the runbook's are the same values by its names.
    assert {"identifier", "uri", "modified", "licence", "keywords", "communes"} <= set(types)
    for row in rows.values():
        assert row["dataset"] == row["uri"] and row["key_words"] == row["keywords"]

    def runbook(uid: str) -> dict:
        return {c: rows[uid][c] for c in RUNBOOK if c not in ("dataset", "key_words")}

    assert runbook("jdd-0a3ba9b5") == {
        "modification": "2018-08-02",
        "right_statement": f"{RIGHTS['law']}; {RIGHTS['open']}",
        "right_statement_processed": True,
        "creator": "DREAL ARA",
        "rights_holder": DDT74,
        "catalog": "GéoIDE Catalogue",
        "licenses": [ETALAB],
        "percantage_filling": 100.0,
        "univers": None,
        "commune": None,
        "departement": ["74"],
    }
    assert rows["jdd-0a3ba9b5"]["key_words"] == ["données ouvertes", "zone de bruit"]
    # Two columns the project shares with the runbook, shown as its dashboards show them.
    assert (rows["jdd-0a3ba9b5"]["status"], rows["jdd-0a3ba9b5"]["contact_point"]) == (
        "Completed", "ddt@hs.gouv.fr")
    assert rows["jdd-5c0de9a1"]["status"] == "On Going"
    assert runbook("ldd-7ee1b06f") == {
        "modification": None,
        "right_statement": None,
        "right_statement_processed": False,
        "creator": None,
        "rights_holder": None,
        "catalog": "GéoIDE Catalogue",
        "licenses": None,
        "percantage_filling": pytest.approx(500 / 9),
        "univers": "PPRN",
        "commune": ["74010", "74011"],
        "departement": ["74"],
    }
    assert rows["ldd-7ee1b06f"]["key_words"] == []
    assert runbook("jdd-5c0de9a1") == {
        "modification": "2019-03-29T22:45:00.000412",
        "right_statement": "Licence Ouverte / Open Licence version 2.0",
        "right_statement_processed": True,
        "creator": None,
        "rights_holder": None,
        "catalog": None,
        "licenses": [CC_BY, ETALAB],
        "percantage_filling": pytest.approx(700 / 9),
        "univers": "PPRN",
        "commune": None,
        "departement": None,
    }
    assert runbook("jdd-9e8d7c6b") == {
        "modification": None,
        "right_statement": "Diffusion restreinte",
        "right_statement_processed": False,
        "creator": None,
        "rights_holder": None,
        "catalog": None,
        "licenses": None,
        "percantage_filling": pytest.approx(400 / 9),
        "univers": None,
        "commune": ["2A004"],
        "departement": ["2A"],
    }
    (required,) = [
        e for e in result.get_asset_check_evaluations() if e.check_name == "required_columns"
    ]
    assert required.passed and required.metadata["missing_columns"].value == []


def test_a_table_without_a_runbook_column_fails_required_columns(empty_db: str) -> None:
    # The dashboards' questions name the runbook's columns: a built table lacking one must not
    # be swapped in, whatever its rows.
    with psycopg.connect(empty_db) as conn:
        apply_schema(conn, keys.SQL_DIR, bookkeeping_only=True)
        build = start_rebuild(conn, "datasets", keys.SQL_DATASETS)
        conn.execute(f'ALTER TABLE "{build[0]}"."{build[1]}" DROP COLUMN percantage_filling')
        results = {c.check_name: c for c in checks.datasets_checks(conn, build, 0.2)}
    assert not results["required_columns"].passed
    assert results["required_columns"].metadata["missing_columns"].value == [
        "percantage_filling"
    ]
    assert {*COLUMNS, *RUNBOOK_GENERATED} >= set(RUNBOOK)


def test_an_extract_recorded_before_the_runbook_fields_is_refused_naming_them(
    tmp_path: Path,
) -> None:
    # After the upgrade the clean step may read an extract the previous version recorded: it
    # must say what to re-run, not fail on a KeyError deep in pandas.
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    added = ["creator", "rights_holder", "catalog", "right_statement", "distribution_licenses"]
    old = pa.schema([f for f in SCHEMA_RAW if f.name not in added])
    pq.write_table(old.empty_table(), tmp_path / "datasets.parquet")
    put = artifacts.put(tmp_path / "datasets.parquet", keys.RAW_FOLDER, "datasets.parquet", {})
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(
        dg.AssetMaterialization(keys.RAW_DATASETS, metadata={"artifact": put.key})
    )
    result = dg.materialize(
        [datasets_clean], resources={"artifacts": artifacts}, instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    message = result.get_step_failure_events()[0].event_specific_data.error.message
    assert f"has no {', '.join(added)}" in message
    assert "materialize catalog/dataframe/raw_datasets again" in message

"""The catalogue chain on pages shaped as the real producer writes them.

The real page, ecolabdata/ecospheres-metadata ``src/tests/test_dcat_exposition.json`` (commit
a6243387b832f5236a2d98a68f085dbd6d48fd2f, the CKAN exposition serialised by rdflib), cannot be
committed here: that repository has no LICENSE nor any licence statement, so redistribution is
not granted. The pages below copy its shapes instead, not its content: a flattened ``@graph``
with ``dcterms:``/``xsd:`` prefixes, access rights as blank ``dcterms:RightsStatement`` nodes
with a language-tagged ``rdfs:label`` (as ``src/dcat_reader_ckan.py`` reads them), a dataset
(series) with no ``dcterms:accessRights`` at all, and ``dcterms:modified`` typed ``xsd:date``
on datasets and ``xsd:dateTime`` with microseconds and no zone (``2019-03-29T22:45:00.000412``)
elsewhere in the same page.
"""

import json
from pathlib import Path

import psycopg

from maint_assets_tests.catalog.test_catalog import _run_pages

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
GEOIDE = "http://catalogue.geo-ide.developpement-durable.gouv.fr/catalogue/srv/fre/catalog.search"
RIGHTS = {
    "open": "Pas de restriction d'accès public selon INSPIRE",
    "law": "Aucun des articles de la loi ne peut être invoqué pour justifier d'une "
    "restriction d'accès public.",
}


def _dataset(graph: list[dict], uid: str, modified: dict | None, rights: list[str]) -> None:
    """A dcat:Dataset node and its blank rights statements appended to ``graph``."""
    series = uid.startswith("ldd")  # the real page's "ldd-" records are also dataset series
    node: dict = {
        "@id": f"{GEOIDE}#/metadata/fr-120066022-{uid}",
        "@type": ["dcat:Dataset", "dcat:DatasetSeries"] if series else "dcat:Dataset",
        "dcterms:title": {"@language": "fr", "@value": f"Zones exposées au bruit ({uid})"},
        "dcterms:spatial": [{"@id": "http://id.insee.fr/geo/departement/74"}],
    }
    if modified is not None:
        node["dcterms:modified"] = modified
    if rights:
        node["dcterms:accessRights"] = [{"@id": f"_:N{uid}{r}"} for r in rights]
        graph += [
            {
                "@id": f"_:N{uid}{r}",
                "@type": "dcterms:RightsStatement",
                "rdfs:label": {"@language": "fr", "@value": RIGHTS[r]},
            }
            for r in rights
        ]
    graph.append(node)


def _write(path: Path, graph: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"@context": CONTEXT, "@graph": graph}, ensure_ascii=False))


def _table(db: str) -> dict[str, tuple]:
    with psycopg.connect(db) as conn:
        rows = conn.execute(
            "SELECT uri, modified::text, access_rights, open_access FROM public.datasets"
        ).fetchall()
    return {r[0].rsplit("fr-120066022-", 1)[1]: r[1:] for r in rows}


def test_a_dataset_without_access_rights_is_loaded_as_not_open(
    empty_db: str, tmp_path: Path
) -> None:
    # The real page's series ldd-7ee1b06f has no dcterms:accessRights: under pandas 3 the
    # missing text became NaN, which is truthy, and the run crashed in the Transform.
    graph: list[dict] = []
    date = {"@type": "xsd:date", "@value": "2018-08-02"}
    _dataset(graph, "jdd-0a3ba9b5", date, ["law", "open"])
    _dataset(graph, "ldd-7ee1b06f", None, [])
    _dataset(graph, "ldd-7957af67", None, ["law"])
    _write(tmp_path / "pages" / "page-001.json", graph)
    result = _run_pages(empty_db, tmp_path)
    assert result.success
    assert _table(empty_db) == {
        "jdd-0a3ba9b5": ("2018-08-02", f"{RIGHTS['law']}; {RIGHTS['open']}", True),
        "ldd-7ee1b06f": (None, None, False),
        "ldd-7957af67": (None, RIGHTS["law"], False),
    }


def test_modified_dates_in_every_form_the_producer_writes_and_the_latest_wins(
    empty_db: str, tmp_path: Path
) -> None:
    # dcterms:modified comes as xsd:date and as xsd:dateTime in the same page. A dateTime first
    # made pandas infer that format for the whole column and silently turn every xsd:date into
    # NULL (the trial lost 43 of 45), and "the latest modification wins" then chose wrong.
    def typed(kind: str, value: str) -> dict:
        return {"@type": f"xsd:{kind}", "@value": value}

    first: list[dict] = []
    _dataset(first, "jdd-0a3ba9b5", typed("dateTime", "2019-03-29T22:45:00.000412"), ["open"])
    _dataset(first, "jdd-1b2c3d4e", typed("date", "2018-08-02"), ["open"])
    _dataset(first, "jdd-2dup0000", typed("date", "2023-05-01"), ["open"])  # newer than page 2
    _dataset(first, "jdd-3zulu000", typed("dateTime", "2022-10-01T00:00:00Z"), ["open"])
    # The publisher's calendar date, as written: in UTC it would be the day before.
    _dataset(first, "jdd-4offset0", typed("dateTime", "2020-07-01T00:30:00+02:00"), ["open"])
    _dataset(first, "jdd-5notdate", {"@value": "non renseignée"}, ["open"])
    second: list[dict] = []
    _dataset(second, "jdd-2dup0000", typed("dateTime", "2021-08-17T10:13:01.000225"), ["law"])
    _write(tmp_path / "pages" / "page-001.json", first)
    _write(tmp_path / "pages" / "page-002.json", second)
    result = _run_pages(empty_db, tmp_path)
    assert result.success
    modified = {uid: row[0] for uid, row in _table(empty_db).items()}
    assert modified == {
        "jdd-0a3ba9b5": "2019-03-29",
        "jdd-1b2c3d4e": "2018-08-02",
        "jdd-2dup0000": "2023-05-01",  # page 1's row, the later modification, not the later page
        "jdd-3zulu000": "2022-10-01",
        "jdd-4offset0": "2020-07-01",
        "jdd-5notdate": None,
    }
    # What is not a date is not lost silently: counted and named in the step's metadata.
    clean = _clean_metadata(result)
    assert clean["unreadable_dates"].value == 1
    assert clean["unreadable_date_values"].value == [
        {
            "identifier": f"{GEOIDE}#/metadata/fr-120066022-jdd-5notdate",
            "column": "modified",
            "value": "non renseignée",
        }
    ]


def test_a_nul_character_in_one_dataset_is_removed_and_named_not_fatal(
    empty_db: str, tmp_path: Path
) -> None:
    """JSON allows U+0000 in a string, PostgreSQL's text does not: one publisher's stray NUL
    (our own, in the producer's shape) failed the whole daily load at COPY, naming no dataset
    (an independent trial)."""
    graph: list[dict] = []
    date = {"@type": "xsd:date", "@value": "2018-08-02"}
    _dataset(graph, "jdd-0a3ba9b5", date, ["open"])
    _dataset(graph, "jdd-6nul0000", date, ["law"])
    graph[-1]["dcterms:title"]["@value"] = "Zones\u0000 exposées"
    _write(tmp_path / "pages" / "page-001.json", graph)
    result = _run_pages(empty_db, tmp_path)
    assert result.success
    with psycopg.connect(empty_db) as conn:
        titles = dict(conn.execute("SELECT right(uri, 12), title FROM public.datasets"))
    assert titles["jdd-6nul0000"] == "Zones exposées"
    clean = _clean_metadata(result)
    assert clean["nul_removed"].value == [
        {"identifier": f"{GEOIDE}#/metadata/fr-120066022-jdd-6nul0000", "column": "title"}
    ]


def _clean_metadata(result) -> dict:
    (clean,) = [
        e.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key.to_user_string() == "catalog/dataframe/datasets_clean"
    ]
    return clean

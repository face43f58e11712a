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

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets_tests.catalog.test_catalog import _run

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
    result = _run(
        empty_db,
        FileStore(url=str(tmp_path / "pages")),
        ArtifactStore(directory=str(tmp_path / "artifacts")),
    )
    assert result.success
    assert _table(empty_db) == {
        "jdd-0a3ba9b5": ("2018-08-02", f"{RIGHTS['law']}; {RIGHTS['open']}", True),
        "ldd-7ee1b06f": (None, None, False),
        "ldd-7957af67": (None, RIGHTS["law"], False),
    }

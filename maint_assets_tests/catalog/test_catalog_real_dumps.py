"""The catalogue chain on dumps shaped as the real producer makes them (a real-data trial of
2026-12-07; the pages are built here from the real page's shape, not copied).

Facts (read, nothing copied): ecolabdata/ecospheres-metadata@2eab2e7
``notebooks/read_dcat_expositions.ipynb`` dumps the CKAN exposition page by page,
``integration_page_{page}_{date.today()}.json``, for pages 1..253, and on any failure of a page
prints "Fail to load graph for page N" and goes on: a dump can lack pages. Each page it writes
holds the exposition's ``hydra:PagedCollection`` node (``src/tests/test_dcat_exposition.json``:
``@id .../dcat/catalog/jsonld?page=111``, ``hydra:lastPage ...?page=244``, ``hydra:totalItems
24375``, ``hydra:itemsPerPage 100``; ckanext-dcat ``ckanext/dcat/processors.py`` writes it).
A dataset's ``foaf:isPrimaryTopicOf`` is a ``dcat:CatalogRecord`` with its own
``dcterms:modified`` (an ``xsd:dateTime``, the record's), while the dataset's
``dcterms:modified`` is the publisher's ``xsd:date`` of the data.
"""

import json
from pathlib import Path

import psycopg

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.stores import FileStore
from maint_assets_tests.catalog.test_catalog import _run

EXPO = "https://integration.data.e2.rie.gouv.fr/dcat/catalog/jsonld"
GEOIDE = "http://catalogue.geo-ide.developpement-durable.gouv.fr/catalogue/srv/fre/catalog.search"
HYDRA = "http://www.w3.org/ns/hydra/core#"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
OPEN = "Pas de restriction d'accès public selon INSPIRE"
CLOSED = "Accès restreint : L124-4-I-1 du code de l'environnement"


def _uri(uid: str) -> str:
    return f"{GEOIDE}#/metadata/fr-120066022-jdd-{uid}"


def _dataset(uid: str, rights: str, record_modified: str) -> list[dict]:
    """A dataset with its blank rights statement and its catalog record."""
    return [
        {
            "@id": _uri(uid),
            "@type": "dcat:Dataset",
            "dcterms:title": {"@language": "fr", "@value": f"Jeu {uid}"},
            "dcterms:modified": {"@type": "xsd:date", "@value": "2018-08-02"},
            "dcterms:accessRights": {"@id": f"_:R{uid}"},
            "foaf:isPrimaryTopicOf": {"@id": f"_:C{uid}"},
        },
        {"@id": f"_:R{uid}", "@type": "dcterms:RightsStatement",
         "rdfs:label": {"@language": "fr", "@value": rights}},
        {"@id": f"_:C{uid}", "@type": "dcat:CatalogRecord",
         "dcterms:identifier": f"fr-120066022-jdd-{uid}",
         "dcterms:modified": {"@type": "xsd:dateTime", "@value": record_modified}},
    ]


def _page(folder: Path, page: int, last: int, date: str, graph: list[dict]) -> None:
    paging = {
        "@id": f"{EXPO}?page={page}",
        "@type": f"{HYDRA}PagedCollection",
        f"{HYDRA}firstPage": f"{EXPO}?page=1",
        f"{HYDRA}lastPage": f"{EXPO}?page={last}",
        f"{HYDRA}itemsPerPage": 5,
        f"{HYDRA}totalItems": 5 * last,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"integration_page_{page}_{date}.json").write_text(
        json.dumps({"@context": CONTEXT, "@graph": [*graph, paging]}, ensure_ascii=False)
    )


def _ids(db: str) -> dict[str, str]:
    with psycopg.connect(db) as conn:
        return dict(conn.execute("SELECT uri, access_rights FROM public.datasets"))


def _failure(result) -> str:
    return result.get_step_failure_events()[0].event_specific_data.error.message


def test_a_dump_missing_a_page_does_not_silently_drop_its_datasets(
    empty_db: str, tmp_path: Path
) -> None:
    pages, last = tmp_path / "pages", 10
    artifacts = ArtifactStore(directory=str(tmp_path / "artifacts"))
    store = FileStore(url=str(pages))
    for page in range(1, last + 1):
        graph = [n for i in range(5)
                 for n in _dataset(f"{page:03d}-{i}", OPEN, "2023-11-01T00:00:00")]
        _page(pages, page, last, "2023-11-20", graph)
    assert _run(empty_db, store, artifacts).success
    assert len(_ids(empty_db)) == 50

    # The next dump: page 7 failed in the notebook ("Fail to load graph for page 7"); the
    # earlier dump is kept aside in a subfolder, as the project expects.
    (pages / "2023-11-20").mkdir()
    for old in pages.glob("*.json"):
        old.rename(pages / "2023-11-20" / old.name)
    for page in range(1, last + 1):
        if page == 7:
            continue
        graph = [n for i in range(5)
                 for n in _dataset(f"{page:03d}-{i}", OPEN, "2023-11-01T00:00:00")]
        _page(pages, page, last, "2023-11-27", graph)
    result = _run(empty_db, store, artifacts)
    # every page names the last one (hydra:lastPage): page 7 is known to be missing, and its
    # datasets were not deleted at the source; the load dropped them
    assert not result.success
    assert "lacks page(s) 7 of the 10" in _failure(result), _failure(result)
    assert len(_ids(empty_db)) == 50


def test_of_two_dumps_side_by_side_the_newer_description_wins(
    empty_db: str, tmp_path: Path
) -> None:
    """The notebook names each dump's pages with the day it ran, so a second dump uploaded to
    the same folder sits beside the first (the runbook's extract read every .json there). A
    dataset moved from page 2 to page 1 between them (pages shift as datasets are added),
    and its access rights were corrected: its dcterms:modified (the data's date) is the same,
    its catalog record's dcterms:modified is newer. The older description was loaded (the
    page names sort 2 after 1, whatever their dates)."""
    pages = tmp_path / "pages"
    filler = [n for i in range(3) for n in _dataset(f"f{i}", OPEN, "2023-01-01T00:00:00")]
    _page(pages, 1, 2, "2023-11-20", filler)
    _page(pages, 2, 2, "2023-11-20", _dataset("moved", CLOSED, "2023-02-01T10:00:00.000412"))
    _page(pages, 1, 2, "2023-11-27", filler + _dataset("moved", OPEN, "2023-11-24T09:30:00.000225"))
    _page(pages, 2, 2, "2023-11-27", _dataset("other", OPEN, "2023-01-01T00:00:00"))
    result = _run(empty_db, FileStore(url=str(pages)),
                  ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success, _failure(result)
    assert _ids(empty_db)[_uri("moved")] == OPEN, "the dump of 11-20 won over that of 11-27"



def test_a_record_date_out_of_range_is_no_date(empty_db: str, tmp_path: Path) -> None:
    """A catalogue record dated 0001-01-01T00:00:00+01:00 (a publisher's placeholder) is
    before year 1 in UTC: reading it raised OverflowError and failed the whole transform."""
    pages = tmp_path / "pages"
    _page(pages, 1, 1, "2023-11-27",
          _dataset("old", OPEN, "0001-01-01T00:00:00+01:00")
          + _dataset("new", OPEN, "2023-11-01T00:00:00"))
    result = _run(empty_db, FileStore(url=str(pages)),
                  ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success, _failure(result)
    assert set(_ids(empty_db)) == {_uri("old"), _uri("new")}

def test_a_page_removed_from_s3_during_the_extract_is_named(
    empty_db: str, tmp_path: Path, s3_endpoint: str, monkeypatch
) -> None:
    """The operator replaces the dump (uploads are by hand) while the midnight run reads it:
    a page listed is gone when its turn comes. The run fails, as it should; its error must
    name the page (and the store), as the other read failures do."""
    import boto3

    from maint_assets.catalog.assets import raw_datasets

    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    bucket = f"catalog-trial-{tmp_path.name.replace('_', '-')[:30]}".lower()
    s3.create_bucket(Bucket=bucket)
    store = FileStore(url=f"s3://{bucket}/DUMP", endpoint_url=s3_endpoint)
    pages = tmp_path / "pages"
    for page in (1, 2):
        _page(pages, page, 2, "2023-11-27",
              [n for i in range(3) for n in _dataset(f"{page}{i}", OPEN, "2023-11-01T00:00:00")])
    for path in sorted(pages.iterdir()):
        s3.upload_file(str(path), bucket, f"DUMP/{path.name}")
    gone = "integration_page_2_2023-11-27.json"
    real_read = raw_datasets.read_page

    def read_then_remove(data: bytes, page: str):
        if page != gone:  # while page 1 is read, page 2 is deleted
            s3.delete_object(Bucket=bucket, Key=f"DUMP/{gone}")
        return real_read(data, page)

    monkeypatch.setattr(raw_datasets, "read_page", read_then_remove)
    result = _run(empty_db, store, ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert gone in error, error


def test_a_page_of_the_exposition_without_datasets_is_not_malformed(
    empty_db: str, tmp_path: Path
) -> None:
    """The producer's own run of 2023-10-14 (read_dcat_expositions.ipynb, its saved output)
    read 229 pages, 58 of them "Nombre de datasets :  0" (integration_page_227, 183, 197, 243,
    244, ...): a page of the exposition with no dcat:Dataset is a normal page of a real dump,
    valid JSON-LD with its paging node. The extract failed the whole run on it ("no
    dcat:Dataset in the page"), or, with skip_malformed_pages, counted it with pages that are
    broken."""
    pages = tmp_path / "pages"
    for page in (1, 2):
        _page(pages, page, 3, "2023-10-14",
              [n for i in range(3) for n in _dataset(f"{page}{i}", OPEN, "2023-10-01T00:00:00")])
    _page(pages, 3, 3, "2023-10-14", [])  # only the hydra:PagedCollection node
    result = _run(empty_db, FileStore(url=str(pages)),
                  ArtifactStore(directory=str(tmp_path / "artifacts")))
    assert result.success, _failure(result)
    assert len(_ids(empty_db)) == 6

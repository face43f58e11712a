"""Two datasets of the pages with one identifier (a dataset harvested twice, under two URIs):
one is kept by a fixed rule (the latest dcterms:modified, then the last page, then the last
URI), and every such identifier is named in the transform's metadata and its warning check.

The pages are the demo's CKAN-shaped datasets; the duplicated identifiers are this test's own
invention."""

import json
import random
from pathlib import Path

import psycopg

from maint_assets.demo.catalog_data import CONTEXT, dataset
from maint_assets_tests.catalog.test_catalog import _run_pages
from maint_assets_tests.catalog.test_catalog_producer_shapes import _clean_metadata

BASE = "https://catalogue.example.fr/dataset/"


def _node(i: int, uri: str, modified: str) -> dict:
    return {**dataset(i, random.Random(i), modified), "@id": BASE + uri}


def _write(pages: Path, graphs: list[list[dict]]) -> None:
    pages.mkdir(parents=True, exist_ok=True)
    for n, graph in enumerate(graphs, 1):
        page = {"@context": CONTEXT, "@graph": graph}
        (pages / f"catalog-page-{n:05d}.jsonld").write_text(json.dumps(page))


def test_one_dataset_per_identifier_is_kept_by_a_fixed_rule_and_the_others_named(
    empty_db: str, tmp_path: Path
) -> None:
    first = [
        _node(1, "newer", "2024-03-01"),
        _node(2, "on-page-1", "2024-05-05"),
        _node(4, "alone", "2024-01-01"),
    ]
    second = [
        _node(1, "older", "2024-02-01"),  # on a later page, but older: dropped
        _node(2, "on-page-2", "2024-05-05"),  # same date: the later page's kept
        _node(3, "same-page-b", "2024-06-06"),
        _node(3, "same-page-a", "2024-06-06"),  # same date and page: the last URI kept
    ]
    _write(tmp_path / "pages", [first, second])
    result = _run_pages(empty_db, tmp_path)
    assert result.success
    with psycopg.connect(empty_db) as conn:
        kept = dict(conn.execute("SELECT identifier, uri FROM public.datasets").fetchall())
    assert kept == {
        "ds-0000001": BASE + "newer",
        "ds-0000002": BASE + "on-page-2",
        "ds-0000003": BASE + "same-page-b",
        "ds-0000004": BASE + "alone",
    }

    meta = _clean_metadata(result)
    assert meta["duplicate_identifiers"].value == 3

    def described(uri: str, page: int, modified: str) -> dict:
        return {"page": f"catalog-page-{page:05d}.jsonld", "uri": BASE + uri,
                "modified": modified}

    named = {
        "ds-0000001": (described("newer", 1, "2024-03-01"),
                       [described("older", 2, "2024-02-01")]),
        "ds-0000002": (described("on-page-2", 2, "2024-05-05"),
                       [described("on-page-1", 1, "2024-05-05")]),
        "ds-0000003": (described("same-page-b", 2, "2024-06-06"),
                       [described("same-page-a", 2, "2024-06-06")]),
    }
    assert {d["identifier"]: (d["kept"], d["dropped"]) for d in meta["duplicates"].value} == named
    (check,) = [
        e for e in result.get_asset_check_evaluations()
        if e.check_name == "one_dataset_per_identifier"
    ]
    assert not check.passed and check.severity.value == "WARN"
    assert check.metadata["duplicate_identifiers"].value == 3

    # The same pages in another order within each page keep the same datasets.
    _write(tmp_path / "pages", [first[::-1], second[::-1]])
    assert _run_pages(empty_db, tmp_path).success
    with psycopg.connect(empty_db) as conn:
        assert dict(conn.execute("SELECT identifier, uri FROM public.datasets").fetchall()) == kept


def test_every_dataset_without_an_identifier_is_counted_and_refused(
    empty_db: str, tmp_path: Path
) -> None:
    """Datasets without an identifier, neither dcterms:identifier nor a URI (blank nodes; this
    test's own: the demo's with both removed), are not one dataset: each is counted by the
    load's check, which refuses the table."""
    nodes = [_node(i, f"uri-{i}", "2024-01-01") for i in range(1, 6)]
    for node in nodes[:3]:
        del node["dct:identifier"], node["@id"]
    _write(tmp_path / "pages", [nodes])
    result = _run_pages(empty_db, tmp_path)
    assert not result.success
    (check,) = [e for e in result.get_asset_check_evaluations()
                if e.check_name == "required_columns"]
    assert not check.passed and check.metadata["rows_without_identifier"].value == 3
    assert _clean_metadata(result)["duplicate_identifiers"].value == 0

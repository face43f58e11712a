"""W3ACT rows its real schema allows and legacy data holds (conf/evolutions of ukwa/w3act
e78d492: nullable scope, url, publish), through access_lists, judged by the consumers' own code
(pywb's AccessChecker) and by what W3ACT and python-w3act (ukwa/python-w3act ac4aa47) make of
the same rows. (Found by a trial of session 34.)"""

import json
from pathlib import Path

import dagster as dg
import psycopg

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.webarchive_data import load_w3act
from maint_assets.webarchive.assets import access_lists
from maint_assets_tests.webarchive.servers import pywb_access


def _run(db: str, tmp_path: Path, rows: str) -> tuple[dg.ExecuteInProcessResult, Path]:
    with psycopg.connect(db, autocommit=True) as conn:
        load_w3act(conn)
        conn.execute(rows)
    publish = tmp_path / "acl"
    result = dg.materialize(
        [access_lists.access_lists],
        resources={
            "w3act_db": PostgresResource(url=db),
            "artifacts": ArtifactStore(directory=str(tmp_path / "artifacts")),
        },
        run_config={"ops": {"webarchive__list__access_lists": {
            "config": {"publish_dir": str(publish)}}}},
        raise_on_error=False,
    )
    return result, publish


def test_a_nevercrawl_target_without_a_scope_is_still_blocked(empty_db: str, tmp_path: Path):
    """W3ACT's target.scope may be NULL or empty (its view checks ``scope != null &&
    scope.length > 0``; legacy targets); W3ACT's default scope is root
    (Target.setDefaultValues). A NEVERCRAWL ("Blocked (Archivist Use Only)") target inside the
    open data.gov.uk (subdomains) must stay blocked whatever its scope column says."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (30, 'Blocked, legacy row without scope', NULL, 'NEVERCRAWL', false, now()),
            (31, 'Blocked, empty scope', '', 'NEVERCRAWL', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (30, 30, 'http://data.gov.uk/private/', 0, now()),
            (31, 31, 'http://www.data.gov.uk/secret', 0, now());
    """)
    assert result.success
    urls = ["http://data.gov.uk/private/", "https://data.gov.uk/private/report.pdf",
            "http://data.gov.uk/secret", "http://www.data.gov.uk/secret/x?y=1"]
    assert pywb_access(publish / "allows.aclj", urls) == dict.fromkeys(urls, "block")
    assert pywb_access(publish / "allows.aclj", ["http://data.gov.uk/data"]) == {
        "http://data.gov.uk/data": "allow"}


def test_a_seed_row_without_a_url_does_not_stop_the_lists(empty_db: str, tmp_path: Path):
    """field_url.url is a nullable text column. One such row (an open target's, in a
    collection) must be left out and named, not fail every daily run: while it fails, the
    published lists stay as they were, new NEVERCRAWL blocks included."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (40, 1, NULL, 1, now());
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    left_out = result.asset_materializations_for_node(
        "webarchive__list__access_lists")[0].metadata["seeds_left_out"].value
    assert "target 1" in left_out
    annotations = json.loads((publish / "annotations.json").read_text())
    assert "http://data.gov.uk/" in annotations["collections"]["subdomains"]


def test_a_collection_whose_publish_flag_is_null_is_not_published(
    empty_db: str, tmp_path: Path
):
    """W3ACT saves a collection without the flag as not published
    (CollectionController: ``if publish == null: publish = false``) and shows it published only
    when ``publish != null && publish`` (collections/view.scala.html); python-w3act's load_csv
    reads anything but 't' as false and clear_unpublished_collections drops it."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO taxonomy (ttype, id, name, publish, parent_id, updated_at) VALUES
            ('collections', 50, 'Legacy collection, never reviewed', NULL, NULL, now());
        INSERT INTO collection_target (target_id, collection_id) VALUES (3, 50);
    """)
    assert result.success
    annotations = json.loads((publish / "annotations.json").read_text())
    assert "Legacy collection, never reviewed" not in annotations["collectionDateRanges"]
    assert "https://www.iana.org/" not in annotations["collections"]["root"]


def test_a_legacy_lower_case_nevercrawl_target_is_blocked(empty_db: str, tmp_path: Path):
    """W3ACT writes the CrawlFrequency enum's name, NEVERCRAWL; python-w3act compares the
    column lower-cased (``crawl_frequency.lower() == 'nevercrawl'``), so a legacy row's
    'nevercrawl' is a block to it, and was neither blocked nor kept out of the open list
    here."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (32, 'Blocked, legacy lower case', 'root', 'nevercrawl', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (32, 32, 'http://data.gov.uk/closed/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 32 FROM license_target LIMIT 1;
    """)
    assert result.success
    urls = ["http://data.gov.uk/closed/", "http://data.gov.uk/closed/page.html"]
    assert pywb_access(publish / "allows.aclj", urls) == dict.fromkeys(urls, "block")

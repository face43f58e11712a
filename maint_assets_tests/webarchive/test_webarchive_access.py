"""The access lists and annotations from W3ACT's real tables, judged by their consumers: pywb's
own access checker over allows.aclj (default_access block, as deploy/pywb/config.yaml sets it),
Heritrix's SURT-prefix rules over allows.txt and webarchive-discovery's date ranges over
annotations.json. The W3ACT rows are sql/demo/w3act_data.sql."""

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core.artifacts import ArtifactStore
from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.webarchive_data import load_w3act
from maint_assets.webarchive.assets import access_lists
from maint_assets_tests.webarchive.consumers import SurtPrefixSet, collection_applies
from maint_assets_tests.webarchive.servers import pywb_access
from maint_assets_tests.webarchive.test_heritrix_surt import PATHS, heritrix_rows

# Per target of the demo data: URLs its scope opens, and look-alikes that must stay closed.
SCOPES = {
    "subdomains: data.gov.uk": (
        ["http://data.gov.uk/", "https://data.gov.uk/data/search", "http://www.data.gov.uk/faq",
         "http://ckan.data.gov.uk/dataset/x", "http://a.b.data.gov.uk/", "HTTP://DATA.GOV.UK/Faq",
         "http://data.gov.uk:8080/x", "http://ckan.data.gov.uk:8443/"],
        ["http://database.gov.uk/", "http://mydata.gov.uk/", "http://www.datagov.uk/",
         "http://data.gov.uk.evil.com/", "http://gov.uk/", "http://evil.com/data.gov.uk/"],
    ),
    "root, host seed: https://www.iana.org/": (
        ["http://iana.org/", "https://www.iana.org/domains/root", "http://www.iana.org/about?x=1"],
        ["http://ianafoo.org/", "http://www.ianaevil.org/", "http://sub.iana.org/",
         "http://iana.org.evil.com/", "http://iana.org:8080/"],
    ),
    "root, directory seed: http://www.gnu.org/software/wget/warc/": (
        ["http://www.gnu.org/software/wget/warc/", "http://gnu.org/software/wget/warc/wget.log",
         "https://www.gnu.org/software/wget/warc/manifest.txt"],
        ["http://www.gnu.org/software/wget/warcx/", "http://www.gnu.org/software/wget/warc-x/a",
         "http://www.gnu.org/software/wget/", "http://www.gnu.org/", "http://ftp.gnu.org/"],
    ),
    "plus1: http://example.com/": (
        ["http://example.com/", "https://www.example.com/page", "http://example.com/a/b?c=d"],
        ["http://example.com.evil.org/", "http://www.example.co/", "http://sub.example.com/",
         "http://example.org/", "http://examplecom.net/"],
    ),
    "resource, directory seed: http://archive.org/images/": (
        ["http://archive.org/images/", "https://www.archive.org/images/"],
        ["http://archive.org/images-private/x.png", "http://archive.org/imagesx",
         "http://archive.org/", "http://web.archive.org/images/"],
    ),
    "resource, file seed: http://httpbin.org/post": (
        ["http://httpbin.org/post", "https://www.httpbin.org/post"],
        ["http://httpbin.org/pos", "http://httpbin.org/get", "http://httpbin.org/",
         "http://httpbinx.org/post"],
    ),
    "not open: no licence, hidden, NEVERCRAWL, no scope": (
        [],
        ["http://commoncrawl.org/", "https://hidden.example.org/", "https://never.example.org/",
         "https://unscoped.example.org/"],
    ),
}

# Where the two formats cannot agree, and why (access_rules' docstring).
DIVERGENCES = {
    # pywb's key of /images and /images/ is the same; a SURT prefix keeps the slash
    "http://archive.org/images": ("allow", False),
    "http://www.gnu.org/software/wget/warc": ("allow", False),
    # resource = "Just this URL": pywb can say exactly, a SURT-prefix file cannot
    "http://archive.org/images/star.png": ("block", True),
    "http://httpbin.org/posts/1": ("block", True),
    # NEVERCRAWL inside an open target: pywb blocks it, a prefix file cannot except it
    "http://data.gov.uk/forum": ("block", True),
    "http://data.gov.uk/forum/topic/1": ("block", True),
    # pywb drops www2. as it drops www.; Heritrix keeps it
    "http://www2.iana.org/": ("allow", False),
}


@pytest.fixture
def published(empty_db: str, tmp_path: Path) -> tuple[Path, ArtifactStore, callable]:
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_w3act(conn)
    publish = tmp_path / "acl"
    store = ArtifactStore(directory=str(tmp_path / "artifacts"))

    def run() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [access_lists.access_lists],
            resources={"w3act_db": PostgresResource(url=empty_db), "artifacts": store},
            run_config={"ops": {"webarchive__list__access_lists": {
                "config": {"publish_dir": str(publish)}}}},
            raise_on_error=False,
        )

    assert run().success
    return publish, store, run


def test_each_scope_opens_what_w3act_says_for_pywb_and_heritrix(published) -> None:
    publish, _, _ = published
    urls = [u for opened, closed in SCOPES.values() for u in opened + closed] + list(DIVERGENCES)
    pywb = pywb_access(publish / "allows.aclj", urls)
    prefix_set = SurtPrefixSet((publish / "allows.txt").read_text())

    def heritrix(url: str) -> bool:
        indexed, annotated = (prefix_set.is_open_access(url, i) for i in PATHS.values())
        assert indexed == annotated, url
        return indexed

    for scope, (opened, closed) in SCOPES.items():
        for url in opened:
            assert (pywb[url], heritrix(url)) == ("allow", True), (scope, url)
        for url in closed:
            assert (pywb[url], heritrix(url)) == ("block", False), (scope, url)
    assert {u: (pywb[u], heritrix(u)) for u in DIVERGENCES} == DIVERGENCES
    # Heritrix's form for a host and its subdomains, and no form a candidate never matches.
    prefixes = (publish / "allows.txt").read_text().splitlines()
    assert "http://(uk,gov,data," in prefixes
    assert not [p for p in prefixes if ")" in p and ",)" not in p]


def test_heritrix_s_own_verdicts_hold_for_the_published_allows_txt(published) -> None:
    """The verdicts Heritrix's code printed (its candidates against the allows.txt this
    generator wrote from the same W3ACT rows) hold for what it publishes now."""
    publish, _, _ = published
    published_set = SurtPrefixSet((publish / "allows.txt").read_text())
    for row in heritrix_rows():
        for path in PATHS:
            surt = row[f"{path}_surt"]
            if not surt.startswith("error"):
                verdict = "OA" if published_set.contains_prefix_of(surt) else "RRO"
                assert verdict == row[f"{path}_verdict"], (path, row["url"])


def test_annotations_carry_collections_with_date_ranges(published) -> None:
    publish, _, _ = published
    annotations = json.loads((publish / "annotations.json").read_text())
    assert sorted(annotations["collections"]) == ["plus1", "resource", "root", "subdomains"]
    data = annotations["collections"]["subdomains"]["http://data.gov.uk/"]
    assert data == {
        "collection": "Government",
        "collections": ["Government", "Government|Open Data"],
        "subject": ["Government, Politics & Law"],
    }
    ranges = annotations["collectionDateRanges"]
    assert sorted(ranges) == ["Government", "Government|Open Data", "Web Archiving"]
    crawled_2014 = datetime(2014, 3, 25, 12, 12, 25, tzinfo=UTC)  # the Heritrix WARC's capture
    crawled_2020 = datetime(2020, 1, 1, tzinfo=UTC)
    applied = [c for c in data["collections"] if collection_applies(ranges, c, crawled_2014)]
    assert applied == ["Government", "Government|Open Data"]
    applied = [c for c in data["collections"] if collection_applies(ranges, c, crawled_2020)]
    assert applied == ["Government"]
    assert collection_applies(ranges, "Web Archiving", crawled_2020)  # no range: always
    resources = annotations["collections"]["resource"]
    assert resources["http://archive.org/images/"]["collections"] == ["Web Archiving"]
    assert "https://hidden.example.org/" not in annotations["collections"]["root"]
    assert "https://www.iana.org/" not in annotations["collections"]["root"]  # unpublished only


def test_the_three_files_are_published_together_and_a_refusal_changes_nothing(
    published, empty_db: str
) -> None:
    publish, store, run = published
    assert publish.is_symlink() and sorted(p.name for p in publish.iterdir()) == [
        "allows.aclj", "allows.txt", "annotations.json",
    ]
    first = publish.resolve()
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("DELETE FROM license_target WHERE target_id = 6")
    assert run().success
    second = publish.resolve()
    assert second != first and first.exists()  # a reader of the old version keeps it whole
    assert "httpbin" not in (publish / "allows.aclj").read_text()
    assert "httpbin" in (first / "allows.aclj").read_text()
    assert [a.manifest["lines"] for a in store.list("webarchive/access/allows.aclj")][-1] == len(
        (publish / "allows.aclj").read_text().splitlines()
    )

    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("DELETE FROM license_target")
    refused = run()
    assert not refused.success and publish.resolve() == second


def test_a_failed_store_write_leaves_no_temporary_file(
    empty_db: str, tmp_path: Path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The three files reach the artifact store through temporary files: a store that refuses
    them (here a bucket that does not exist) must not leave them behind, run after run."""
    with psycopg.connect(empty_db, autocommit=True) as conn:
        load_w3act(conn)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    store = ArtifactStore(bucket="no-such-bucket", endpoint_url=s3_endpoint)
    result = dg.materialize(
        [access_lists.access_lists],
        resources={"w3act_db": PostgresResource(url=empty_db), "artifacts": store},
        run_config={"ops": {"webarchive__list__access_lists": {
            "config": {"publish_dir": str(tmp_path / "acl")}}}},
        raise_on_error=False,
    )
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "no-such-bucket" in error
    assert list(scratch.iterdir()) == []


def test_a_block_wins_over_an_open_target_inside_it_and_an_address_has_no_subdomains(
    tmp_path: Path,
) -> None:
    """Seeds of our own making (W3ACT's scopes, not rows of its data), judged by pywb's own
    access checker: pywb applies the longest rule, so an open target inside a NEVERCRAWL one
    reopened what the block closed; and an address's "subdomains" rule opened a host name
    ending in it."""
    open_seeds = [
        (1, "root", "http://z.org/dir/"),  # inside the blocked host z.org
        (2, "resource", "http://x.org/a"),  # the very URL a blocked root target starts with
        (3, "subdomains", "http://192.168.1.20/"),
        (4, "root", "http://y.org/open/"),  # nothing blocks it
    ]
    blocked_seeds = [(10, "subdomains", "http://z.org/"), (11, "root", "http://x.org/a")]
    files, skipped, _ = access_lists.render(open_seeds, blocked_seeds, [], [], [])
    assert skipped == []
    (tmp_path / "allows.aclj").write_text(files["allows.aclj"])
    expected = {
        "http://z.org/dir/page": "block",
        "http://z.org/dir/": "block",
        "http://x.org/a": "block",
        "http://x.org/ab": "block",
        "http://192.168.1.20/x": "allow",
        "http://192.168.1.20:8080/x": "allow",
        "http://10.192.168.1.20/x": "block",
        "http://y.org/open/page": "allow",
    }
    assert pywb_access(tmp_path / "allows.aclj", list(expected)) == expected
    # Heritrix's side cannot except a URL from an open prefix, so a seed blocked whole opens
    # nothing there either.
    allows = SurtPrefixSet(files["allows.txt"])
    assert not allows.is_open_access("http://z.org/dir/page")
    assert allows.is_open_access("http://y.org/open/page")


def test_a_blocked_seed_with_a_query_blocks_its_arguments_in_any_order(tmp_path: Path) -> None:
    """Seeds of our own making, judged by pywb's access checker. pywb keys a URL with its
    query's arguments sorted, so a NEVERCRAWL root seed ``page?id=1`` inside an open host
    served ``page?id=1&a=0``, a URL that starts like the seed."""
    open_seeds = [(1, "root", "http://q.co.uk/"), (2, "root", "http://q.co.uk/news/?id=7")]
    blocked_seeds = [
        (10, "root", "http://q.co.uk/page?id=1"),
        (11, "plus1", "http://q.co.uk/news/?id=1&b=2"),
        (12, "resource", "http://q.co.uk/file?id=1"),
    ]
    files, skipped, _ = access_lists.render(open_seeds, blocked_seeds, [], [], [])
    assert skipped == []
    (tmp_path / "allows.aclj").write_text(files["allows.aclj"])
    expected = {
        "http://q.co.uk/page?id=1": "block",
        "http://q.co.uk/page?id=1&z=2": "block",
        "http://q.co.uk/page?id=1&a=0": "block",
        "http://q.co.uk/news/?id=1&b=2&a=0": "block",
        # more than the seed: a block cannot say "these arguments in any order"
        "http://q.co.uk/page?b=2": "block",
        # an open seed longer than the block's query prefix stays open, as before
        "http://q.co.uk/news/?id=7": "allow",
        "http://q.co.uk/page": "allow",
        "http://q.co.uk/pages?id=1": "allow",
        "http://q.co.uk/file?id=1": "block",
        "http://q.co.uk/file?id=1&a=0": "allow",
    }
    assert pywb_access(tmp_path / "allows.aclj", list(expected)) == expected


def test_a_blocked_query_seed_with_an_argument_of_an_open_seed_stays_blocked(
    tmp_path: Path,
) -> None:
    """``page?id=1`` is NEVERCRAWL; ``page?a=0`` is an open seed. pywb keys
    ``page?id=1&a=0`` as ``page?a=0&id=1``: the open seed's prefix is longer than the block's
    ``page?``, so the blocked page is served. A block wins over an allow (docs/webarchive.md)."""
    open_seeds = [(1, "root", "http://q.co.uk/"), (2, "root", "http://q.co.uk/page?a=0")]
    blocked_seeds = [(10, "root", "http://q.co.uk/page?id=1")]
    files, skipped, _ = access_lists.render(open_seeds, blocked_seeds, [], [], [])
    assert skipped == []
    (tmp_path / "allows.aclj").write_text(files["allows.aclj"])
    urls = ["http://q.co.uk/page?id=1", "http://q.co.uk/page?id=1&a=0", "http://q.co.uk/page?a=0"]
    assert pywb_access(tmp_path / "allows.aclj", urls) == {
        urls[0]: "block", urls[1]: "block", urls[2]: "allow"}, files["allows.aclj"]

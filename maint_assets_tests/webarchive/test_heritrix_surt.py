"""allows.txt judged by what Heritrix's own code prints: ``maint_assets_tests/data/heritrix-surt``
holds, for each probe URL, the candidate SURT and the verdict of webarchive-commons'
``SurtPrefixSet`` as webarchive-discovery computes them (README there)."""

import csv
from pathlib import Path

import pytest

from maint_assets.webarchive.access_rules import grant
from maint_assets_tests.webarchive.consumers import SurtPrefixSet, candidate_surt

DATA = Path(__file__).parent.parent / "data" / "heritrix-surt"
PATHS = {"indexer": True, "annotator": False}


def heritrix_rows() -> list[dict[str, str]]:
    with (DATA / "verdicts.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_our_reading_of_allows_txt_is_heritrix_s() -> None:
    prefixes = SurtPrefixSet((DATA / "allows.txt").read_text())
    compared = 0
    for row in heritrix_rows():
        for path, indexer in PATHS.items():
            if row[f"{path}_surt"].startswith("error"):
                continue  # Java refused the URL; so does the record's indexing
            ours = candidate_surt(row["url"], indexer)
            assert (ours, "OA" if prefixes.contains_prefix_of(ours) else "RRO") == (
                row[f"{path}_surt"], row[f"{path}_verdict"]), (path, row["url"])
            compared += 1
    assert compared > 600


# Seeds whose Heritrix forms are not what a plain SURT library writes, and look-alikes.
SEEDS = [
    ("root", "http://10.0.0.1/ip/", ["http://10.0.0.10/ip/"]),
    ("root", "http://example.net/%7Euser/", []),
    ("root", "http://example.net/caf%C3%A9/", []),
    ("root", "http://example.net/café/", []),
    ("root", "http://example.net/a b/", []),
    ("root", "http://example.net/pipe|x/", []),
    ("root", "http://example.net/plus+x/", []),
    ("root", "http://bücher.example/", []),
    ("subdomains", "http://münchen.example/", []),
    ("root", "http://example.net/x/../dots/", []),
    ("root", "http://example.net:80/eighty/", []),
    ("root", "http://example.net:8080/port/", []),
    ("resource", "http://example.net/q?b=2&a=1", []),
]


@pytest.mark.parametrize(("scope", "seed", "closed"), SEEDS, ids=[s for _, s, _ in SEEDS])
def test_a_seed_is_open_in_both_of_discovery_s_readings(
    scope: str, seed: str, closed: list[str]
) -> None:
    prefixes = SurtPrefixSet("\n".join(grant(seed, scope).heritrix))
    rows = {row["url"]: row for row in heritrix_rows()}
    for url, expected in [(seed, True)] + [(u, False) for u in closed]:
        for path in PATHS:
            surt = rows[url][f"{path}_surt"]
            if not surt.startswith("error"):
                assert prefixes.contains_prefix_of(surt) is expected, (path, url, surt)

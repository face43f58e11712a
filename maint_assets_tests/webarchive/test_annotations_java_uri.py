"""annotations.json's subdomains keys judged by java.net.URI, which webarchive-discovery's
Annotator parses them with (maint_assets_tests/data/java-uri: what OpenJDK printed)."""

import json
from pathlib import Path

from maint_assets.webarchive.java_uri import java_uri_accepts
from maint_assets_tests.webarchive.test_access_lists_w3act_legacy_rows import _run

VERDICTS = Path(__file__).parent.parent / "data" / "java-uri" / "verdicts.tsv"


def test_java_uri_accepts_what_openjdk_accepts() -> None:
    rows = [line.split("\t") for line in VERDICTS.read_text(encoding="utf-8").split("\n") if line]
    differ = [(key, verdict) for key, verdict in rows
              if java_uri_accepts(key.replace("\\t", "\t")) != verdict.startswith("host ")]
    assert len(rows) > 70 and not differ, differ


def test_a_subdomains_seed_java_cannot_parse_is_left_out_of_the_annotations(
    empty_db: str, tmp_path: Path
) -> None:
    """A subdomains-scope seed with a ``|`` in its path (W3ACT keeps seeds as typed) went into
    annotations.json, where the Annotator's URI.create threw for every record it indexed.
    Left out, named in the run's warnings; the other seeds of the collection are kept, one with
    an accented host written in IDNA. Rows invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (131, 'A site with a pipe in its seed', 'subdomains', 'MONTHLY', false, now()),
            (132, 'A plain site', 'subdomains', 'MONTHLY', false, now()),
            (133, 'A site with an accented host', 'subdomains', 'MONTHLY', false, now()),
            (134, 'A site typed in capitals', 'subdomains', 'MONTHLY', false, now()),
            (135, 'A broken IPv6 literal', 'subdomains', 'MONTHLY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (131, 131, 'http://pipes.example.org/a|b', 0, now()),
            (132, 132, 'http://plain.example.org/', 0, now()),
            (133, 133, 'http://café.example.org/', 0, now()),
            (134, 134, 'http://Capitals.Example.ORG/', 0, now()),
            (135, 135, 'http://[2001:db8::1/', 0, now());
        INSERT INTO collection_target (collection_id, target_id)
            SELECT min(collection_id), t FROM collection_target,
                   (VALUES (131), (132), (133), (134), (135)) v(t)
            GROUP BY t;
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    subdomains = json.loads((publish / "annotations.json").read_text())["collections"][
        "subdomains"]
    assert "http://plain.example.org/" in subdomains
    # URI.getHost() is null for café.example.org (verdicts.tsv), so the key never matched a
    # record, whose host the crawler fetched as IDNA; in IDNA, getHost() gives that host
    assert "http://xn--caf-dma.example.org/" in subdomains and not any(
        "café" in key for key in subdomains), sorted(subdomains)
    java = dict(line.split("\t") for line in VERDICTS.read_text(encoding="utf-8").split("\n")
                if line)
    assert java["http://café.example.org/"] == "host null"
    assert java["http://xn--caf-dma.example.org/"] == "host xn--caf-dma.example.org"
    # the record's host is lowercase (UsableURIFactory), compared case-sensitively
    assert "http://capitals.example.org/" in subdomains
    assert java["http://Example.ORG/"] == "host Example.ORG"
    assert all(java_uri_accepts(key) for key in subdomains), sorted(subdomains)
    left_out = result.asset_materializations_for_node(
        "webarchive__list__access_lists")[0].metadata["seeds_left_out"].value
    assert "target 131 seed 'http://pipes.example.org/a|b'" in left_out, left_out
    # urlsplit refuses it too: left out, never failing the lists (and their take-downs)
    assert "target 135 seed 'http://[2001:db8::1/'" in left_out, left_out

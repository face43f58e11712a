"""W3ACT seeds as its real schema and validation let them in (ukwa/w3act e78d492:
``Utils.validUrl`` is ``^https?://\\S+$``, ``FieldUrl`` parses with ``java.net.URL``), through
access_lists, judged by pywb's own AccessChecker, Heritrix's SURT-prefix reading of
allows.txt, and what production's python-w3act (ukwa/python-w3act ac4aa47) makes of the same
rows."""

from pathlib import Path

from maint_assets_tests.webarchive.consumers import SurtPrefixSet
from maint_assets_tests.webarchive.servers import pywb_access
from maint_assets_tests.webarchive.test_access_lists_w3act_legacy_rows import _run


def test_a_seed_w3act_accepts_but_no_url_parser_can_key_does_not_stop_the_lists(
    empty_db: str, tmp_path: Path
) -> None:
    """W3ACT saves any ``^https?://\\S+$`` that java.net.URL parses: a port typo out of range
    (``:80800``) and an IPv6 literal both pass (``new URL(...)`` accepts them, port 80800
    included). urlsplit and surt raise ValueError on them, which is not UnusableSeed: the
    run failed, so the published lists stayed frozen, the new NEVERCRAWL block below
    included, until someone found the row."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (60, 'Licensed, port typo', 'root', 'MONTHLY', false, now()),
            (61, 'Licensed, IPv6 literal', 'root', 'MONTHLY', false, now()),
            (62, 'Blocked today', 'root', 'NEVERCRAWL', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (60, 60, 'http://www.example.co.uk:80800/', 0, now()),
            (61, 61, 'http://[2001:db8::1]/archive/', 0, now()),
            (62, 62, 'http://data.gov.uk/takedown/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (60), (61)) v(t);
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    left_out = result.asset_materializations_for_node(
        "webarchive__list__access_lists")[0].metadata["seeds_left_out"].value
    assert "target 60" in left_out and "target 61" in left_out
    urls = ["http://data.gov.uk/takedown/", "http://data.gov.uk/takedown/page.html"]
    assert pywb_access(publish / "allows.aclj", urls) == dict.fromkeys(urls, "block")


def test_a_bare_twitter_seed_opens_only_its_own_account(empty_db: str, tmp_path: Path) -> None:
    """python-w3act, which builds production's lists, refuses a target whose seed is a bare
    Twitter URL (``load_csv``: "Bare Twitter URLs are not allowed", pattern
    ``https?://[\\w.]*twitter\\.com/[a-zA-Z0-9_?=]{0,15}$``): as a root prefix,
    ``twitter.com/BBCNews`` starts every account whose handle starts with BBCNews, other
    people's accounts, which their licence does not cover. Here it opened them in pywb and in
    allows.txt; and ``https://twitter.com/`` (a licensed target's seed) opened all of
    Twitter."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (70, 'BBC News on Twitter', 'root', 'DAILY', false, now()),
            (71, 'Twitter, seed without a handle', 'root', 'DAILY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (70, 70, 'https://twitter.com/BBCNews', 0, now()),
            (71, 71, 'https://twitter.com/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (70), (71)) v(t);
    """)
    assert result.success
    others = ["https://twitter.com/BBCNewsLeaks/status/1", "https://twitter.com/BBCNews_fake",
              "https://twitter.com/someone_else"]
    assert pywb_access(publish / "allows.aclj", others) == dict.fromkeys(others, "block")
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert [u for u in others if allows.is_open_access(u)] == []


def test_a_nevercrawl_seed_with_a_star_blocks_everything_it_starts(
    empty_db: str, tmp_path: Path
) -> None:
    """W3ACT saves ``http://data.gov.uk/private/*`` as typed (``Utils.validUrl`` is
    ``^https?://\\S+$``, ``FieldUrl`` only trims it); none of W3ACT, python-w3act or
    ukwa-manage gives ``*`` a meaning, and pywb's AccessChecker knows no wildcard but the
    ``*,`` key, so ``…)/private/*`` blocked only URLs with a literal star: the take-down did
    not take effect, while the open data.gov.uk (subdomains) and an open seed under the
    starred path served everything. (production's python-w3act leaves such a seed out of
    never_crawl.surts altogether: ``*`` is not in its RE_NONCHARS set.) A star mid-path
    blocks from there (more than meant, never less), a star in the host (``*.site``, which
    ``java.net.URL`` parses too) every host of the domain after it. The rows are invented for
    this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (80, 'Take-down, a directory and below', 'root', 'NEVERCRAWL', false, now()),
            (81, 'Take-down, a path prefix', 'resource', 'NEVERCRAWL', false, now()),
            (82, 'Take-down, a whole site', 'subdomains', 'NEVERCRAWL', false, now()),
            (83, 'Licensed page under the taken-down path', 'root', 'MONTHLY', false, now()),
            (85, 'Take-down, every host of a domain', 'root', 'NEVERCRAWL', false, now()),
            (86, 'Take-down, a star mid-path', 'resource', 'NEVERCRAWL', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (80, 80, 'http://data.gov.uk/private/*', 0, now()),
            (81, 81, 'https://www.iana.org/domains/reserved*', 0, now()),
            (82, 82, 'http://example.com/*', 0, now()),
            (83, 83, 'http://data.gov.uk/private/annex/', 0, now()),
            (85, 85, 'https://*.ckan.data.gov.uk/', 0, now()),
            (86, 86, 'http://www.gnu.org/software/wget/warc/*/draft.html', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 83 FROM license_target LIMIT 1;
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    blocked = [
        "http://data.gov.uk/private/", "http://data.gov.uk/private",
        "https://www.data.gov.uk/private/report.pdf", "http://data.gov.uk/private/?page=2",
        "http://data.gov.uk/private/annex/", "http://data.gov.uk/private/annex/x.html",
        "https://www.iana.org/domains/reserved", "http://iana.org/domains/reserved-names",
        "http://example.com/", "https://www.example.com/page", "http://sub.example.com/",
        "http://a.ckan.data.gov.uk/dataset/x", "http://ckan.data.gov.uk/",
        "http://www.gnu.org/software/wget/warc/v1/draft.html",
    ]
    still_open = ["http://data.gov.uk/privacy", "http://data.gov.uk/data",
                  "http://sub.data.gov.uk/",
                  "https://www.iana.org/domains/root", "https://www.iana.org/"]
    assert pywb_access(publish / "allows.aclj", blocked + still_open) == {
        **dict.fromkeys(blocked, "block"), **dict.fromkeys(still_open, "allow")}
    # allows.txt cannot except a block inside an open target (data.gov.uk, iana.org stay
    # open there), but the licensed seed under the take-down must not be opened by itself.
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert "http://(uk,gov,data,)/private/annex/" not in (publish / "allows.txt").read_text()
    assert not allows.is_open_access("http://example.com/")


def test_a_bare_twitter_seed_keeps_its_whole_target_closed_but_not_its_take_down(
    empty_db: str, tmp_path: Path
) -> None:
    """python-w3act's load_csv deletes a target with a bare Twitter seed from everything it
    builds ("Bare Twitter URLs are not allowed"): its other seeds are not opened either (run
    on these rows, its gen-oa-acl has no bbc.co.uk rule). Here only the bare seed was left
    out, so the rest of an invalid target was opened. A NEVERCRAWL target with such a seed,
    which python-w3act also drops (from never_crawl.surts), stays blocked here: a take-down
    must take effect. Rows invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (70, 'BBC News on Twitter and its site', 'root', 'DAILY', false, now()),
            (73, 'Take-down of a Twitter account', 'root', 'NEVERCRAWL', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (70, 70, 'https://twitter.com/BBCNews', 0, now()),
            (71, 70, 'https://www.bbc.co.uk/news/', 1, now()),
            (73, 73, 'https://twitter.com/leaker', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 70 FROM license_target LIMIT 1;
    """)
    assert result.success
    left_out = result.asset_materializations_for_node(
        "webarchive__list__access_lists")[0].metadata["seeds_left_out"].value
    assert "'https://www.bbc.co.uk/news/'" in left_out
    closed = ["https://www.bbc.co.uk/news/", "https://www.bbc.co.uk/news/uk-1",
              "https://twitter.com/leaker", "https://twitter.com/leaker/status/1"]
    assert pywb_access(publish / "allows.aclj", closed) == dict.fromkeys(closed, "block")
    assert "bbc" not in (publish / "allows.txt").read_text()


def test_a_bare_x_com_handle_opens_its_own_account_only(empty_db: str, tmp_path: Path) -> None:
    """python-w3act's bare-Twitter rule names twitter.com only (its last commit, ac4aa47,
    predates x.com as Twitter's address): run on this row it opens ``com,x)/bbcnews`` as a
    prefix, in allows.aclj and allows.txt, which starts every other handle beginning with
    BBCNews. Production keeps the account open, so it stays open here, but as the account:
    the handle and what lies below it. Row invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (72, 'BBC News on X', 'root', 'DAILY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (72, 72, 'https://x.com/BBCNews', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 72 FROM license_target LIMIT 1;
    """)
    assert result.success
    own = ["https://x.com/BBCNews", "https://x.com/BBCNews/status/1", "https://x.com/BBCNews/",
           "https://x.com/bbcnews?lang=en"]
    others = ["https://x.com/BBCNewsLeaks/status/1", "https://x.com/BBCNews_fake",
              "https://x.com/someone_else"]
    assert pywb_access(publish / "allows.aclj", own + others) == {
        **dict.fromkeys(own, "allow"), **dict.fromkeys(others, "block")}
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert [u for u in others if allows.is_open_access(u)] == []
    assert allows.is_open_access("https://x.com/BBCNews/status/1")


def test_a_subdomains_seed_with_a_path_opens_that_path_not_the_whole_site(
    empty_db: str, tmp_path: Path
) -> None:
    """A curator may give a path seed the subdomains scope (an account on a shared site).
    python-w3act (generate_acl) widens only a seed with no path to the host's subdomains;
    run on these rows it opens ``com,twitter)/bbcnews`` and ``uk,gov,blog)/news``, never the
    host. Here the scope made it the whole host and its subdomains: every Twitter account
    was opened. Rows invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (90, 'BBC News account, subdomains', 'subdomains', 'DAILY', false, now()),
            (91, 'A blog section, subdomains', 'subdomains', 'DAILY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (90, 90, 'https://twitter.com/BBCNews/', 0, now()),
            (91, 91, 'https://www.blog.gov.uk/news/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (90), (91)) v(t);
    """)
    assert result.success
    opened = ["https://twitter.com/BBCNews/status/1", "https://twitter.com/BBCNews",
              "https://blog.gov.uk/news/2020/x", "https://www.blog.gov.uk/news/"]
    closed = ["https://twitter.com/someone_else", "https://twitter.com/",
              "https://mobile.twitter.com/someone_else", "https://www.blog.gov.uk/private/",
              "https://other.blog.gov.uk/"]
    assert pywb_access(publish / "allows.aclj", opened + closed) == {
        **dict.fromkeys(opened, "allow"), **dict.fromkeys(closed, "block")}
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert [u for u in closed if allows.is_open_access(u)] == []
    assert allows.is_open_access("https://twitter.com/BBCNews/status/1")


def test_a_seed_whose_page_lies_in_its_fragment_opens_no_whole_site(
    empty_db: str, tmp_path: Path
) -> None:
    """Every key drops a URL's fragment. Twitter's and Facebook's old hashbang URLs
    (``https://twitter.com/#!/BBCNews``) put the account in it, so the seed was keyed as the
    host and opened all of twitter.com and facebook.com; ``twitter.com/BBCNews#tweets`` opened
    every handle starting with BBCNews. W3ACT saves both (``^https?://\\S+$``); production's
    python-w3act, run on them, leaves the hashbang seeds out (``!`` is not in its
    RE_NONCHARS set). Rows invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (92, 'BBC News on Twitter, 2011 URL', 'root', 'DAILY', false, now()),
            (93, 'BBC News on Facebook, 2011 URL', 'root', 'DAILY', false, now()),
            (94, 'BBC News on Twitter, with a fragment', 'root', 'DAILY', false, now()),
            (95, 'BBC News on X, with a fragment', 'root', 'DAILY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (92, 92, 'https://twitter.com/#!/BBCNews', 0, now()),
            (93, 93, 'http://www.facebook.com/#!/bbcnews', 0, now()),
            (94, 94, 'https://twitter.com/BBCNews#tweets', 0, now()),
            (95, 95, 'https://x.com/BBCNews#media', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (92), (93), (94), (95)) v(t);
    """)
    assert result.success
    others = ["https://twitter.com/someone_else", "https://twitter.com/",
              "https://www.facebook.com/someone", "https://twitter.com/BBCNewsLeaks/status/1",
              "https://x.com/BBCNewsLeaks"]
    assert pywb_access(publish / "allows.aclj", others) == dict.fromkeys(others, "block")
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert [u for u in others if allows.is_open_access(u)] == []
    assert pywb_access(publish / "allows.aclj", ["https://x.com/BBCNews/media"]) == {
        "https://x.com/BBCNews/media": "allow"}


def test_a_hashbang_take_down_blocks_its_page_not_every_open_account(
    empty_db: str, tmp_path: Path
) -> None:
    """A NEVERCRAWL seed in Twitter's old hashbang form (``https://twitter.com/#!/leaker``)
    was keyed without its fragment, as the host: it blocked all of twitter.com, and every
    licensed account on it was written as a block. It blocks the page its fragment names.
    Rows invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (96, 'Take-down of an account, 2011 URL', 'root', 'NEVERCRAWL', false, now()),
            (97, 'BBC News on Twitter', 'root', 'DAILY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (96, 96, 'https://twitter.com/#!/leaker', 0, now()),
            (97, 97, 'https://twitter.com/BBCNews/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 97 FROM license_target LIMIT 1;
    """)
    assert result.success
    blocked = ["https://twitter.com/leaker", "https://twitter.com/leaker/status/1"]
    opened = ["https://twitter.com/BBCNews/status/1", "https://twitter.com/BBCNews"]
    assert pywb_access(publish / "allows.aclj", blocked + opened) == {
        **dict.fromkeys(blocked, "block"), **dict.fromkeys(opened, "allow")}
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert allows.is_open_access("https://twitter.com/BBCNews/status/1")


def test_a_hashbang_take_down_with_a_path_blocks_the_seeds_own_page_too(
    empty_db: str, tmp_path: Path
) -> None:
    """A crawler drops the fragment, so what it captured for the take-down
    ``http://data.gov.uk/app/#!/report`` is keyed ``uk,gov,data)/app/``. The seed was
    rewritten to the fragment's page alone (``/report``), which left ``/app/`` served by the
    open data.gov.uk (subdomains): a take-down that closed less than its seed. Its path is
    kept, with the fragment's page (read from the host, as Twitter's ``/#!/x`` means ``/x``,
    and from the seed's directory, as an AngularJS app's ``/app/#!/x`` means ``/app/x``) as
    extra rules. With the ``subdomains`` scope, a rewritten ``twitter.com/#!/leaker`` kept
    it and closed every Twitter account (python-w3act widens to subdomains only a seed
    without a path: generate/acls.py ``re.match(r'^http:\\/\\/[^\\/]+$', act_surt)``). A
    hashbang seed at the host's root does not close the home page (see
    ``test_a_root_hashbang_take_down_blocks_its_pages_not_the_home_page``). Rows invented for
    this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (100, 'Take-down in a hashbang app', 'root', 'NEVERCRAWL', false, now()),
            (101, 'Take-down of one hashbang page', 'resource', 'NEVERCRAWL', false, now()),
            (102, 'Take-down of an account, 2011 URL', 'subdomains', 'NEVERCRAWL', false,
             now()),
            (103, 'BBC News on Twitter', 'root', 'DAILY', false, now()),
            (104, 'Take-down of a hashbang page at the root', 'root', 'NEVERCRAWL', false,
             now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (104, 104, 'http://data.gov.uk/#!/hidden', 0, now()),
            (100, 100, 'http://data.gov.uk/app/#!/report', 0, now()),
            (101, 101, 'http://data.gov.uk/viewer/page#!chart', 0, now()),
            (102, 102, 'https://twitter.com/#!/leaker', 0, now()),
            (103, 103, 'https://twitter.com/BBCNews/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 103 FROM license_target LIMIT 1;
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    blocked = [
        "http://data.gov.uk/app/", "http://data.gov.uk/app", "http://data.gov.uk/app/?x=1",
        "http://data.gov.uk/app/index.html", "http://data.gov.uk/report",
        "http://data.gov.uk/app/report", "http://data.gov.uk/viewer/page",
        "http://data.gov.uk/chart", "http://data.gov.uk/viewer/chart",
        "https://twitter.com/leaker", "https://twitter.com/leaker/status/1",
        "http://data.gov.uk/hidden",
    ]
    still_open = ["http://data.gov.uk/data", "http://data.gov.uk/?page=2", "http://data.gov.uk/",
                  "http://data.gov.uk/viewer/other", "https://twitter.com/BBCNews/status/1"]
    assert pywb_access(publish / "allows.aclj", blocked + still_open) == {
        **dict.fromkeys(blocked, "block"), **dict.fromkeys(still_open, "allow")}
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert allows.is_open_access("https://twitter.com/BBCNews/status/1")


def test_a_root_hashbang_take_down_blocks_its_pages_not_the_home_page(
    empty_db: str, tmp_path: Path
) -> None:
    """What a crawler holds for ``http://data.gov.uk/#!/hidden``: Heritrix drops the fragment
    (webarchive-commons 3921259 ``UsableURIFactory`` "discards any 'fragment'/anchor"), and
    ukwa-heritrix's ``WrenderProcessor`` (87a82a0) has the browser render ``curi.getURI()``,
    that fragment-less URI: the capture is the home page, the same bytes whatever the
    fragment (a browser never sends it), so it does not hold the hidden page. None of
    heritrix3 (5ada2a7), ukwa-heritrix, webarchive-commons or pywb rewrites ``#!`` into
    Google's ``?_escaped_fragment_=`` (no such string in their code), but a site using that
    scheme links its snapshots so, and Heritrix follows links: such a capture is the hidden
    page itself, and pywb serves it by its own URL. The take-down blocked the home page
    (open under data.gov.uk otherwise) and left the snapshots served. Rows invented for this
    test, in W3ACT's real schema; the data.gov.uk target (subdomains) is the demo rows'."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (104, 'Take-down of a hashbang page at the root', 'root', 'NEVERCRAWL', false,
             now()),
            (105, 'Take-down of one hashbang page', 'resource', 'NEVERCRAWL', false, now()),
            (106, 'Take-down typed as a snapshot', 'root', 'NEVERCRAWL', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (104, 104, 'http://data.gov.uk/#!/hidden', 0, now()),
            (105, 105, 'http://data.gov.uk/viewer/page?id=3#!chart', 0, now()),
            (106, 106, 'http://data.gov.uk/typed?_escaped_fragment_=x', 0, now());
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    blocked = [
        "http://data.gov.uk/hidden", "http://data.gov.uk/hidden/more",
        "http://data.gov.uk/?_escaped_fragment_=/hidden",
        "https://www.data.gov.uk/?_escaped_fragment_=%2Fhidden",
        "http://data.gov.uk/?_escaped_fragment_=/hidden/more&lang=en",
        "http://data.gov.uk/viewer/page?id=3&_escaped_fragment_=chart",
        "http://data.gov.uk/viewer/page?_escaped_fragment_=chart&id=3&lang=en",
        # typed so, it is widened as any seed with a query: an argument sorting first
        "http://data.gov.uk/typed?0=1&_escaped_fragment_=x",
    ]
    still_open = ["http://data.gov.uk/", "http://www.data.gov.uk/", "http://data.gov.uk/?page=2",
                  "http://data.gov.uk/?_escaped_fragment_=/other",
                  "http://data.gov.uk/viewer/other?id=3"]
    assert pywb_access(publish / "allows.aclj", blocked + still_open) == {
        **dict.fromkeys(blocked, "block"), **dict.fromkeys(still_open, "allow")}


def test_a_star_inside_a_host_blocks_the_hosts_it_starts_never_a_whole_tld(
    empty_db: str, tmp_path: Path
) -> None:
    """``http://example*.com/x`` was blocked as everything after the star, ``com`` with its
    subdomains: every .com page in the archive closed (blocks win over allows), an open
    www.other.com included. A star inside a label blocks the SURT prefix up to it
    (``com,example``: the hosts starting with ``example`` under .com, a prefix pywb's
    AccessChecker applies as it is). Rows invented for this test, in W3ACT's real schema
    (W3ACT keeps the star: ``Utils.validUrl`` is ``^https?://\\S+$``)."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (110, 'Take-down, hosts starting like a name', 'root', 'NEVERCRAWL', false, now()),
            (111, 'Another .com site', 'root', 'MONTHLY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (110, 110, 'http://www.example*.com/x', 0, now()),
            (111, 111, 'http://www.other.com/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 111 FROM license_target LIMIT 1;
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    blocked = ["http://example.com/", "http://www.examplefoo.com/page",
               "https://example-site.com/", "http://sub.examples.com/x"]
    still_open = ["http://www.other.com/", "http://other.com/page", "https://www.iana.org/"]
    assert pywb_access(publish / "allows.aclj", blocked + still_open) == {
        **dict.fromkeys(blocked, "block"), **dict.fromkeys(still_open, "allow")}


def test_a_take_down_no_key_can_hold_fails_the_lists_and_keeps_the_last_ones(
    empty_db: str, tmp_path: Path
) -> None:
    """``http://www.*.com/`` was blocked as ``com)/``, ``com,``, ``com:``: every .com page
    closed by one typo. What is left of it, ``com``, is a public suffix, as for
    ``http://*.co.uk/``, and ``http://*/`` names no host at all: no block can say what they
    mean. Such a take-down, like one no URL parser can key, was only warned about while the
    lists were published without it. It fails the run, naming the seed, and the lists
    published before stay current (an open seed that cannot be keyed is still only left
    out). Rows invented for this test, in W3ACT's real schema."""
    good, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (111, 'A .com site', 'root', 'MONTHLY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (111, 111, 'http://www.other.com/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, 111 FROM license_target LIMIT 1;
    """)
    assert good.success
    before = (publish / "allows.aclj").read_text()
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (111, 'A .com site', 'root', 'MONTHLY', false, now()),
            (112, 'Take-down, a star for a name', 'root', 'NEVERCRAWL', false, now()),
            (113, 'Take-down, every host', 'root', 'NEVERCRAWL', false, now()),
            (114, 'Take-down, a public suffix', 'subdomains', 'NEVERCRAWL', false, now()),
            (115, 'Take-down, port typo', 'root', 'NEVERCRAWL', false, now()),
            (116, 'Licensed, port typo', 'root', 'MONTHLY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (111, 111, 'http://www.other.com/', 0, now()),
            (112, 112, 'http://www.*.com/', 0, now()),
            (113, 113, 'http://*/', 0, now()),
            (114, 114, 'http://*.co.uk/', 0, now()),
            (115, 115, 'http://leak.example.co.uk:80800/', 0, now()),
            (116, 116, 'http://www.example.co.uk:80800/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (111), (116)) v(t);
    """)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.message
    for seed in ("'http://www.*.com/'", "'http://*/'", "'http://*.co.uk/'",
                 "'http://leak.example.co.uk:80800/'"):
        assert seed in failure
    assert "'http://www.example.co.uk:80800/'" not in failure
    assert (publish / "allows.aclj").read_text() == before
    assert pywb_access(publish / "allows.aclj", ["http://www.other.com/"]) == {
        "http://www.other.com/": "allow"}


def test_a_star_over_a_platforms_suffix_blocks_the_platform_and_publishes(
    empty_db: str, tmp_path: Path
) -> None:
    """``http://*.blogspot.com/`` and ``https://*.github.io/`` were refused like
    ``http://*.co.uk/``: ``blogspot.com`` is a public suffix in the list's private section
    (tldextract's bundled copy), and a take-down no key can hold fails the run, so one such
    W3ACT entry stopped every list update, other take-downs included. Those suffixes are
    keyable (``com,blogspot)/``, ``com,blogspot,``); blocked, every blog goes dark, an open
    one too: more than meant, the safe side of a take-down, and named in a warning and the
    metadata (``platform_wide_blocks``), some such suffixes being shared by many owners
    (``service.gov.uk``). ICANN's suffixes (``co.uk``) stay refused (test above). Rows
    invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (117, 'Take-down, every blog', 'root', 'NEVERCRAWL', false, now()),
            (118, 'Take-down, every project page', 'subdomains', 'NEVERCRAWL', false, now()),
            (119, 'A licensed blog', 'root', 'MONTHLY', false, now()),
            (120, 'Take-down, every GOV.UK service', 'subdomains', 'NEVERCRAWL', false, now()),
            (111, 'A .com site', 'root', 'MONTHLY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (117, 117, 'http://*.blogspot.com/', 0, now()),
            (118, 118, 'https://*.github.io/', 0, now()),
            (119, 119, 'https://someblog.blogspot.com/', 0, now()),
            (120, 120, 'https://service.gov.uk/', 0, now()),
            (111, 111, 'http://www.other.com/', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (111), (119)) v(t);
    """)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    blocked = ["https://someblog.blogspot.com/2020/01/post.html", "http://blogspot.com/",
               "http://other.blogspot.com/", "https://someone.github.io/project/"]
    still_open = ["http://www.other.com/", "http://other.com/page"]
    assert pywb_access(publish / "allows.aclj", blocked + still_open) == {
        **dict.fromkeys(blocked, "block"), **dict.fromkeys(still_open, "allow")}
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert not allows.is_open_access("https://someblog.blogspot.com/2020/01/post.html")
    platforms = result.asset_materializations_for_node(
        "webarchive__list__access_lists")[0].metadata["platform_wide_blocks"].value
    assert "target 117 seed 'http://*.blogspot.com/': blocks every site under blogspot.com" in (
        platforms), platforms
    assert "target 118 seed 'https://*.github.io/'" in platforms, platforms
    # no star, but its scope blocks every host of a suffix the list gives many owners
    assert "target 120 seed 'https://service.gov.uk/': blocks every site under service.gov.uk" in (
        platforms), platforms
    assert "target 111" not in platforms


def test_the_x_com_host_itself_is_not_opened_whole(empty_db: str, tmp_path: Path) -> None:
    """``https://twitter.com/`` as an open seed is refused (a bare Twitter URL), but
    ``https://x.com/`` and ``https://x.com`` were opened as ``com,x)/``: every X account.
    They are refused the same way. Rows invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (120, 'X, seed without a handle', 'root', 'DAILY', false, now()),
            (121, 'X, seed without a slash', 'subdomains', 'DAILY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (120, 120, 'https://x.com/', 0, now()),
            (121, 121, 'https://x.com', 0, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (120), (121)) v(t);
    """)
    assert result.success
    left_out = result.asset_materializations_for_node(
        "webarchive__list__access_lists")[0].metadata["seeds_left_out"].value
    assert "'https://x.com/'" in left_out and "'https://x.com'" in left_out
    others = ["https://x.com/someone_else", "https://x.com/", "https://mobile.x.com/BBCNews"]
    assert pywb_access(publish / "allows.aclj", others) == dict.fromkeys(others, "block")
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert [u for u in others if allows.is_open_access(u)] == []


def test_a_twitter_seed_python_w3act_keeps_does_not_close_its_targets_other_seeds(
    empty_db: str, tmp_path: Path
) -> None:
    """python-w3act drops a whole target only when a seed matches its own pattern
    (w3act/dbc/client.py ``load_csv``, ``bare_twit``:
    ``https?:\\/\\/[\\w.]*twitter\\.com\\/[a-zA-Z0-9_?=]{0,15}$``: at most 15 characters
    after the slash, ``?`` and ``=`` counted, no ``&``). ``twitter.com/BBCNews?lang=en&s=09``
    and ``twitter.com/SomeHandle12345?ref_src=twsrc`` do not match it, so production opens
    their targets' other seeds; here the broader per-seed rule dropped those targets whole.
    The Twitter seeds themselves are still refused (each would open every handle starting
    like it). Rows invented for this test, in W3ACT's real schema."""
    result, publish = _run(empty_db, tmp_path, """
        INSERT INTO target (id, title, scope, crawl_frequency, hidden, updated_at) VALUES
            (130, 'BBC News, Twitter with a query, and its site', 'root', 'DAILY', false,
             now()),
            (131, 'A long handle with a query, and its site', 'root', 'DAILY', false, now());
        INSERT INTO field_url (id, target_id, url, position, updated_at) VALUES
            (130, 130, 'https://twitter.com/BBCNews?lang=en&s=09', 0, now()),
            (131, 130, 'https://www.bbc.co.uk/news/', 1, now()),
            (132, 131, 'https://twitter.com/SomeHandle12345?ref_src=twsrc', 0, now()),
            (133, 131, 'https://www.somehandle.org.uk/', 1, now());
        INSERT INTO license_target (license_id, target_id)
            SELECT license_id, t FROM (SELECT license_id FROM license_target LIMIT 1) l,
                 (VALUES (130), (131)) v(t);
    """)
    assert result.success
    opened = ["https://www.bbc.co.uk/news/uk-1", "https://www.somehandle.org.uk/about"]
    closed = ["https://twitter.com/BBCNewsLeaks?lang=en&s=09",
              "https://twitter.com/SomeHandle123456?ref_src=twsrc"]
    assert pywb_access(publish / "allows.aclj", opened + closed) == {
        **dict.fromkeys(opened, "allow"), **dict.fromkeys(closed, "block")}
    allows = SurtPrefixSet((publish / "allows.txt").read_text())
    assert all(allows.is_open_access(u) for u in opened)

"""What a W3ACT target's scope covers, written in the two forms its consumers read.

W3ACT's scopes (``uk.bl.Const.ScopeType``): ``resource`` "Just this URL", ``root`` "All URLs
that start like this", ``plus1`` "This URL plus any directly linked resources" (for access: the
URL and what starts like it, as ``root``; the linked resources of other sites are not licensed),
``subdomains`` "All URLs that match this host or any subdomains".

pywb (``allows.aclj``, ``pywb/warcserver/access_checker.py``): a rule's key is matched as a prefix
of the URL's key in pywb's SURT form (no scheme, a leading ``www``/``www2``… dropped, lowercase,
no trailing slash, query sorted), or exactly when it ends with ``###``; the longest match wins.
So a host needs ``org,iana)/`` (the host itself, any path) and ``org,iana,`` (its subdomains) and
``org,iana:`` (other ports): the bare ``org,iana`` would also open ``ianafoo.org``. A directory
seed keeps its slash (``org,archive)/images/``), with an exact rule for the seed itself, whose
pywb key has lost it, and a prefix for the seed with a query (``org,archive)/images?``).

Heritrix (``allows.txt``, read by webarchive-discovery's ``Annotator`` through Heritrix's
``SurtPrefixSet``): prefixes of the Heritrix SURT form of a URL, ``http://(org,iana,www,)/path``
(scheme http for https too, a comma after every host label, ``www`` kept, a dotted-quad host
not reversed, IDN hosts in punycode, lowercase, slash kept). ``http://(org,iana,`` is a host
and all its subdomains and ports; ``http://(org,iana,)/`` the host alone. A host opened in pywb
is opened in Heritrix with and without ``www.``. webarchive-discovery computes a record's form
two ways: the indexer (``WARCIndexer.parseURL``) escapes the already escaped URL once more
(``%c3%a9`` becomes ``%25c3%25a9``, ``|`` ``%7c``), re-annotation (``Annotator.main``) does
not; a seed whose two forms differ is written in both. What Heritrix's own code makes of these
URLs is ``maint_assets_tests/data/heritrix-surt``.

What the formats cannot say alike (the tests list each case): pywb cannot tell ``/about`` from
``/about/`` nor ``www2.`` from ``www.``; a SURT-prefix file cannot say "exactly this URL" (a
``resource`` seed also opens what starts like it in ``allows.txt``) nor "except this" (a blocked
target inside an open one stays open for the Solr side; pywb, the access gate, blocks it).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import surt
import tldextract

SCOPES = ("resource", "root", "plus1", "subdomains")
EXACT = "###"  # pywb's AccessChecker.EXACT_SUFFIX
_WWW = re.compile(r"^www\d*\.")
_DOTTED_QUAD = re.compile(r"(\d{1,3}\.){3}\d{1,3}")  # Heritrix's SURT.URI_SPLITTER
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Twitter itself or one account, no slash after the handle (at most 15 word characters, a
# query allowed): a root prefix of it starts every longer handle. A fragment is dropped from
# every key, so ``twitter.com/BBCNews#tweets`` and the old ``twitter.com/#!/BBCNews`` are bare too.
# Broader than python-w3act's rule (below): used to refuse one open seed, never its target.
_BARE_TWITTER = re.compile(
    r"https?://([\w-]+\.)*twitter\.com/\w{0,15}(\?[^#\s]*)?(#\S*)?", re.IGNORECASE)
# python-w3act's own rule, character for character (ukwa/python-w3act ac4aa47,
# w3act/dbc/client.py:345, in load_csv):
#     bare_twit = re.compile("https?:\/\/[\w.]*twitter\.com\/[a-zA-Z0-9_?=]{0,15}$")
#     ...
#             if bare_twit.match(url):
# A seed it matches makes production drop the whole target; 15 characters after the slash
# with ``?`` and ``=`` counted, no ``&``, case-sensitive.
_W3ACT_BARE_TWIT = re.compile(r"https?:\/\/[\w.]*twitter\.com\/[a-zA-Z0-9_?=]{0,15}$")
# An X account without its trailing slash: the same hazard, which python-w3act's rule (twitter.com
# only) does not name.
_BARE_X_ACCOUNT = re.compile(r"(https?://([\w-]+\.)*x\.com/\w{1,15})(#\S*)?", re.IGNORECASE)
# X itself, as ``_BARE_TWITTER`` refuses twitter.com itself: opened, it would open every account.
_X_HOST = re.compile(r"https?://([\w-]+\.)*x\.com/?(\?[^#\s]*)?(#\S*)?", re.IGNORECASE)
# ICANN's public suffixes (co.uk), from tldextract's bundled copy of the list: no fetch. Not
# the list's private ones (blogspot.com, github.io, service.gov.uk): each is a domain a key
# holds, so ``*.blogspot.com`` is blocked (every blog: more than meant, the safe side of a
# take-down, and warned of: ``platform_wide``), while refused it would fail the lists and hold
# up every other take-down until W3ACT is fixed. ``*.co.uk`` would close a country's .co.uk.
_SUFFIXES = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)
# With the private ones: a take-down blocking one whole (``platform_wide``) is warned of.
_PLATFORMS = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)
# What UsableURIFactory leaves unescaped (LaxURLCodec's sets, as Heritrix's output shows them).
_PRINTABLE = frozenset(chr(c) for c in range(33, 127)) - set("#")
_PATH_SAFE = _PRINTABLE - set('"<>[]^`{}')
_QUERY_SAFE = _PRINTABLE - set('"<>`\\')


class UnusableSeed(ValueError):
    pass


@dataclass(frozen=True)
class Grant:
    """The rules of one seed under its target's scope."""

    pywb: list[str] = field(default_factory=list)  # keys, exact ones ending in ###
    heritrix: list[str] = field(default_factory=list)  # SURT prefixes
    # A take-down's keys of hashbang snapshots (``_escaped_fragment_key``): prefixes with a
    # query that a block keeps as they are (``blocking`` would close the home page whole).
    snapshots: list[str] = field(default_factory=list)


def grant(url: str, scope: str) -> Grant:
    try:
        return _grant(url, scope)
    except UnusableSeed:
        raise
    except ValueError as err:
        # W3ACT keeps what java.net.URL parses (a port out of range, an IPv6 literal), which
        # urlsplit and surt refuse: one such seed is left out, it does not stop every run.
        raise UnusableSeed(f"cannot parse {url!r}: {err}") from err


def bare_twitter(url: str | None) -> bool:
    """A Twitter account without its trailing slash (or Twitter itself): as a prefix it also
    starts every other account whose handle starts like it. python-w3act (load_csv), which
    builds production's lists, refuses such a target ("Bare Twitter URLs are not allowed"),
    but by a narrower pattern (``w3act_drops_target``): this one (any case, subdomains with
    ``-``, a query of any length, a fragment) refuses the seed alone, never its target."""
    return bool(url and _BARE_TWITTER.fullmatch(url.strip()))


def w3act_drops_target(url: str | None) -> bool:
    """Whether python-w3act (load_csv) drops the whole target of this seed: its own pattern,
    applied as it applies it (``re.match`` on the URL as stored)."""
    return bool(url and _W3ACT_BARE_TWIT.match(url))


def as_open(url: str | None, scope: str) -> tuple[str | None, str]:
    """The seed and scope an open seed is opened as, so that it opens its own pages only:

    - a hashbang URL (``http://www.facebook.com/#!/bbcnews``) is left out: its page lies in
      the fragment, which no key keeps, so it would open the whole site (python-w3act leaves
      it out too: ``!`` is not in its RE_NONCHARS set);
    - an X account without its trailing slash, as the account's directory
      (``https://x.com/BBCNews/``: the handle, below it, with a query); production opens it as
      a prefix, which starts every handle beginning like it, and its bare-Twitter rule does not
      name x.com; X itself (``https://x.com/``) is refused, as twitter.com itself is;
    - a ``subdomains`` seed with a path (``https://twitter.com/BBCNews/``), as ``root``:
      production widens only a seed without a path to the host's subdomains; as subdomains
      it would open the whole shared site."""
    if url and "#!" in url:
        raise UnusableSeed("a hashbang URL: its page lies in the fragment, which no key keeps; "
                           "opened, it would open the whole site")
    if url and _X_HOST.fullmatch(url.strip()):
        raise UnusableSeed("X itself (no account): opened, it would open every account "
                           "(a bare twitter.com is refused too)")
    if url and (account := _BARE_X_ACCOUNT.fullmatch(url.strip())):
        url = account.group(1) + "/"
    if scope == "subdomains" and url:
        # A URL urlsplit refuses is grant's to report (UnusableSeed).
        with contextlib.suppress(ValueError):
            parts = urlsplit(url.strip() if "://" in url else f"http://{url.strip()}")
            if parts.path not in ("", "/") or parts.query:
                scope = "root"
    return url, scope


def block_rule(url: str | None, scope: str) -> Grant:
    """The rules of a NEVERCRAWL seed: a block may close more than the seed, never less.

    - A hashbang URL (``https://twitter.com/#!/leaker``): see ``_hashbang_readings`` and
      ``_escaped_fragment_key``. With no path before ``#!`` it is blocked as the page its
      fragment names (``twitter.com/leaker``; ``subdomains`` turned ``root``, as python-w3act
      widens only a seed without a path), not as the host's root page. With a path
      (``http://site/app/#!/x``) the seed is blocked by that path as any seed is, plus the
      fragment's page read from the host (``/x``, Twitter's reading) and from the seed's
      directory (``/app/x``, an AngularJS app's). Either way also as the snapshot Google's
      AJAX crawling scheme names (``…?_escaped_fragment_=/x``).
    - A ``*`` (``http://site/private/*``): curators write take-downs so and W3ACT keeps them
      as typed (``Utils.validUrl`` is ``^https?://\\S+$``), but no consumer reads ``*`` as a
      wildcard: pywb's AccessChecker only knows the ``*,`` key, so ``…)/private/*`` would
      block only URLs with a literal star. See ``_unstarred``.

    Raises UnusableSeed when no key can hold the seed: the caller must not publish without
    it."""
    readings = _hashbang_readings(url.strip(), scope) if url and "#!" in url else [(url, scope)]
    pywb: list[str] = []
    heritrix: list[str] = []
    for reading in readings:
        rule = _unstarred(*reading)
        pywb += [key for key in rule.pywb if key not in pywb]
        heritrix += [form for form in rule.heritrix if form not in heritrix]
    snapshot = _escaped_fragment_key(url.strip()) if url and "#!" in url else None
    return Grant(pywb, heritrix, [snapshot] if snapshot else [])


def _hashbang_readings(url: str, scope: str) -> list[tuple[str | None, str]]:
    site, _, page = url.partition("#!")
    try:
        parts = urlsplit(site if "://" in site else f"http://{site}")
    except ValueError:
        return [(url, scope)]  # grant's to report (UnusableSeed)
    page = page.lstrip("/")
    # as_open's rule: subdomains widens a host, never a page with a path or a query.
    page_scope = "root" if scope == "subdomains" and page else scope

    def at(path: str) -> str:
        return parts._replace(path=path, query="", fragment="").geturl()

    if parts.path in ("", "/"):
        # Not the host's root page, though that is where a crawler stored the seed: Heritrix
        # drops the fragment (webarchive-commons UsableURIFactory) and ukwa-heritrix's
        # WrenderProcessor renders that fragment-less URI, so the capture is the home page,
        # the same bytes whatever the fragment (a browser never sends it): it holds the
        # app, not the taken-down page. The page is held where a key can name it: its path
        # (Twitter served /#!/x as /x) and the scheme's snapshot (_escaped_fragment_key).
        # A fragment naming nothing (#!, #!/) is the home page: blocked as the host.
        return [(at("/" + page), page_scope)]
    directory = parts.path.rsplit("/", 1)[0] + "/"
    return [(site, scope), (at("/" + page), page_scope), (at(directory + page), page_scope)]


def _escaped_fragment_key(url: str) -> str | None:
    """The pywb key of the snapshot Google's AJAX crawling scheme gives a hashbang URL: its
    ``#!frag`` moved into the query as ``_escaped_fragment_=frag`` (after the URL's own
    arguments; %00-20, ``#``, ``%``, ``&``, ``+`` and non-ASCII escaped). No crawler of
    UKWA's makes that rewrite (heritrix3, ukwa-heritrix, webarchive-commons and pywb hold no
    ``_escaped_fragment_``), but the scheme's sites link their snapshots so and Heritrix
    follows links: such a capture is the page itself. Cut after the argument, a prefix:
    the same page with other arguments and the fragment's subpages too. None for a star
    before ``#!`` (its reading already blocks from the star) or an empty fragment (the
    page itself is blocked)."""
    site, _, fragment = url.partition("#!")
    fragment = fragment.split("*", 1)[0]
    if "*" in site or not fragment.strip("/"):
        return None
    value = "".join(c if 0x20 < ord(c) < 0x7F and c not in "#%&+" else quote(c, safe="")
                    for c in fragment)
    try:
        parts = urlsplit(site if "://" in site else f"http://{site}")
        query = (parts.query + "&" if parts.query else "") + "_escaped_fragment_=" + value
        key = surt.surt(parts._replace(query=query, fragment="").geturl())
    except ValueError:
        return None  # grant's to report (UnusableSeed)
    head, found, rest = key.partition("_escaped_fragment_=")
    return head + found + rest.split("&", 1)[0] if found else None


def _unstarred(url: str | None, scope: str) -> Grant:
    """A seed with a star blocked as what precedes the first star, at least as ``root``
    (``subdomains`` kept). A star in the host: in the leftmost labels (``*.ckan.site.org``,
    ``www.*.site.org``), every host of the domain after the starred label; inside a label
    (``site*.com``), the SURT prefix up to the star (``com,site``: every host whose label
    starts so, with its subdomains: pywb applies a rule's key as a plain prefix). A star
    that leaves an ICANN public suffix, a single label or nothing (``http://www.*.com/``,
    ``http://*.co.uk/``, ``http://*/``) is refused: blocked, it would close a whole TLD. One
    that leaves a private suffix (``http://*.blogspot.com/``) blocks that platform whole
    (see ``_SUFFIXES``)."""
    if not url or "*" not in url:
        return grant(url or "", scope)
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "*" not in authority:
        return grant(url[: url.index("*")], scope if scope == "subdomains" else "root")
    host = re.sub(r":[^:\]]*$", "", authority.rpartition("@")[2]).lower().rstrip(".")
    labels = host.split(".")
    if "*" not in host:  # in the user or the port, which no key keeps: grant's to judge
        return grant(url, scope)
    starred = max(i for i, label in enumerate(labels) if "*" in label)
    start, suffix = labels[starred].split("*", 1)[0], ".".join(labels[starred + 1:])
    if not suffix or (not start and (
            "." not in suffix or _SUFFIXES(suffix).suffix == suffix)):
        left = repr(suffix) if suffix else "no domain"
        raise UnusableSeed(f"the star in its host leaves {left}: blocked, it would close "
                           "every site under it")
    if not start:
        return grant(f"{scheme}://{suffix}/", "subdomains")
    if not start.isascii() or _WWW.match(start + "."):
        # A part of a label has no punycode of its own, and pywb drops a leading www.
        raise UnusableSeed(f"the star in its host follows {start!r}, which no key can start")
    try:
        reversed_suffix = ",".join(reversed(suffix.encode("idna").decode("ascii").split(".")))
    except UnicodeError as err:
        raise UnusableSeed(f"cannot key the host {host!r}: {err}") from err
    prefix = f"{reversed_suffix},{start}"
    return Grant([prefix], [f"http://({prefix}"])


def platform_wide(keys: list[str]) -> str | None:
    """The public suffix whose every host one of a take-down's ``keys`` blocks (a domain
    prefix, ``com,blogspot,``), to be warned of, as more than a take-down usually means:
    ``*.blogspot.com`` (every blog), ``www.*.blogspot.com``, or ``https://service.gov.uk/``
    under the subdomains scope (every GOV.UK service, many owners)."""
    for key in keys:
        if key.endswith(",") and ")" not in key:
            host = ".".join(reversed(key.rstrip(",").split(",")))
            if _PLATFORMS(host).suffix == host:
                return host
    return None


def _grant(url: str, scope: str) -> Grant:
    if scope not in SCOPES:
        raise UnusableSeed(f"unknown scope {scope!r}")
    if not url:  # field_url.url is nullable
        raise UnusableSeed("no URL")
    parts = urlsplit(url.strip() if "://" in url else f"http://{url.strip()}")
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.scheme not in ("http", "https"):
        raise UnusableSeed(f"not an http(s) URL: {url!r}")
    base = _WWW.sub("", host)
    host_key = surt.surt(f"http://{base}/").split(")", 1)[0]
    # An address has no www. to add or drop.
    hosts = [host] if _DOTTED_QUAD.fullmatch(host) else sorted({base, f"www.{base}", host})
    if scope == "subdomains":
        # An address has no subdomains: "20,1,168,192," would open 10.192.168.1.20 (a name).
        below = [] if _DOTTED_QUAD.fullmatch(host) else [f"{host_key},"]
        return Grant([f"{host_key})/", *below, f"{host_key}:"], _heritrix_domain(base))
    key = surt.surt(url)
    path = parts.path or "/"
    heritrix = [form for h in hosts for form in heritrix_forms(_with_host(url, h))]
    if scope == "resource":
        return Grant([key + EXACT], heritrix)
    if path == "/" and not parts.query:
        return Grant([key], heritrix)  # the host (and port): org,iana)/
    if path.endswith("/") and not parts.query:
        # pywb's key of the directory's own URL with a query (/news/?page=2) has lost the
        # slash too: …)/news?page=2, which neither …)/news/ nor …)/news### matches.
        return Grant([key + EXACT, key + "/", key + "?"], heritrix)
    return Grant([key], heritrix)


def blocking(keys: list[str]) -> list[str]:
    """The keys that block what ``keys`` cover. pywb sorts a query's arguments in its keys, so
    a prefix with a query misses URLs that start like the seed with one more argument sorting
    first (``page?id=1&a=0`` is keyed ``page?a=0&id=1``). No prefix says "these arguments in
    any order", so a block closes the path with any query: more than the seed, never less.
    A hashbang page's snapshot is not among ``keys`` (``Grant.snapshots``): widened, it would
    close every capture of the home page with a query; ``_`` sorts before every lowercased
    letter, so only an argument starting with a digit or a sign sorts first, which the
    scheme never adds. A seed typed with ``?_escaped_fragment_=`` is widened as any other."""
    return [key if key.endswith(EXACT) or "?" not in key else key[: key.index("?") + 1]
            for key in keys]


def _heritrix_domain(host: str) -> list[str]:
    """A host, its subdomains and its ports: ``http://(org,iana,``; an address has no
    subdomains, so its host is closed by ``)`` or ``:``."""
    form = heritrix_forms(f"http://{host}/")[0].removesuffix(")/")
    if _DOTTED_QUAD.fullmatch(host):
        return [f"{form})", f"{form}:"]
    return [form]


def heritrix_forms(url: str) -> list[str]:
    """The SURT forms webarchive-discovery gives a record of ``url`` (``getCandidateSurt`` of
    ``UsableURIFactory``'s normalisation: punycode host, no default port, no dot segments, no
    fragment, minimal escaping; https as http), re-annotation's then the indexer's."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").strip(".")
    with contextlib.suppress(UnicodeError):  # an ASCII name IDNA refuses is kept as it is
        host = host.encode("idna").decode("ascii")
    host = host.lower()
    labels = host if _DOTTED_QUAD.fullmatch(host) else "".join(
        f"{label}," for label in reversed(host.split(".")))
    port = parts.port if parts.port not in (None, _DEFAULT_PORTS.get(scheme)) else None
    authority = labels + (f":{port}" if port else "")
    path = _remove_dot_segments(parts.path.replace("\\", "/") or "/")
    path = _escape(path, _PATH_SAFE)
    query = _escape(parts.query, _QUERY_SAFE)
    annotator = path + (f"?{query}" if query else "")
    indexer = _escape(path.replace("%", "%25"), _PATH_SAFE - set("|+")) + (
        f"?{_escape(query.replace('%', '%25'), _QUERY_SAFE - set('[]^{}|'))}" if query else "")
    scheme = "http" if scheme == "https" else scheme
    return list(dict.fromkeys(
        f"{scheme}://({authority}){tail}".lower() for tail in (annotator, indexer)))


def _escape(text: str, safe: frozenset[str]) -> str:
    return "".join(c if c in safe or c == "%" else quote(c, safe="") for c in text)


def _remove_dot_segments(path: str) -> str:
    kept: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
        if segment in (".", "..") and i == len(segments) - 1:
            kept.append("")
    return "/".join(kept) or "/"


def _with_host(url: str, host: str) -> str:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    netloc = host + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()

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
pywb key has lost it.

Heritrix (``allows.txt``, read by webarchive-discovery's ``Annotator`` through Heritrix's
``SurtPrefixSet``): prefixes of the Heritrix SURT form of a URL, ``http://(org,iana,www,)/path``
(scheme http for https too, a comma after every host label, ``www`` kept, lowercase, slash
kept). ``http://(org,iana,`` is a host and all its subdomains and ports; ``http://(org,iana,)/``
the host alone. A host opened in pywb is opened in Heritrix with and without ``www.``.

What the formats cannot say alike (the tests list each case): pywb cannot tell ``/about`` from
``/about/`` nor ``www2.`` from ``www.``; a SURT-prefix file cannot say "exactly this URL" (a
``resource`` seed also opens what starts like it in ``allows.txt``) nor "except this" (a blocked
target inside an open one stays open for the Solr side; pywb, the access gate, blocks it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import surt

SCOPES = ("resource", "root", "plus1", "subdomains")
EXACT = "###"  # pywb's AccessChecker.EXACT_SUFFIX
_WWW = re.compile(r"^www\d*\.")
_PORT = re.compile(r"^(http://\([^)]*?)(:\d+),\)")
_HERITRIX = {
    "with_scheme": True, "trailing_comma": True, "host_massage": False, "reverse_ipaddr": False,
    "path_strip_trailing_slash_unless_empty": False, "query_alpha_reorder": False,
    "query_strip_session_id": False, "path_strip_session_id": False,
}


class UnusableSeed(ValueError):
    pass


@dataclass(frozen=True)
class Grant:
    """The rules of one seed under its target's scope."""

    pywb: list[str] = field(default_factory=list)  # keys, exact ones ending in ###
    heritrix: list[str] = field(default_factory=list)  # SURT prefixes


def grant(url: str, scope: str) -> Grant:
    if scope not in SCOPES:
        raise UnusableSeed(f"unknown scope {scope!r}")
    parts = urlsplit(url.strip() if "://" in url else f"http://{url.strip()}")
    host = (parts.hostname or "").rstrip(".")
    if not host or parts.scheme not in ("http", "https"):
        raise UnusableSeed(f"not an http(s) URL: {url!r}")
    base = _WWW.sub("", host)
    host_key = surt.surt(f"http://{base}/").split(")", 1)[0]
    hosts = sorted({base, f"www.{base}", host})
    if scope == "subdomains":
        return Grant(
            [f"{host_key})/", f"{host_key},", f"{host_key}:"],
            [heritrix_surt(f"http://{base}/").split(")", 1)[0]],
        )
    key = surt.surt(url)
    path = parts.path or "/"
    heritrix = [heritrix_surt(_with_host(url, h)) for h in hosts]
    if scope == "resource":
        return Grant([key + EXACT], heritrix)
    if path == "/" and not parts.query:
        return Grant([key], heritrix)  # the host (and port): org,iana)/
    if path.endswith("/") and not parts.query:
        return Grant([key + EXACT, key + "/"], heritrix)
    return Grant([key], heritrix)


def heritrix_surt(url: str) -> str:
    """Heritrix's SURT form (``SURT.fromURI``, lowercased; https compared as http); the surt
    package writes a port before the last comma, Heritrix after it: ``(org,iana,:8080)``."""
    form = surt.surt(url, **_HERITRIX).lower()
    form = "http://" + form.removeprefix("https://").removeprefix("http://")
    return _PORT.sub(r"\1,\2)", form)


def _with_host(url: str, host: str) -> str:
    parts = urlsplit(url if "://" in url else f"http://{url}")
    netloc = host + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()

"""Whether ``java.net.URI.create`` takes a string: webarchive-discovery's Annotator calls it on
every key of annotations.json's ``subdomains`` scope for every record it indexes, and the
IllegalArgumentException of one bad key is not caught there (only URISyntaxException is): each
record is then stored as a parse error, its text not indexed. W3ACT keeps seeds as typed
(``^https?://\\S+$``). The rules below are those of java.net.URI's parser (RFC 2396, with
non-ASCII characters allowed) that a seed can break; checked against what OpenJDK 17 says of
the same strings (maint_assets_tests/data/java-uri)."""

import ipaddress
import re
import unicodedata

# Never legal, anywhere in a URI.
_ILLEGAL = frozenset('"<>\\^`{|}')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_IPV6_HOST = re.compile(r"\[([0-9A-Fa-f:.]+(%25[\w.~-]+)?)\](:\d*)?")
# A bracketed host makes java.net.URI read the authority as a server's: its user part is
# then checked too (unreserved, escaped, ;:&=+$, or a character outside ASCII).
_USERINFO = re.compile(r"([\w\-.!~*'();:&=+$,]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*")


def java_uri_accepts(text: str) -> bool:
    for i, char in enumerate(text):
        if char in _ILLEGAL or (char == "%" and not _is_escape(text[i + 1:i + 3])):
            return False
        if unicodedata.category(char) in {"Zs", "Zl", "Zp", "Cc"}:  # spaces, controls
            return False
    if text.count("#") > 1:
        return False
    scheme, colon, rest = text.partition(":")
    if colon and not re.search(r"[/?#]", scheme):
        if not _SCHEME.fullmatch(scheme) or not rest:
            return False
        if rest.startswith("//"):
            authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
            if not authority and rest == "//":
                return False
            rest = rest[2 + len(authority):]
            if ("[" in authority or "]" in authority) and not _server_authority(authority):
                return False
    # Brackets are taken in a query and a fragment, not in a path.
    path = re.split(r"[?#]", rest if colon else text, maxsplit=1)[0]
    return "[" not in path and "]" not in path


def _server_authority(authority: str) -> bool:
    userinfo, _, host = authority.rpartition("@")
    address = _IPV6_HOST.fullmatch(host)
    if not address or not _USERINFO.fullmatch(userinfo):
        return False
    try:
        ipaddress.IPv6Address(address.group(1).replace("%25", "%", 1))
    except ValueError:
        return False
    return True


def _is_escape(pair: str) -> bool:
    return len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair)

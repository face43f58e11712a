"""Reading DCAT JSON-LD pages with rdflib: one row per ``dcat:Dataset``, lists kept as lists
(the runbook wrote Python reprs into a CSV and parsed them back). Besides the project's fields,
the runbook's own readings that differ from them (creator, rights_holder, catalog,
right_statement, distribution_licenses), for the columns its dashboards read."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pyarrow as pa
from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# The CKAN exposition writes the rights holder as dct:rights_holder (not DCTERMS'
# rightsHolder), and the runbook read that term: its column was filled from it.
RIGHTS_HOLDER = URIRef("http://purl.org/dc/terms/rights_holder")
# Not in rdflib's closed DCAT namespace (DCAT.inCatalog warns on every dataset).
IN_CATALOG = URIRef("http://www.w3.org/ns/dcat#inCatalog")
ADMS = Namespace("http://www.w3.org/ns/adms#")
SCHEMA = Namespace("http://schema.org/")

_TEXT = pa.string()
_LIST = pa.list_(pa.string())
SCHEMA_RAW = pa.schema(
    [
        ("identifier", _TEXT),
        ("uri", _TEXT),
        ("title", _TEXT),
        ("description", _TEXT),
        ("modified", _TEXT),
        ("publisher", _TEXT),
        ("licenses", _LIST),
        ("access_rights", _LIST),
        ("themes", _LIST),
        ("keywords", _LIST),
        ("spatial", _LIST),
        ("temporal_start", _TEXT),
        ("temporal_end", _TEXT),
        ("distributions", pa.int32()),
        ("formats", _LIST),
        ("contact_point", _TEXT),
        ("status", _TEXT),
        ("page", _TEXT),
        # The dcat:CatalogRecord's dcterms:modified: when the description itself last changed
        # (the dataset's own is the publisher's date of the data).
        ("record_modified", _TEXT),
        ("creator", _TEXT),
        ("rights_holder", _TEXT),
        ("catalog", _TEXT),
        ("right_statement", _LIST),
        ("distribution_licenses", _LIST),
    ]
)


class MalformedPage(ValueError):
    """A page is not JSON-LD, or holds no dcat:Dataset and no paging node."""


HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
_PAGE_NUMBER = re.compile(r"[?&]page=(\d+)(?:&|$)")


class Paging(NamedTuple):
    """What a page's ``hydra:PagedCollection`` (ckanext-dcat's paging node) states, None
    when absent: its number, the exposition's last page and its number of datasets."""

    number: int | None
    last: int | None
    total: int | None


def read_page(data: bytes, page: str) -> tuple[pa.Table, Paging]:
    """The page's rows, and what its paging node states."""
    graph = Graph()
    try:
        graph.parse(data=data, format="json-ld")
    except Exception as err:
        raise MalformedPage(f"{page}: not JSON-LD ({type(err).__name__}: {err})"[:500]) from None
    rows = [_row(graph, s, page) for s in sorted(set(graph.subjects(RDF.type, DCAT.Dataset)))]
    paging = _paging(graph)
    # A page without datasets is a page of a real dump (the producer's run of 2023-10-14 had
    # 58 of 229), when it is one of the exposition's (its paging node says so); a JSON-LD
    # document that is neither is not a page of the catalogue.
    if not rows and paging.number is None:
        raise MalformedPage(f"{page}: no dcat:Dataset in the page")
    # JSON may escape a lone UTF-16 surrogate (JavaScript's JSON.stringify writes one for a
    # text cut in the middle of an emoji): Python reads it as a character UTF-8 cannot
    # encode, and Arrow failed the whole run on it naming no page. Replaced by U+FFFD.
    rows = [{k: _encodable(v) for k, v in row.items()} for row in rows]
    return pa.Table.from_pylist(rows, schema=SCHEMA_RAW), paging


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    return value


def _paging(g: Graph) -> Paging:
    for kind in (HYDRA.PagedCollection, HYDRA.PartialCollectionView):
        for node in g.subjects(RDF.type, kind):
            last = g.value(node, HYDRA.lastPage) or g.value(node, HYDRA.last)
            total = g.value(node, HYDRA.totalItems)
            try:
                count = int(total) if total is not None else None
            except ValueError:
                count = None
            return Paging(_number(node), _number(last), count)
    return Paging(None, None, None)


def _number(node: Any) -> int | None:
    found = _PAGE_NUMBER.search(str(node)) if node is not None else None
    return int(found.group(1)) if found else None


# How the runbook's dashboards show a status (ecospheres-metadata src/dcat_reader_ckan.py,
# MAPPER_STATUS); a code it does not know is kept as the URI's last segment.
STATUS_NAMES = {
    "COMPLETED": "Completed",
    "onGoing": "On Going",
    "historicalArchive": "Historical Archive",
    "UnderDevelopment": "Under Development",
    "obsolete": "Obsolete",
    "required": "Required",
    "planned": "Planned",
}


def _status(uri: str | None) -> str | None:
    if not uri:
        return None
    code = uri.rstrip("/").rsplit("/", 1)[-1]
    return STATUS_NAMES.get(code, code)


def _email(value: str | None) -> str | None:
    """CKAN writes vcard:hasEmail as a link resolved against its catalogue
    (``https://<ckan>/dcat/catalog/someone@example.fr``); the runbook kept what follows
    ``catalog/``, and a ``mailto:`` link gives its address."""
    if not value:
        return None
    if "catalog/" in value:
        return value.split("catalog/", 1)[1]
    return value.removeprefix("mailto:")


def _row(g: Graph, s: Any, page: str) -> dict[str, Any]:
    distributions = list(g.objects(s, DCAT.distribution))
    licences = [*g.objects(s, DCTERMS.license)]
    for d in distributions:
        licences += g.objects(d, DCTERMS.license)
    temporal = g.value(s, DCTERMS.temporal)
    contact = g.value(s, DCAT.contactPoint)
    email = _text(g.value(contact, VCARD.hasEmail)) if contact is not None else None
    status = _text(g.value(s, ADMS.status))
    record = g.value(s, FOAF.isPrimaryTopicOf)
    return {
        "identifier": _text(g.value(s, DCTERMS.identifier))
        or (str(s) if isinstance(s, URIRef) else None),
        "uri": str(s) if isinstance(s, URIRef) else None,
        "title": _text(g.value(s, DCTERMS.title)),
        "description": _text(g.value(s, DCTERMS.description)),
        "modified": _text(g.value(s, DCTERMS.modified)),
        "publisher": _name(g, g.value(s, DCTERMS.publisher)),
        "licenses": sorted({_text(x) for x in licences} - {None}),
        "access_rights": sorted({_name(g, x) for x in g.objects(s, DCTERMS.accessRights)} - {None}),
        "themes": sorted(str(x) for x in g.objects(s, DCAT.theme)),
        "keywords": sorted(str(x) for x in g.objects(s, DCAT.keyword)),
        "spatial": sorted(str(x) for x in g.objects(s, DCTERMS.spatial) if isinstance(x, URIRef)),
        "temporal_start": _text(_first(g, temporal, DCAT.startDate, SCHEMA.startDate)),
        "temporal_end": _text(_first(g, temporal, DCAT.endDate, SCHEMA.endDate)),
        "distributions": len(distributions),
        "formats": sorted({str(f) for d in distributions for f in g.objects(d, DCTERMS.format)}),
        "contact_point": _email(email),
        "status": _status(status),
        "page": page,
        "record_modified": _text(_first(g, record, DCTERMS.modified)),
        # The runbook's readings (ecospheres-metadata src/dcat_reader_ckan.py): names only by
        # foaf:name, access rights only by rdfs:label, licences only the distributions'.
        "creator": _text(_first(g, g.value(s, DCTERMS.creator), FOAF.name)),
        "rights_holder": _text(_first(g, g.value(s, RIGHTS_HOLDER), FOAF.name)),
        "catalog": _text(_first(g, _first(g, record, IN_CATALOG), DCTERMS.title)),
        "right_statement": sorted(
            {str(x) for r in g.objects(s, DCTERMS.accessRights) for x in g.objects(r, RDFS.label)}
        ),
        # A blank-node licence has no name to show (the runbook dropped the whole list then).
        "distribution_licenses": sorted(
            {str(x) for d in distributions for x in g.objects(d, DCTERMS.license)
             if not isinstance(x, BNode)}
        ),
    }


def _first(g: Graph, node: Any, *predicates: URIRef) -> Any:
    if node is None:
        return None
    return next((v for p in predicates if (v := g.value(node, p)) is not None), None)


def _name(g: Graph, node: Any) -> str | None:
    """A literal as text; a resource by its foaf:name or rdfs:label, else its URI."""
    if node is None:
        return None
    label = g.value(node, FOAF.name) or g.value(node, RDFS.label)
    return _text(label) if label is not None else (str(node) if isinstance(node, URIRef) else None)


def _text(value: Any) -> str | None:
    return None if value is None else str(value).strip() or None

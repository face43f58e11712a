"""Generated DCAT JSON-LD pages shaped like a CKAN catalogue's exposition (``/dcat/catalog/
jsonld?page=N``): datasets with publishers, distributions and licences, access rights, themes,
keywords, INSEE spatial URIs, temporal coverage, contact points; some identifiers appear again
on a later page with an older modification date."""

from __future__ import annotations

import json
import random
from pathlib import Path

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "adms": "http://www.w3.org/ns/adms#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
DEMO_DATASETS = 5000
INSEE = "http://id.insee.fr/geo"
LICENCES = [
    "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "https://creativecommons.org/licenses/by/4.0/",
    "https://opendatacommons.org/licenses/odbl/1.0/",
    "https://example.org/licences/proprietary",
]
RIGHTS = [
    "Pas de restriction d'accès public selon INSPIRE",
    "Diffusion restreinte: données à caractère personnel",
]
TOPICS = [
    ("Plan de prévention des risques naturels (PPRN)", ["risque", "pprn"]),
    ("Zones inondables", ["inondation", "eau"]),
    ("Occupation du sol", ["urbanisme"]),
    ("Réseau routier", ["transport"]),
    ("Qualité de l'air", ["air", "pollution"]),
]


def dataset(i: int, rng: random.Random, modified: str | None = None) -> dict:
    topic, words = TOPICS[i % len(TOPICS)]
    commune = f"{rng.randrange(1, 96):02d}{rng.randrange(1, 999):03d}"
    node: dict = {
        "@id": f"https://catalogue.example.fr/dataset/{i}",
        "@type": "dcat:Dataset",
        "dct:identifier": f"ds-{i:07d}",
        "dct:title": f"{topic} — lot {i}",
        "dct:description": f"Jeu de données {i} : {topic.lower()}.",
        "dct:modified": {
            "@value": modified or f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "@type": "xsd:date",
        },
        "dct:publisher": {"@type": "foaf:Organization", "foaf:name": f"DDT {commune[:2]}"},
        "dcat:keyword": words,
        "dcat:theme": [{"@id": f"http://inspire.ec.europa.eu/theme/{w[:2]}"} for w in words],
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:license": {"@id": LICENCES[(i + d) % len(LICENCES)]},
                "dct:format": ["GeoJSON", "Shapefile", "CSV"][d % 3],
                "dcat:accessURL": {"@id": f"https://data.example.fr/{i}/{d}"},
            }
            for d in range(1 + i % 3)
        ],
        "dct:accessRights": {"@type": "dct:RightsStatement", "rdfs:label": RIGHTS[i % 2]},
        "dct:spatial": [{"@id": f"{INSEE}/commune/{commune}"}]
        if i % 4
        else [{"@id": f"{INSEE}/departement/{commune[:2]}"}],
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": "2020-01-01",
            "dcat:endDate": "2023-12-31",
        },
        "dcat:contactPoint": {
            "@type": "vcard:Kind",
            "vcard:hasEmail": {"@id": f"mailto:contact{i % 50}@example.fr"},
        },
        "adms:status": {"@id": "http://purl.org/adms/status/Completed"},
    }
    if i % 7 == 0:  # incomplete records: no description, no contact
        del node["dct:description"], node["dcat:contactPoint"]
    return node


def write_pages(directory: Path, datasets: int, per_page: int = 500, seed: int = 1) -> int:
    """``datasets`` distinct datasets over pages of ``per_page``; every 50th appears once more
    on the next page with an older date. Returns the number of pages."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    pages = 0
    for start in range(0, datasets, per_page):
        graph = [dataset(i, rng) for i in range(start, min(start + per_page, datasets))]
        graph += [dataset(i, rng, "2019-01-01") for i in range(max(0, start - per_page), start, 50)]
        pages += 1
        page = {"@context": CONTEXT, "@graph": graph}
        (directory / f"catalog-page-{pages:05d}.jsonld").write_text(json.dumps(page))
    return pages

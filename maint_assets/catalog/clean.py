"""From raw catalogue rows to the table's rows (pandas): completeness, licence and open access,
the natural-risk flag, commune and département codes, one row per identifier; and the runbook's
columns, with its names and rules, which the dashboards built on its table read."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import NamedTuple

import numpy as np
import pandas as pd

# The fields a complete record fills (the runbook's list).
COMPLETENESS_FIELDS = [
    "title",
    "description",
    "modified",
    "publisher",
    "licenses",
    "access_rights",
    "spatial",
    "status",
    "contact_point",
]
_LICENCES = [  # (pattern in the normalised licence, canonical name)
    (re.compile(r"etalab|licence[ -]?ouverte|open[ -]?licen[cs]e|\blo[- ]?2"), "etalab-2.0"),
    (re.compile(r"publicdomain/zero|\bcc0\b"), "CC0-1.0"),
    (re.compile(r"creativecommons\.org/licenses/by/|\bcc[- ]by\b(?![- ]?(nc|nd|sa))"), "CC-BY-4.0"),
    (re.compile(r"odbl|open database licen[cs]e"), "ODbL-1.0"),
]
OPEN_LICENCES = {"etalab-2.0", "CC0-1.0", "CC-BY-4.0", "ODbL-1.0"}
_OPEN_RIGHTS = re.compile(
    r"pas de restriction d.acces public|no limitations? (on|to) public access|licence ouverte"
)
_NATURAL_RISK = re.compile(
    r"\bpprn?\b|prevention des risques naturels|risques? naturels?|\binondations?\b|"
    r"mouvements? de terrain|\bavalanches?\b|\bseismes?\b|feux? de foret"
)
_COMMUNE = re.compile(r"/commune/(\w+)$")
_DEPARTEMENT = re.compile(r"/departement/(\w+)$")
COLUMNS = [
    "identifier",
    "uri",
    "title",
    "description",
    "modified",
    "publisher",
    "licence",
    "licence_source",
    "open_access",
    "access_rights",
    "themes",
    "keywords",
    "communes",
    "departements",
    "geo_coverage",
    "temporal_start",
    "temporal_end",
    "distributions",
    "formats",
    "contact_point",
    "status",
    "natural_risk",
    "completeness",
    "page",
]
# The runbook's columns (ecospheres-metadata src/transform.py, loaded by to_sql) that the
# project's do not already hold, kept with its names and rules: the Metabase questions built on
# its table read them. Typed as its load left them, except its Postgres array literals
# (commune, departement, licenses, key_words), which to_sql wrote as text: they are text[]
# here, the type the runbook meant them to have. key_words and dataset are the project's
# keywords and uri (generated columns of the table, not in the CSV).
RUNBOOK_COLUMNS = [
    "modification",
    "right_statement",
    "right_statement_processed",
    "creator",
    "rights_holder",
    "catalog",
    "licenses",
    "percantage_filling",
    "univers",
    "commune",
    "departement",
]
RUNBOOK_GENERATED = {"dataset": "uri", "key_words": "keywords"}
COLUMNS += RUNBOOK_COLUMNS
ARRAY_COLUMNS = ["themes", "keywords", "communes", "departements", "formats"]
# The runbook's arrays are NULL when empty (its "[]" and "[None]" became None), not {}.
NULLABLE_ARRAY_COLUMNS = ["licenses", "commune", "departement"]
# The runbook's percentage of filled fields: its 9 raw columns, counted as pandas' count() did
# on its CSV. Its three lists (licenses, right_statement, spatial) were Python reprs there, "[]"
# when empty, so they always counted as filled: 3 of 9 at least. Kept as it computed them: the
# dashboards' figures and thresholds are in its scale (the project's own is completeness).
RUNBOOK_FILLING_FIELDS = {  # its column: ours in the raw rows, None for its always-filled lists
    "catalog": "catalog",
    "contact_point": "contact_point",
    "licenses": None,
    "modification": "modified",
    "rights_holder": "rights_holder",
    "right_statement": None,
    "spatial": None,
    "status": "status",
    "title": "title",
}
RUNBOOK_OPEN_ACCESS = [
    "pas de restriction d'accès public selon inspire",
    "licence ouverte",
    "open licence",
]
_RUNBOOK_PPRN = ("pprn", "prevention des risques naturels")


# Which of the datasets sharing an identifier is kept, in order: the latest dcterms:modified
# (the publisher's newest description of it; one without a readable date loses to any dated
# one), then the latest change of its catalogue record (the description's own dcterms:modified:
# two dumps side by side hold the same data's date, and the newer dump's description is the
# corrected one), then the page that sorts last (numbered in the exposition's order), then the
# URI that sorts last. Each rule is a total order on what the pages hold: the same pages always
# keep the same dataset, whatever order they are read in.
WINNER_ORDER = ["modified", "record_modified", "page", "uri"]


class Cleaned(NamedTuple):
    rows: pd.DataFrame
    unreadable_dates: list[dict[str, str]]  # identifier, column, value: loaded as NULL
    nul_removed: list[dict[str, str]]  # identifier, column
    duplicates: list[dict[str, object]]  # identifier, the dataset kept, those dropped


def clean(df: pd.DataFrame) -> Cleaned:
    """The table's rows from the raw rows, one per identifier (``WINNER_ORDER``), with what
    was changed on the way; ``df`` is reused (not copied: memory)."""
    nul_removed = _remove_nul(df)
    filled = pd.DataFrame({c: df[c].map(_filled) for c in COMPLETENESS_FIELDS})
    df["completeness"] = (100 * filled.sum(axis=1) / len(COMPLETENESS_FIELDS)).round(1)
    df["licence_source"] = df["licenses"].map(lambda ls: "; ".join(ls) if len(ls) else None)
    df["licence"] = df["licenses"].map(_licence)
    df["access_rights"] = df["access_rights"].map(lambda ls: "; ".join(ls) if len(ls) else None)
    # No access rights is a missing value, not None: pandas 3 stores the Nones above as NaN in
    # a text column, and NaN is truthy (the producer's pages have datasets without any).
    df["open_access"] = df["licence"].isin(OPEN_LICENCES) | df["access_rights"].map(
        lambda r: isinstance(r, str) and bool(_OPEN_RIGHTS.search(_plain(r)))
    )
    text = (
        df["title"].fillna("")
        + " "
        + df["description"].fillna("")
        + " "
        + df["keywords"].map(" ".join)
        + " "
        + df["themes"].map(" ".join)
    )
    df["natural_risk"] = text.map(lambda t: bool(_NATURAL_RISK.search(_plain(t))))
    df["communes"] = df["spatial"].map(lambda ls: _codes(ls, _COMMUNE))
    df["departements"] = [
        _departements(s, c) for s, c in zip(df["spatial"], df["communes"], strict=True)
    ]
    df["geo_coverage"] = [
        "Communale" if len(c) else "Départementale" if len(d) else None
        for c, d in zip(df["communes"], df["departements"], strict=True)
    ]
    _runbook_columns(df)
    unreadable = []
    for column in ("modified", "temporal_start", "temporal_end"):
        dates = df[column].map(_date)
        bad = df[column].notna() & dates.isna()
        unreadable += [
            {"identifier": i, "column": column, "value": v}
            for i, v in zip(df.loc[bad, "identifier"], df.loc[bad, column], strict=True)
        ]
        df[column] = dates
    df["record_modified"] = df["record_modified"].map(_instant)
    df = df.sort_values(WINNER_ORDER, na_position="first", kind="stable")
    duplicates = _duplicates(df)
    # Datasets without an identifier are not one dataset (pandas takes missing values for
    # equal): all kept, for the load's check to count and refuse.
    dropped = df["identifier"].notna() & df["identifier"].duplicated(keep="last")
    df = df[~dropped].sort_values("identifier", kind="stable")
    return Cleaned(df[COLUMNS].reset_index(drop=True), unreadable, nul_removed, duplicates)


def _duplicates(df: pd.DataFrame) -> list[dict[str, object]]:
    """Each identifier held by more than one dataset, with the one kept (the last of ``df``,
    sorted by ``WINNER_ORDER``) and those dropped: page, URI and modification date of each."""
    shared = df[df["identifier"].notna() & df["identifier"].duplicated(keep=False)]
    found = []
    for identifier, group in shared.groupby("identifier", sort=True):
        described = [
            {"page": p, "uri": u, "modified": None if pd.isna(m) else str(m)}
            for p, u, m in zip(group["page"], group["uri"], group["modified"], strict=True)
        ]
        found.append({"identifier": identifier, "kept": described[-1], "dropped": described[:-1]})
    return found


def _remove_nul(df: pd.DataFrame) -> list[dict[str, str]]:
    """U+0000 removed from every text (JSON allows it in a string, PostgreSQL's text does not:
    one publisher's stray NUL failed the whole load at COPY, naming no dataset)."""
    removed = []
    for column in df.columns:
        if pd.api.types.is_string_dtype(df[column].dtype):
            has = df[column].str.contains("\x00", regex=False, na=False)
        elif df[column].dtype == object:  # lists of text
            has = df[column].map(_has_nul)
        else:
            continue
        if has.any():
            removed += [{"identifier": i, "column": column} for i in df.loc[has, "identifier"]]
            df.loc[has, column] = df.loc[has, column].map(_without_nul)
    return removed


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    return isinstance(value, list | np.ndarray) and any(_has_nul(v) for v in value)


def _without_nul(value: object) -> object:
    if isinstance(value, str):
        return value.replace("\x00", "")
    return [_without_nul(v) for v in value]


def _runbook_columns(df: pd.DataFrame) -> None:
    """The runbook's columns, from the raw rows (before the dates are read: its modification
    is the text as written, which to_sql loaded as text)."""
    filled = sum(
        (df[ours].notna() for ours in RUNBOOK_FILLING_FIELDS.values() if ours),
        start=sum(ours is None for ours in RUNBOOK_FILLING_FIELDS.values()),
    )
    df["percantage_filling"] = 100 * filled / len(RUNBOOK_FILLING_FIELDS)
    df["modification"] = df["modified"]
    df["univers"] = [
        "PPRN" if any(p in _plain(t) for t in (title, text) if isinstance(t, str)
                      for p in _RUNBOOK_PPRN) else None
        for title, text in zip(df["title"], df["description"], strict=True)
    ]
    df["right_statement"] = df["right_statement"].map(lambda ls: "; ".join(ls) if len(ls) else None)
    df["right_statement_processed"] = df["right_statement"].map(
        lambda r: isinstance(r, str)
        and any(p in r.lower().replace("\n", " ") for p in RUNBOOK_OPEN_ACCESS)
    )
    df["licenses"] = df["distribution_licenses"].map(lambda ls: list(ls) if len(ls) else None)
    df["commune"] = df["spatial"].map(lambda ls: _runbook_codes(ls, "commune"))
    # Its "first commune" was the first in rdflib's triple order; here the smallest code, the
    # same département unless a dataset spans several.
    df["departement"] = [
        _runbook_codes(s, "departement") or ([c[0][:2]] if c else None)
        for s, c in zip(df["spatial"], df["commune"], strict=True)
    ]


def to_copy_csv(df: pd.DataFrame, path: str) -> None:
    """CSV that PostgreSQL's COPY reads as the table's columns: arrays as array literals.
    ``df``'s array columns are rewritten in place (a copy would double the peak memory)."""
    for column in ARRAY_COLUMNS:
        df[column] = df[column].map(_array_literal)
    for column in NULLABLE_ARRAY_COLUMNS:  # None is written empty: NULL for COPY
        df[column] = df[column].map(lambda v: None if v is None else _array_literal(v))
    df.to_csv(path, index=False)


def column_stats(df: pd.DataFrame) -> dict[str, dict[str, object]]:
    stats = {}
    for column in COLUMNS:
        values = df[column]
        if column in ARRAY_COLUMNS + NULLABLE_ARRAY_COLUMNS:
            filled = values.map(lambda v: v is not None and len(v) > 0)
            stats[column] = {"filled": int(filled.sum()), "distinct": None}
        else:
            stats[column] = {"filled": int(values.notna().sum()), "distinct": int(values.nunique())}
    return stats


def _filled(value: object) -> bool:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return False
    if hasattr(value, "__len__"):
        return len(value) > 0
    return True


def _date(value: object) -> date | None:
    """The calendar date of an ISO 8601 date or date-time, as written: the producer writes
    ``xsd:date`` (2018-08-02) and ``xsd:dateTime`` (2019-03-29T22:45:00.000412, or with Z or an
    offset) in the same column. Each value is read on its own: pandas' to_datetime infers one
    format from the first value and turned every other form into NaT. An offset is not
    converted to UTC, which could move the date to the day before the publisher's. None when
    missing or not a date."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def _instant(value: object) -> datetime | None:
    """An ISO 8601 date-time as a naive UTC time, to order a record's changes; one without an
    offset is taken as written (ckanext-dcat writes them so). None when missing or not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
        return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
    except (ValueError, OverflowError):  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return None


def _licence(licences: object) -> str | None:
    if not len(licences):
        return None
    for licence in licences:
        for pattern, name in _LICENCES:
            if pattern.search(_plain(licence)):
                return name
    return "other"


def _plain(text: str) -> str:
    """Lower case without accents, for matching French and English wording alike."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _codes(uris: object, pattern: re.Pattern[str]) -> list[str]:
    return sorted({m.group(1) for u in uris if (m := pattern.search(u))})


def _departements(spatial: object, communes: list[str]) -> list[str]:
    found = set(_codes(spatial, _DEPARTEMENT))
    if not found:  # a commune code starts with its département's (three digits overseas)
        found = {c[:3] if c.startswith("97") else c[:2] for c in communes}
    return sorted(found)


def _runbook_codes(uris: object, level: str) -> list[str] | None:
    """The runbook's codes of one level: what follows ``<level>/`` in the INSEE URIs (it kept
    only spatial URIs containing "insee"); None when there are none, as it loaded them."""
    codes = sorted({u.split(f"{level}/", 1)[1] for u in uris if "insee" in u and f"{level}/" in u})
    return codes or None


def _array_literal(values: object) -> str:
    items = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + items + "}"

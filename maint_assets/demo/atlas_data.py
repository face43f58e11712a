"""A plausible, reproducible Québec-like atlas database for the demo, tests and benchmarks.

Geometry and observations are generated set-based inside PostgreSQL; taxon names (derived
from the shipped checklist, with the variants real sources deliver: synonyms, authorship
variants, misspellings, unknown names, complexes) are written with COPY.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import psycopg

from maint_assets.atlas.taxonomy.checklist import DEFAULT_CHECKLIST, Checklist
from maint_assets.core.sql_files import statement
from maint_assets.demo.sizes import DETAIL_SPACING

SQL = "demo/atlas_data"
# (type, scale, description, name prefix, parent type, parent scale, cells)
SUBDIVISIONS = [
    ("admin", 2, "Région administrative", "Région", "admin", 1, 17),
    ("admin", 3, "MRC", "MRC", "admin", 2, 90),
    ("admin", 4, "Municipalité", "Municipalité", "admin", 3, 600),
    ("cadre_eco", 1, "Province naturelle", "Province naturelle", "admin", 1, 6),
    ("cadre_eco", 2, "Région naturelle", "Région naturelle", "cadre_eco", 1, 20),
    ("cadre_eco", 3, "Ensemble physiographique", "Ensemble", "cadre_eco", 2, 80),
    ("cadre_eco", 4, "Ensemble topographique", "Ensemble topographique", "cadre_eco", 3, 300),
]
HEX_SCALES = (250, 100, 50, 20, 10, 5)
LEVEL_2_LISTS = {
    "INVASIVE_SPECIES": 30,
    "CDPNQ_SUSC": 20,
    "CDPNQ_VUL": 20,
    "CDPNQ_VUL_HARVEST": 10,
    "CDPNQ_ENDANGERED": 15,
    "SENSITIVE": 15,
}


@dataclass(frozen=True)
class DemoSummary:
    observations: int
    regions: int
    taxa_obs: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.observations / self.seconds if self.seconds else 0.0


def is_loaded(conn: psycopg.Connection) -> bool:
    has_observations, has_regions = conn.execute(statement(SQL, "loaded")).fetchone()
    return bool(has_observations and has_regions)


def load_demo_data(
    conn: psycopg.Connection,
    observations: int = 100_000,
    seed: int = 1,
    spacing: float = DETAIL_SPACING,
    province_size: float = 1.0,
) -> DemoSummary:
    """Replace the atlas source data with a generated dataset, in one transaction.
    ``province_size`` (at most 1) draws the province that much smaller around Montréal, with
    as many admin and ecological regions and fewer hexagons: the count tables' cells grow with
    its area."""
    if observations < 0 or seed < 1 or spacing <= 0 or not 0 < province_size <= 1:
        raise ValueError(
            "observations must be >= 0, seed >= 1, spacing > 0 and 0 < province_size <= 1"
        )
    started = time.monotonic()
    rng = random.Random(seed)
    with conn.transaction():
        conn.execute(statement(SQL, "reset"))
        conn.execute(statement(SQL, "zoom_levels"))
        conn.execute(statement(SQL, "sensitive_scales"))
        _regions(conn, seed, spacing, province_size)
        taxa = _taxa_obs(conn, rng)
        conn.execute(statement(SQL, "reference_rows"))
        conn.execute(statement(SQL, "datasets"), {"count": 36})
        conn.execute(statement(SQL, "seed_random"), {"fraction": (seed % 1000) / 1000})
        outside = observations // 10
        conn.execute(
            statement(SQL, "observations"),
            {"inside": observations - outside, "outside": outside, "seed": seed},
        )
        conn.execute(statement(SQL, "obs_efforts"))
        conn.execute(statement(SQL, "analyze"))
        regions = conn.execute("SELECT count(*) FROM public.regions").fetchone()[0]
        loaded = conn.execute("SELECT count(*) FROM public.observations").fetchone()[0]
    return DemoSummary(
        observations=loaded, regions=regions, taxa_obs=taxa, seconds=time.monotonic() - started
    )


def _regions(conn: psycopg.Connection, seed: int, spacing: float, province_size: float) -> None:
    """Nested outlines first, then detailed boundaries, hexagon grids last."""
    conn.execute(statement(SQL, "outlines"))
    conn.execute(statement(SQL, "province"))
    if province_size != 1:
        conn.execute(statement(SQL, "shrink_province"), {"size": province_size})
    for type_, scale, desc, prefix, parent_type, parent_scale, cells in SUBDIVISIONS:
        conn.execute(
            statement(SQL, "subdivide"),
            {
                "type": type_,
                "scale": scale,
                "scale_desc": desc,
                "prefix": prefix,
                "parent_type": parent_type,
                "parent_scale": parent_scale,
                "count": cells,
                "seed": seed * 1000 + scale,
            },
        )
    conn.execute(statement(SQL, "protected_areas"), {"count": 150, "seed": seed})
    detailed = statement(SQL, "detailed_regions")
    conn.execute(detailed, {"spacing": spacing, "protected": False})
    for scale in HEX_SCALES:
        conn.execute(statement(SQL, "hexagons"), {"scale": scale})
    conn.execute(detailed, {"spacing": spacing, "protected": True})


def _taxa_obs(conn: psycopg.Connection, rng: random.Random) -> int:
    """Names as sources deliver them: mostly checklist names, plus the messy cases."""
    checklist = Checklist(DEFAULT_CHECKLIST)
    taxa = list(checklist.by_id.values())
    species = [t for t in taxa if t.rank == "species" and not t.accepted_id]
    genera = {t.taxon_id: t for t in taxa if t.rank == "genus"}
    rows: dict[tuple[str, str, str, str | None], None] = {}

    def add(name: str, authorship: str, rank: str, parent: str | None = None) -> None:
        rows[(name, authorship, rank, parent)] = None

    for t in taxa:
        if t.rank in ("species", "subspecies", "genus", "family") and (
            not t.accepted_id or rng.random() < 0.6
        ):
            add(t.scientific_name, t.authorship, t.rank)
    for t in rng.sample(species, 200):
        add(
            t.scientific_name,
            t.authorship.strip("()") + " ex auct." if t.authorship else "",
            "species",
        )
    for t in rng.sample(species, 30):
        genus, epithet = t.scientific_name.split(" ", 1)
        i = rng.randrange(1, len(epithet) - 2)
        add(f"{genus} {epithet[:i]}{epithet[i + 1]}{epithet[i]}{epithet[i + 2 :]}", "", "species")
    for t in rng.sample(species, 40):
        add(f"{t.scientific_name.split()[0]} demoensis{rng.randrange(100, 999)}", "", "species")
    by_genus: dict[str, list[str]] = {}
    for t in species:
        by_genus.setdefault(t.parent_id, []).append(t.scientific_name)
    for genus_id in rng.sample(sorted(by_genus), 20):
        a, b = rng.sample(by_genus[genus_id], 2)
        add(f"{a}|{b}", "", "species")
    for t in rng.sample(species, 10):
        add(t.scientific_name, t.authorship, "species", genera[t.parent_id].scientific_name)
    with conn.cursor().copy(
        "COPY public.taxa_obs (scientific_name, authorship, rank, "
        "parent_scientific_name) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
    members = [
        (short, t.scientific_name)
        for short, n in LEVEL_2_LISTS.items()
        for t in rng.sample(species, n)
    ]
    with conn.cursor().copy(
        "COPY public.taxa_group_members (short, scientific_name) FROM STDIN"
    ) as copy:
        for row in members:
            copy.write_row(row)
    return len(rows)

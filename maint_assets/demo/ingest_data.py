"""Source files for the portal ingest (one per listed table): studies (CSV), biosamples (JSON
Lines) and data objects (CSV); ``version`` changes names so two versions can be told apart."""

from __future__ import annotations

import csv
import json
from pathlib import Path

DEMO_TABLES_FILE = Path(__file__).parent / "data" / "portal_tables.yaml"


def write_source(
    directory: Path, studies: int = 20, samples: int = 50, objects: int = 3, version: int = 1
) -> dict[str, int]:
    """``studies`` studies with ``samples`` biosamples each, ``objects`` data objects per
    biosample; returns the row count of each file."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "study.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "name", "ecosystem"])
        out.writerows(
            (f"st-{s}", f"Study {s} v{version}", ["soil", "marine", "host"][s % 3])
            for s in range(studies)
        )
    with (directory / "biosample.jsonl").open("w") as f:
        for s in range(studies):
            for b in range(samples):
                f.write(
                    json.dumps(
                        {
                            "id": f"bs-{s}-{b}",
                            "study_id": f"st-{s}",
                            "depth_m": round(b * 0.5, 1),
                            "collected": f"2024-{1 + b % 12:02d}-{1 + b % 28:02d}",
                        }
                    )
                    + "\n"
                )
    with (directory / "data_object.csv").open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "biosample_id", "size_bytes", "url"])
        out.writerows(
            (
                f"do-{s}-{b}-{o}",
                f"bs-{s}-{b}",
                1000 * (o + 1) + version,
                f"https://data.example.org/{s}/{b}/{o}",
            )
            for s in range(studies)
            for b in range(samples)
            for o in range(objects)
        )
    return {
        "study": studies,
        "biosample": studies * samples,
        "data_object": studies * samples * objects,
    }

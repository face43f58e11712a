"""The fake VisioNature site's data (served by ``vn_fake_api.py``): items in the shapes the
Biolovision API returns, and the edits a site's users make. Test and demo code.

Every shape is taken from Client-API-VN 2.12.0's own test suite and JSON schemas (paths in
its repository, dthonon/Client_API_VN at tag v2.12.0):

- a sighting in the "short" JSON transfer_vn asks for: ``tests/test_biolovision_api.py``,
  ``test_observations_get_short`` (site t07, sighting 274830: ``date``, ``observers[0]`` with
  ``id_sighting``, ``insert_date``/``update_date`` as epoch strings, ``place`` with ``@id``,
  ``species`` with ``taxonomy``); ``update_date`` appears once a sighting was edited, and
  ``store_1_observation`` falls back to ``insert_date`` without it;
- a form: ``src/schemas/observation.json`` ``_form`` (``@id``, ``id_form_universal``,
  ``lat``/``lon``, ``time_start``…), its sightings nested under ``sightings``;
- a place: ``test_places_get`` (site t07, place 100694: ``id``, not ``@id``, ``id_commune``);
- a local admin unit: ``test_local_admin_units_get`` (``id``, ``id_canton``, ``insee``);
- a territorial unit: ``src/schemas/territorial_units.json`` (``id``, ``id_country``,
  ``short_name``; ``create-vn-tables.sql`` casts ``id_country`` to INTEGER);
- a taxo group: ``src/schemas/taxo_groups.json`` and the ``name_constant`` values of
  ``src/export_vn/data/evn_template.yaml``'s ``taxo_exclude``.

Values (names, coordinates, counts) are invented; which keys exist and what type each has
are not. Coordinates are strings, as in the API, and castable by the column tables'
triggers of ``--col_tables_create``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from maint_assets.core.sql_files import compose
from maint_assets.demo.vn_fake_api import GROUP, SCHEMA

# (id, name, latin_name, name_constant): the first ids of a VisioNature site
# (tests/test_biolovision_api.py: taxo group 2 is "Chauves-souris", the first is "Oiseaux").
TAXO_GROUPS = (
    (1, "Oiseaux", "Aves", "TAXO_GROUP_BIRD"),
    (2, "Chauves-souris", "Chiroptera", "TAXO_GROUP_BAT"),
    (3, "Mammifères", "Mammalia", "TAXO_GROUP_MAMMAL"),
    (37, "Plantes exotiques", "Plantae", "TAXO_GROUP_ALIEN_PLANTS"),
)
ID_COUNTRY = "1"


def create(conn: psycopg.Connection, schema: str = SCHEMA) -> None:
    conn.execute(compose(GROUP, "create", schema=schema))


def epoch(day: date) -> int:
    """Midnight UTC of ``day``: the site's calendar (vn_fake_site.sql)."""
    return int(datetime.combine(day, time(), UTC).timestamp())


def short_name(unit: int) -> str:
    return f"{unit:02d}"


@dataclass(frozen=True)
class Layout:
    """A site's territorial units (1…units), communes (unit * 100 + c) and places
    (commune * 100 + p)."""

    units: int = 2
    communes: int = 2
    places: int = 3

    def place_ids(self) -> list[int]:
        return [
            (u * 100 + c) * 100 + p
            for u in range(1, self.units + 1)
            for c in range(1, self.communes + 1)
            for p in range(1, self.places + 1)
        ]


def place_unit(place: int) -> int:
    return place // 10000


def place_coords(place: int) -> tuple[str, str]:
    """(lon, lat) as the API writes them: strings with many decimals, inside France."""
    return f"{4.0 + (place % 997) / 1000.0:.6f}", f"{44.0 + (place % 991) / 1000.0:.6f}"


class FakeSite:
    """One site of the fake VisioNature, edited as its users would."""

    def __init__(
        self, conn: psycopg.Connection, site: str, number: int = 30, schema: str = SCHEMA
    ) -> None:
        self.conn, self.site, self.number, self.schema = conn, site, number, schema

    def add_reference(
        self, layout: Layout = Layout(), groups: tuple = TAXO_GROUPS, no_access: tuple = ()
    ) -> None:
        """Taxo groups (``no_access``: ids whose ``access_mode`` is ``none``), territorial
        units, communes and places."""
        self._insert("taxo_groups", [
            (gid, {"id": str(gid), "name": name, "latin_name": latin, "name_constant": const,
                   "access_mode": "none" if gid in no_access else "full"})
            for gid, name, latin, const in groups
        ])
        self._insert("territorial_units", [
            (u, {"id": str(u), "id_country": ID_COUNTRY, "name": f"Département {u}",
                 "short_name": short_name(u)})
            for u in range(1, layout.units + 1)
        ])
        communes = [u * 100 + c for u in range(1, layout.units + 1)
                    for c in range(1, layout.communes + 1)]
        self._insert("local_admin_units", [
            (c, {"name": f"Commune {c}", "coord_lon": place_coords(c)[0], "id_canton":
                 str(c // 100), "coord_lat": place_coords(c)[1], "id": str(c),
                 "insee": f"{c // 100:02d}{c % 1000:03d}"})
            for c in communes
        ])
        self._insert("places", [(p, self.place_item(p)) for p in layout.place_ids()])
        # Places are made long before the sightings made at them; dated now, every one
        # would be in the first diff poll (a first window's reaches back past the window),
        # which transfer_vn then fetches one request per place.
        self.conn.execute(
            compose(GROUP, "date_places_long_ago", schema=self.schema), {"site": self.site}
        )

    def place_item(self, place: int, name: str | None = None) -> dict:
        lon, lat = place_coords(place)
        return {
            "altitude": "285", "coord_lat": lat, "coord_lon": lon, "id": str(place),
            "id_commune": str(place // 100), "id_region": "16", "is_private": "0",
            "loc_precision": "750", "name": name or f"Lieu-dit {place}", "place_type": "place",
            "visible": "1",
        }

    def sighting_item(
        self, id_: int, day: date, taxo_group: int, place: int, inserted: int,
        updated: int | None = None, count: int = 1, observer: int = 104,
    ) -> dict:
        lon, lat = place_coords(place)
        stamp = {"@notime": "1", "@offset": "0", "@timestamp": str(epoch(day))}
        observer_item = {
            "@id": str(observer), "@uid": str(4000 + observer), "altitude": "99",
            "comment": "", "coord_lat": lat, "coord_lon": lon, "count": str(count),
            "estimation_code": "MINIMUM", "flight_number": "1", "id_sighting": str(id_),
            "id_universal": f"{self.number}_{id_}", "insert_date": str(inserted),
            "precision": "precise", "source": "WEB", "timing": dict(stamp),
            "traid": str(observer), "version": "0",
        }
        if updated is not None:
            observer_item["update_date"] = str(updated)
        return {
            "date": stamp,
            "observers": [observer_item],
            "place": {"@id": str(place), "id_universal": f"{self.number}_{place}", "lat": lat,
                      "lon": lon, "loc_precision": "750", "name": f"Lieu-dit {place}",
                      "place_type": "place"},
            "species": {"@id": str(taxo_group * 1000 + 1), "rarity": "unusual",
                        "taxonomy": str(taxo_group)},
        }

    def form_item(self, id_: int, place: int) -> dict:
        lon, lat = place_coords(place)
        return {
            "@id": str(id_), "id_form_universal": f"{self.number}_{id_}", "time_start":
            "08:00:00", "time_stop": "09:30:00", "full_form": "1", "version": "0",
            "lat": lat, "lon": lon, "comment": "",
        }

    def add_sightings(
        self, ids: list[int], day: date, taxo_group: int = 1, place: int | None = None,
        form: int | None = None, entered: date | None = None, inserted: int | None = None,
    ) -> None:
        """New sightings of one observer, dated ``day``, entered at ``inserted`` (epoch), or
        on ``entered`` (default: that day) at noon UTC or now if that is later; with
        ``form``, in that form (created if new)."""
        place = place or Layout().place_ids()[0]
        if inserted is None:
            noon = epoch(entered or day) + 12 * 3600
            inserted = min(noon, int(datetime.now(UTC).timestamp()))
        if form is not None:
            self.conn.execute(
                compose(GROUP, "upsert_form", schema=self.schema),
                {"site": self.site, "id": form, "item": Jsonb(self.form_item(form, place))},
            )
        with self.conn.cursor() as cur:
            cur.executemany(
                compose(GROUP, "insert_sighting", schema=self.schema),
                [{"site": self.site, "id": i, "form": form, "item": Jsonb(
                    self.sighting_item(i, day, taxo_group, place, inserted))} for i in ids],
            )

    def edit(
        self, id_: int, *, day: date | None = None, taxo_group: int | None = None,
        place: int | None = None, count: int | None = None, at: int | None = None,
    ) -> None:
        """A user's correction: the item changes and ``update_date`` becomes now (``at``)."""
        item = self.item(id_)
        observer = item["observers"][0]
        fresh = self.sighting_item(
            id_, day or datetime.fromtimestamp(int(item["date"]["@timestamp"]), UTC).date(),
            taxo_group or int(item["species"]["taxonomy"]),
            place or int(item["place"]["@id"]), int(observer["insert_date"]),
            updated=at or int(datetime.now(UTC).timestamp()),
            count=count if count is not None else int(observer["count"]) + 1,
            observer=int(observer["@id"]),
        )
        self.conn.execute(
            compose(GROUP, "update_sighting", schema=self.schema),
            {"site": self.site, "id": id_, "item": Jsonb(fresh)},
        )

    def delete(self, id_: int) -> None:
        self.conn.execute(
            compose(GROUP, "delete_sighting", schema=self.schema), {"site": self.site, "id": id_}
        )

    def add_place(self, place: int) -> None:
        """A new place, in the commune ``place // 100`` (which must exist)."""
        self._insert("places", [(place, self.place_item(place))])

    def rename_place(self, place: int, name: str) -> None:
        self.conn.execute(
            compose(GROUP, "update_place", schema=self.schema),
            {"site": self.site, "id": place, "item": Jsonb(self.place_item(place, name))},
        )

    def delete_place(self, place: int) -> None:
        self.conn.execute(
            compose(GROUP, "delete_place", schema=self.schema), {"site": self.site, "id": place}
        )

    def item(self, id_: int) -> dict:
        row = self.conn.execute(
            sql.SQL("SELECT item FROM {} WHERE site = %s AND id = %s").format(
                sql.Identifier(self.schema, "sightings")), [self.site, id_],
        ).fetchone()
        if row is None:
            raise KeyError(f"no sighting {id_} on {self.site}")
        return row[0]

    def fault(self, kind: str, value: object) -> None:
        """``drop`` [ids], ``truncate`` n, ``lose_diff`` [ids], ``fail`` {call: status},
        ``fail_once`` {call: status} (the next call of each fails, the ones after answer)."""
        self.conn.execute(
            compose(GROUP, "set_fault", schema=self.schema),
            {"site": self.site, "kind": kind, "value": Jsonb(value)},
        )

    def clear_faults(self) -> None:
        self.conn.execute(
            compose(GROUP, "clear_faults", schema=self.schema), {"site": self.site}
        )

    def _insert(self, table: str, rows: list[tuple[int, dict]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(
                sql.SQL("INSERT INTO {} (site, id, item) VALUES (%s, %s, %s)").format(
                    sql.Identifier(self.schema, table)),
                [(self.site, i, json.dumps(item)) for i, item in rows],
            )

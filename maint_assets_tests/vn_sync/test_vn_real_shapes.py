"""Real Client-API-VN shapes and tables (found by a real-data trial) fed to the check copy's
merge, the repair and its check. Every download is the real transfer_vn (Client-API-VN 2.12)
talking to the fake site."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from maint_assets.core.postgres import PostgresResource
from maint_assets.vn_sync import bookkeeping
from maint_assets.vn_sync.keys import CHECK, PRODUCTION
from maint_assets_tests.vn_sync.helpers import (
    LAYOUT,
    VnWorld,
    days_ago,
    failure_text,
    metadata,
    table_rows,
    weekly,
)

P = LAYOUT.place_ids()
PARIS = ZoneInfo("Europe/Paris")
JSON_TABLES = ("observations_json", "forms_json", "places_json", "local_admin_units_json",
               "territorial_units_json", "taxo_groups_json", "increment_log")


def _sites(conn, schema: str, table: str) -> set[str]:
    return {site for (site,) in conn.execute(
        sql.SQL("SELECT DISTINCT site FROM {}").format(sql.Identifier(schema, table)))}


def test_a_check_configuration_keying_the_site_otherwise_does_not_duplicate_it(
    world: VnWorld,
) -> None:
    """The runbook keeps the check copy with its own evn.yaml (a second OS user); the site's
    key in it (transfer_vn --init's template names it tst1) need not be the one production's
    live sync uses (here faune-isere): Client-API-VN stores that key in every row's `site`.
    The repair joins the copies on (id, site), so every sighting, form and place of the
    window is then "missing" from production and inserted again under the check copy's key:
    a second copy of two weeks of data (and for gn_vn2synthese, a second VisioNature source
    in the synthese), which no guard weighs. The repair must refuse when production holds
    no row of a site the window covers while it holds rows of other sites."""
    site = world.sites["tst1"]
    for n in range(1, 11):
        site.add_sightings([n], days_ago(2 + n % 5), 1, P[n % 3])
    site.add_sightings([20, 21], days_ago(4), 1, P[1], form=500)
    world.copy()
    conn = world.conn
    for table in JSON_TABLES:  # production's live sync keys the same site 'faune-isere'
        conn.execute(sql.SQL("UPDATE {} SET site = 'faune-isere'").format(
            sql.Identifier(PRODUCTION, table)))
    # and its column tables (Client-API-VN's --col_tables_create), which its triggers fill
    for (table,) in conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'src_vn' "
        "AND column_name = 'site' AND table_name IN (SELECT table_name FROM "
        "information_schema.tables WHERE table_type = 'BASE TABLE')"
    ).fetchall():
        conn.execute(sql.SQL("UPDATE {} SET site = 'faune-isere'").format(
            sql.Identifier("src_vn", table)))
    before = table_rows(conn, PRODUCTION, "observations_json")
    assert len(before) == 12
    result = weekly(world.resources())
    repair = metadata(result).get("vn_sync/src_vn_json/observations_json", {})
    assert _sites(conn, PRODUCTION, "observations_json") == {"faune-isere"}, (
        f"production now holds {len(table_rows(conn, PRODUCTION, 'observations_json'))} "
        f"observations, {repair.get('inserted')} inserted by the repair under the check "
        f"configuration's site key: sites {_sites(conn, PRODUCTION, 'observations_json')}, "
        f"forms {_sites(conn, PRODUCTION, 'forms_json')}, "
        f"places {_sites(conn, PRODUCTION, 'places_json')}"
    )
    assert not result.success
    assert "tst1" in failure_text(result) and "faune-isere" in failure_text(result)


def _paris_midnight(day: date) -> int:
    """What the API gives as a sighting's date.@timestamp: midnight of the day in the site's
    own time zone (Client-API-VN's tests/test_biolovision_api.py, sighting 71846872:
    "@ISO8601": "2018-09-15T00:00:00+02:00", "@timestamp": "1536962400", "@offset":
    "7200"), not midnight UTC."""
    return int(datetime.combine(day, time(), PARIS).timestamp())


@pytest.mark.parametrize("live_sync_tz", ["Europe/Paris"])
def test_a_form_is_not_rewritten_in_production_for_the_time_zone_transfer_vn_ran_in(
    world: VnWorld, monkeypatch: pytest.MonkeyPatch, live_sync_tz: str,
) -> None:
    """transfer_vn adds to each form the days of its sightings, date_start and date_stop, as
    date.fromtimestamp(date.@timestamp) (store_postgresql.py _store_observation): in the
    time zone of the process that ran it. The API's @timestamp is the site's local midnight
    (22:00 UTC the day before, in summer), so a live sync on a server in Europe/Paris stores
    the form's real day, and the check copy's transfer_vn, run by the orchestrator (a
    container's UTC, while its schedules say Europe/Paris), the day before. Nothing changed
    at the source: the repair must not rewrite production's form with the day before."""
    day = days_ago(5)
    site = world.sites["tst1"]
    site.add_sightings([20, 21], day, 1, P[1], form=500)
    site.add_sightings([1, 2, 3], days_ago(3), 1, P[0])
    stamp = {"@notime": "1", "@offset": str(int(
        datetime.combine(day, time(), PARIS).utcoffset().total_seconds())),
        "@timestamp": str(_paris_midnight(day))}
    for id_ in (20, 21):  # the API's shape of the date
        item = site.item(id_)
        item["date"] = stamp
        world.conn.execute("UPDATE vn_site.sightings SET item = %s WHERE site = 'tst1' "
                           "AND id = %s", [Jsonb(item), id_])
    world.copy()
    db = PostgresResource(url=world.url)
    bookkeeping.prepare(db, [CHECK, PRODUCTION])
    conn = world.conn
    # production's live sync, on its server's time zone, stores form 500 from the diff
    conn.execute(f"DELETE FROM {PRODUCTION}.forms_json")
    conn.execute(f"UPDATE {PRODUCTION}.increment_log SET last_ts = localtimestamp "
                 "- interval '1 day'")
    monkeypatch.setenv("TZ", live_sync_tz)
    world.tool("live").update_now(db, PRODUCTION, {"observations"})
    form = table_rows(conn, PRODUCTION, "forms_json")[(500, "tst1")][0]
    assert form["date_start"] == form["date_stop"] == day.isoformat()
    # the orchestrator's transfer_vn: UTC
    monkeypatch.setenv("TZ", "UTC")
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    check = table_rows(conn, CHECK, "forms_json")[(500, "tst1")][0]
    production = table_rows(conn, PRODUCTION, "forms_json")[(500, "tst1")][0]
    forms = metadata(result)["vn_sync/src_vn_json/forms_json"]
    assert production["date_start"] == day.isoformat(), (
        f"form 500's sightings are dated {day} (@timestamp {stamp['@timestamp']}, local "
        f"midnight); the check copy's transfer_vn (TZ=UTC) stored date_start "
        f"{check['date_start']}, and the repair ({forms['updated']} form(s) updated) wrote it "
        f"over production's {day}: now {production['date_start']}"
    )
    assert datetime.fromtimestamp(_paris_midnight(day), UTC).date() < day  # the shape


GN_VN2SYNTHESE_STAND_IN = """
-- lpoaura/gn_vn2synthese 00_init_db.sql: production's forms get a uuid of their own
ALTER TABLE src_vn_json.forms_json ADD COLUMN IF NOT EXISTS uuid uuid DEFAULT gen_random_uuid();
-- 08_upsert_observations.sql fct_tri_c_upsert_vn_observation_to_geonature (AFTER INSERT OR
-- UPDATE FOR EACH ROW on src_vn_json.observations_json): the synthese row's
-- unique_id_sinp_grp is the uuid of the sighting's form, looked up when the row is written
CREATE TABLE public.synthese_stand_in (
    site text, id integer, unique_id_sinp_grp uuid, PRIMARY KEY (site, id));
CREATE FUNCTION public.upsert_to_synthese() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE the_unique_id_sinp_grp uuid;
BEGIN
    SELECT uuid INTO the_unique_id_sinp_grp FROM src_vn_json.forms_json
    WHERE (new.site, (new.item #>> '{observers,0,id_form}')::INT) = (forms_json.site,
                                                                     forms_json.id);
    INSERT INTO public.synthese_stand_in VALUES (new.site, new.id, the_unique_id_sinp_grp)
    ON CONFLICT (site, id) DO UPDATE SET unique_id_sinp_grp = excluded.unique_id_sinp_grp;
    RETURN NULL;
END $$;
CREATE TRIGGER tri_c_upsert_vn_observation_to_geonature
AFTER INSERT OR UPDATE ON src_vn_json.observations_json
FOR EACH ROW EXECUTE FUNCTION public.upsert_to_synthese();
"""


def test_sightings_of_a_form_production_missed_get_the_forms_uuid_in_the_synthese(
    world: VnWorld,
) -> None:
    """gn_vn2synthese gives production's forms_json a uuid column (a default) and its
    observations trigger reads the uuid of the sighting's form (observers[0].id_form, as the
    API gives it) into the synthese's unique_id_sinp_grp when the sighting's row is written.
    transfer_vn stores a form before its sightings (_store_observation: _store_form, then
    each sighting), so the live sync's rows always find it. When the live sync missed a whole
    form, the repair inserts its sightings and the form: the sightings must find the form."""
    site = world.sites["tst1"]
    for n in range(1, 6):
        site.add_sightings([n], days_ago(2 + n % 3), 1, P[n % 3])
    world.copy()
    world.conn.execute(GN_VN2SYNTHESE_STAND_IN)
    # a form entered since, which production's live sync missed (the runbook's case)
    site.add_sightings([20, 21], days_ago(4), 1, P[1], form=500)
    for id_ in (20, 21):  # the API's sightings of a form name it (schema _observer.id_form)
        item = site.item(id_)
        item["observers"][0]["id_form"] = "500"
        world.conn.execute("UPDATE vn_site.sightings SET item = %s WHERE site = 'tst1' "
                           "AND id = %s", [Jsonb(item), id_])
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    conn = world.conn
    assert {(20, "tst1"), (21, "tst1")} <= set(table_rows(conn, PRODUCTION, "observations_json"))
    (form_uuid,) = conn.execute(
        f"SELECT uuid FROM {PRODUCTION}.forms_json WHERE site = 'tst1' AND id = 500"
    ).fetchone()
    grouped = dict(conn.execute(
        "SELECT id, unique_id_sinp_grp FROM public.synthese_stand_in WHERE id IN (20, 21)"
    ).fetchall())
    assert grouped == {20: form_uuid, 21: form_uuid}, (
        f"the repair inserted sightings 20 and 21 before their form 500 (uuid {form_uuid}): "
        f"the synthese's unique_id_sinp_grp of each is {grouped}"
    )


def test_a_form_whose_last_sighting_the_repair_deletes_goes_in_the_same_repair(
    world: VnWorld,
) -> None:
    """Held, and kept by the fix that writes forms before their sightings: a form of
    production goes when no observation of either copy belongs to it any more, judged after
    the observations' own deletions of the same repair."""
    site = world.sites["tst1"]
    for n in range(1, 6):
        site.add_sightings([n], days_ago(2 + n % 3), 1, P[n % 3])
    site.add_sightings([30], days_ago(4), 1, P[1], form=600)
    world.copy()
    assert (600, "tst1") in table_rows(world.conn, PRODUCTION, "forms_json")
    site.delete(30)  # the source's deletion, which production's live sync missed
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    conn = world.conn
    assert (30, "tst1") not in table_rows(conn, PRODUCTION, "observations_json")
    assert (600, "tst1") not in table_rows(conn, PRODUCTION, "forms_json")
    forms = metadata(result)["vn_sync/src_vn_json/forms_json"]
    assert forms["deleted"] == 1, forms


def test_a_site_timezone_no_machine_knows_fails_before_transfer_vn_runs(tmp_path) -> None:
    """Read only inside transfer_vn's process, a misspelt zone failed each download with a
    traceback of that process."""
    from maint_assets.vn_sync.client_api_vn import ClientApiVn

    tool = ClientApiVn(config_file=str(tmp_path / "evn.yaml"), work_dir=str(tmp_path),
                       site_timezone="Europe/Pariss")
    with pytest.raises(dg.Failure, match="'Europe/Pariss' is no time zone"):
        tool._env()
    assert ClientApiVn(config_file="x", work_dir=str(tmp_path))._env()[
        "MAINT_VN_SITE_TIMEZONE"] == "Europe/Paris"

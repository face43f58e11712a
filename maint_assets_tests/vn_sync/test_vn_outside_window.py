"""Outside the window's days a check-copy row our unbroken diff polls stored is written like
one inside: what the polls did not ask for (the first poll's watermarks, a taxo group left out
of some polls) is not taken as polled, and a late-entered sighting's form comes with it. Every
download and poll is the real transfer_vn against the fake VisioNature site."""

import time
from datetime import datetime, timedelta

from maint_assets.vn_sync.keys import CHECK, PRODUCTION
from maint_assets_tests.vn_sync.helpers import (
    LAYOUT,
    VnWorld,
    daily,
    days_ago,
    failure_text,
    metadata,
    table_rows,
    weekly,
)

P = LAYOUT.place_ids()
OBSERVATIONS = f"vn_sync/{PRODUCTION}/observations_json"
FORMS = f"vn_sync/{PRODUCTION}/forms_json"


def test_the_first_poll_claims_no_change_it_did_not_ask_for(world: VnWorld) -> None:
    """The first poll ever is the daily update (02:05 daily, before Sunday's window): with no
    poll recorded, polls.poll records as its `since` the OLDEST watermark of the check copy's
    increment_log (oldest_watermark: every taxo group and the places' -1). transfer_vn asked
    each taxo group for changes since the FIRST listed group's watermark (Observations.update
    reads increment_get once, for the first group, and reuses it), so polled_since claims a
    stretch no poll of ours asked for. Here the places watermark is 30 days old (places polled
    monthly, or the places controler disabled since the first import), group 1's is a day old:
    the operator's --update of yesterday failed after moving it (Client-API-VN's known loss,
    reference §5), so the source's deletion of sighting 700 two days ago never reached the
    check copy. Production never had 700 (its live sync missed the late entry). The repair
    took the check copy's stale 700 (update_ts 5 days old >= the claimed 30 days) for the
    source's current version and inserted a sighting the source deleted."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    site.add_sightings([700], days_ago(40), 1, P[0], inserted=int(time.time()) - 5 * 86400)
    world.copy((CHECK,))
    world.copy((PRODUCTION,), ids=list(range(1, 11)))
    site.delete(700)
    now = datetime.now()  # transfer_vn's clock
    world.conn.execute("UPDATE vn_site.sightings SET modified_at = now() - interval '2 days' "
                       "WHERE id = 700")
    world.conn.execute(f"UPDATE {CHECK}.increment_log SET last_ts = %s WHERE taxo_group >= 0",
                       [now - timedelta(days=1)])
    world.conn.execute(f"UPDATE {CHECK}.increment_log SET last_ts = %s WHERE taxo_group = -1",
                       [now - timedelta(days=30)])
    first = daily(world.resources())
    assert first.success, failure_text(first)
    assert (700, "tst1") in table_rows(world.conn, CHECK, "observations_json")  # still stale
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    meta = metadata(result)[OBSERVATIONS]
    assert (700, "tst1") not in table_rows(world.conn, PRODUCTION, "observations_json"), meta


def test_a_late_entered_form_goes_to_production_with_its_sightings(world: VnWorld) -> None:
    """A form (a notebook) dated 40 days ago and entered today: production's live sync missed
    it, the weekly run's diff poll brought its two sightings and the form itself to the check
    copy. The repair inserts the two sightings (vn_cpoll), but form_changes still wants only
    forms of observations inside the window (vn_cc): the form is 'outside_window', and
    production holds sightings whose form it lacks."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1, P[0])
    world.copy()
    time.sleep(1)  # entered after both copies' watermarks
    site.add_sightings([500, 501], days_ago(40), 1, P[0], form=9, entered=days_ago(0))
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    assert (9, "tst1") in table_rows(world.conn, CHECK, "forms_json")
    prod = table_rows(world.conn, PRODUCTION, "observations_json")
    meta = metadata(result)
    assert {(500, "tst1"), (501, "tst1")} <= set(prod), meta[OBSERVATIONS]
    assert (9, "tst1") in table_rows(world.conn, PRODUCTION, "forms_json"), meta[FORMS]


def test_a_taxo_group_left_out_of_some_polls_is_not_taken_as_polled(world: VnWorld) -> None:
    """The chain of polls is one for the check copy, but transfer_vn polls only the taxo
    groups it lists (taxo_exclude, access_mode): group 2 (bats) is excluded for a few days,
    during which the source deletes sighting 800 (bats, dated 40 days ago, entered after the
    polls began, which production's live sync missed). Group 2 back, the next poll asks every
    group for changes since group 1's watermark (Observations.update reuses the first group's
    `since`), so the deletion is never polled; the check copy keeps 800 with an update_ts
    after polled_since, the window covers group 2 again, and the repair inserts into
    production a sighting the source deleted."""
    site = world.sites["tst1"]
    for i in range(1, 11):
        site.add_sightings([i], days_ago(3), 1 + i % 2, P[0])
    world.copy()
    time.sleep(1)
    assert daily(world.resources()).success  # the chain of polls begins
    # ... weeks ago, as in production (the test's clock is minutes): the weekly poll then
    # continues the chain (poll_since) instead of asking since the window's first day
    world.conn.execute("UPDATE maint_assets.vn_polls SET since = since - interval '20 days'")
    site.add_sightings([800], days_ago(40), 2, P[0], inserted=int(time.time()))
    time.sleep(1)
    assert daily(world.resources()).success  # stores 800 in the check copy
    assert (800, "tst1") in table_rows(world.conn, CHECK, "observations_json")
    world.configure(taxo_exclude=("TAXO_GROUP_BAT",))
    site.delete(800)
    time.sleep(1)
    assert daily(world.resources()).success  # group 2 not polled
    world.configure()
    result = weekly(world.resources())
    assert result.success, failure_text(result)
    assert (800, "tst1") in table_rows(world.conn, CHECK, "observations_json")  # stale
    meta = metadata(result)[OBSERVATIONS]
    assert (800, "tst1") not in table_rows(world.conn, PRODUCTION, "observations_json"), meta

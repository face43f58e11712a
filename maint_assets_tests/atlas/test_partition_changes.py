"""Partitions of public.observations attached or detached after change capture was installed.

atlas-db's own scripts/PARTITION_observations.sql (its public repository) builds the
partitions as plain tables filled by INSERT ... SELECT and then ATTACHed; re-partitioning (or
any DBA's DETACH/ATTACH) follows the same steps. Neither ATTACH nor DETACH fires a row
trigger, and a table attached after `maint-assets capture atlas` ran has none of capture's
statement triggers: production's insert trigger routes every observation inside the province
into observations_partitions.within_quebec with an INSERT aimed at that partition, which only
the partition's own triggers capture."""

import psycopg

from maint_assets.atlas.change_log import install_capture
from maint_assets_tests.atlas.helpers import COUNTS, differences, materialize, rows

INSERT = """
    INSERT INTO public.observations (id_datasets, geom, year_obs, id_variables, obs_value,
                                     id_taxa_obs)
    SELECT id_datasets, geom, 2031, id_variables, 1, id_taxa_obs
    FROM observations_partitions.within_quebec ORDER BY id LIMIT 50"""

# within_quebec made again the way atlas-db's PARTITION_observations.sql makes it: a table
# LIKE the old one, its rows copied, attached. (The old table stays: the replica's
# taxa_obs_group_lookup reads it by name, as production's does.)
RECREATE_WITHIN_QUEBEC = """
    ALTER TABLE public.observations DETACH PARTITION observations_partitions.within_quebec;
    ALTER TABLE observations_partitions.within_quebec RENAME TO within_quebec_old;
    CREATE TABLE observations_partitions.within_quebec (
        LIKE observations_partitions.within_quebec_old
        INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
    INSERT INTO observations_partitions.within_quebec
    SELECT * FROM observations_partitions.within_quebec_old;
    ALTER TABLE public.observations ATTACH PARTITION observations_partitions.within_quebec
        FOR VALUES IN (true);"""


def _refused_until_capture_runs_again(resources, url: str) -> None:
    """The refresh after the partitions changed fails, saying capture must be installed
    again, and leaves the counts; once it is, the counts are rebuilt exactly."""
    result = materialize(resources, selection=COUNTS, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "maint-assets capture atlas" in str(failure.event_specific_data.error)
    with psycopg.connect(url, autocommit=True) as conn:
        install_capture(conn)
    materialize(resources, selection=COUNTS)
    assert differences(url) == 0


def test_observations_routed_into_a_recreated_partition_are_counted(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(RECREATE_WITHIN_QUEBEC)
        conn.execute(INSERT)  # production's trigger moves every one into within_quebec
    assert rows(atlas_url, "SELECT count(*) FROM public.observations WHERE year_obs = 2031") == [
        (50,)
    ]
    _refused_until_capture_runs_again(resources, atlas_url)


def test_a_detached_partition_is_not_left_counted(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE public.observations DETACH PARTITION observations_partitions.within_quebec"
        )
    _refused_until_capture_runs_again(resources, atlas_url)


def test_capture_of_an_earlier_version_is_asked_to_run_again(resources, atlas_url):
    materialize(resources, selection=COUNTS)
    with psycopg.connect(atlas_url, autocommit=True) as conn:
        conn.execute("DROP FUNCTION maint_assets.uncaptured_partitions()")
    result = materialize(resources, selection=COUNTS, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "earlier version" in str(failure.event_specific_data.error)

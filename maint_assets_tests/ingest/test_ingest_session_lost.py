"""The switch and the rollback when the server ends their session (a restart, a failover,
pg_terminate_backend): DESIGN.md 6, transient failures are retried. The step is run again; a
lost attempt whose COMMIT went through is found by its record (maint_assets.ingest_switches)
and never switched twice."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from maint_assets.core.postgres import PostgresResource
from maint_assets.demo.ingest_data import write_source
from maint_assets.ingest import assets
from maint_assets.ingest.automation import rollback_production_job
from maint_assets_tests.commit_losing_proxy import CommitLosingProxy
from maint_assets_tests.ingest.test_ingest import (
    PRODUCTION_OP,
    _counts,
    _error,
    _ingest,
    _meta,
    _resources,
)
from maint_assets_tests.session_faults import session_ended_once


def _run_again_at_once(url: str, source: Path, db_url: str | None = None) -> dict:
    """The ingest's resources, its steps run again without waiting after a lost session."""
    return {**_resources(url, source),
            "ingest_db": PostgresResource(url=db_url or url, lock_timeout_s=10,
                                          connection_retry_wait_s=0)}


def _switch(url: str, source: Path, db_url: str | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [assets.ingest_staging, assets.ingest_production],
        resources=_run_again_at_once(url, source, db_url),
        run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )


def _switch_only(url: str, source: Path, db_url: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [assets.ingest_production],
        resources=_run_again_at_once(url, source, db_url),
        run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
    )


def _rollback(
    url: str, source: Path, db_url: str | None = None,
    instance: dg.DagsterInstance | None = None,
) -> dg.ExecuteInProcessResult:
    return rollback_production_job.execute_in_process(
        resources=_run_again_at_once(url, source, db_url),
        run_config={"ops": {"rollback_production": {"config": {"confirm_production": "portal"}}}},
        raise_on_error=False,
        instance=instance,
    )


def _versions(url: str) -> dict[str, int]:
    """How many versions are kept, by state ('previous': a rollback can switch it back in)."""
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT state, count(*) FROM maint_assets.ingest_versions GROUP BY state"
        ).fetchall())


def _restarted(result: dg.ExecuteInProcessResult) -> bool:
    return any(e.event_type_value == "STEP_RESTARTED" for e in result.all_events)


@contextmanager
def _commit_lost(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A URL through a proxy that loses the answer to the first COMMIT of a maintenance
    step's session (the server commits it); the same password at the proxy's port."""
    with CommitLosingProxy(url) as proxy:
        lines = Path(os.environ["PGPASSFILE"]).read_text().strip().splitlines()
        passfile = tmp_path / "pgpass"
        passfile.write_text("\n".join(
            [*lines, ":".join(["127.0.0.1", str(proxy.port), *lines[0].split(":")[2:]])]
        ) + "\n")
        passfile.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(passfile))
        yield proxy.url
        assert proxy.lost.is_set(), "no COMMIT was lost"


def test_a_switch_whose_session_the_server_ends_is_run_again_and_switches_once(
    portal: tuple[str, Path],
) -> None:
    """The server ends the switch's session mid-switch, before its COMMIT: the transaction
    rolled back, production untouched. The step failed as it was (not run again: a switch
    was never run twice) and the week's version waited for the next schedule; it is now run
    again and switches once."""
    url, source = portal
    write_source(source, version=2)
    with session_ended_once(url, "ingest_versions", "NEW.state = 'previous'") as ended:
        result = _switch(url, source)
    assert ended, "the switch never recorded a version"
    assert result.success, _error(result)
    assert _restarted(result)
    assert _counts(url)[3] == "Study 0 v2"
    assert _versions(url) == {"previous": 1}  # v1, archived once
    assert _meta(result)["switched_by_an_earlier_attempt"] is False


def test_a_switch_whose_commit_landed_unanswered_is_not_switched_twice(
    portal: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session is lost after the server committed the switch, before its answer came
    back: the step cannot tell whether it committed. Run again, it finds this run's switch
    recorded and switches nothing: production is the version it switched in, one version
    archived, and the run succeeds saying the earlier attempt switched."""
    url, source = portal
    write_source(source, version=2)
    staged = dg.materialize([assets.ingest_staging], resources=_resources(url, source),
                            raise_on_error=False)
    assert staged.success, _error(staged)
    with _commit_lost(url, tmp_path, monkeypatch) as proxied:
        result = _switch_only(url, source, proxied)
    assert result.success, _error(result)
    assert _restarted(result)
    assert _counts(url)[3] == "Study 0 v2"
    assert _versions(url) == {"previous": 1}
    meta = _meta(result)
    assert meta["switched_by_an_earlier_attempt"] is True
    assert meta["previous_version"].startswith("portal__v")
    assert "submissions" in meta["carried_over"]  # what the committed attempt did


def test_a_rollback_whose_session_the_server_ends_is_run_again_and_rolls_back_once(
    portal: tuple[str, Path],
) -> None:
    """The server ends the rollback's session before its COMMIT: rolled back, production
    untouched; the step is run again and rolls back once (to v2 of v1, v2, v3)."""
    url, source = portal
    for version in (2, 3):
        write_source(source, version=version)
        assert _ingest(url, source).success
    with session_ended_once(url, "ingest_versions", "NEW.state = 'rolled_back'") as ended:
        result = _rollback(url, source)
    assert ended, "the rollback never recorded the version it replaced"
    assert result.success, _error(result)
    assert _restarted(result)
    assert _counts(url)[3] == "Study 0 v2"
    assert _versions(url) == {"previous": 1, "rolled_back": 1}


def test_a_rollback_whose_commit_landed_unanswered_is_not_rolled_back_twice(
    portal: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rollback's COMMIT went through unanswered. Run again as it was, a rollback would
    switch in the version before the one it switched back in (v1, not v2): it finds this
    run's rollback recorded instead and rolls back nothing more."""
    url, source = portal
    for version in (2, 3):
        write_source(source, version=version)
        assert _ingest(url, source).success
    with dg.instance_for_test() as instance:
        with _commit_lost(url, tmp_path, monkeypatch) as proxied:
            result = _rollback(url, source, proxied, instance)
        logs = [e.user_message for e in instance.all_logs(result.run_id)]
    assert result.success, _error(result)
    assert _restarted(result)
    assert _counts(url)[3] == "Study 0 v2"
    assert _versions(url) == {"previous": 1, "rolled_back": 1}
    assert any("rolled back by an earlier attempt of this run" in m for m in logs)


def test_the_switch_records_of_ended_runs_are_expired_and_a_running_one_s_kept(
    portal: tuple[str, Path],
) -> None:
    """maint_assets.ingest_switches gained a row at every switch and rollback, never deleted.
    A record is read only by its own run's step run again, so a switch deletes those whose
    run Dagster's instance says has ended: not one of a run still going (which may yet run
    its step again, after losing its session), nor one of a run the instance does not know
    (the portal fixture's, run on another instance), nor one made within the grace period
    (Dagster may mark a run ended whose process still waits to run its step again)."""
    url, source = portal
    with psycopg.connect(url) as conn:
        (fixture_run,) = conn.execute(
            "SELECT run_id FROM maint_assets.ingest_switches").fetchone()
    with dg.instance_for_test() as instance:
        # A run still going, whose switch committed (its step may run again): own-invented,
        # its record a copy of the fixture's under its run_id.
        going = instance.add_run(dg.DagsterRun(
            job_name="ingest_weekly", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED
        ))
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO maint_assets.ingest_switches (run_id, production, action, "
                "switched_in, archived_as, outcome) SELECT %s, production, action, switched_in,"
                " archived_as, outcome FROM maint_assets.ingest_switches WHERE run_id = %s",
                (going.run_id, fixture_run),
            )
        switched = []
        for version in (2, 3):
            write_source(source, version=version)
            if version == 3:
                with psycopg.connect(url, autocommit=True) as conn:  # past the grace period
                    conn.execute("UPDATE maint_assets.ingest_switches"
                                 " SET switched_at = switched_at - interval '8 days'")
                rolled = _rollback(url, source, instance=instance)
                assert rolled.success, _error(rolled)
            result = dg.materialize(
                [assets.ingest_staging, assets.ingest_production],
                resources=_resources(url, source), instance=instance, raise_on_error=False,
                run_config={"ops": {PRODUCTION_OP: {"config": {"confirm_production": "portal"}}}},
            )
            assert result.success, _error(result)
            switched.append(result)
    with psycopg.connect(url) as conn:
        kept = {r for (r,) in conn.execute("SELECT run_id FROM maint_assets.ingest_switches")}
    # the rollback's run has ended, but its record is a minute old
    assert kept == {fixture_run, going.run_id, rolled.run_id, switched[1].run_id}
    assert _meta(switched[0])["switch_records_expired"] == []
    assert _meta(switched[1])["switch_records_expired"] == [switched[0].run_id]
    assert _counts(url)[3] == "Study 0 v3"

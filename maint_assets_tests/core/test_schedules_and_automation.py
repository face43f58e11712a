"""Scheduled runs and eager automation together: a scheduled run of a job that refreshes an
asset and what it feeds must not be followed by a second, automation-launched run of the
assets it already refreshed (webarchive's hourly TrackDB + index, the atlas Friday refresh,
the catalogue's daily chain)."""

import dagster as dg
import pytest

from maint_assets.core.automation import EAGER, running_schedule
from maint_assets.definitions import defs


def _chain_defs(shipped_helper: bool) -> tuple[dg.Definitions, dg.ScheduleDefinition]:
    store = dg.AssetSpec("store")

    @dg.asset(deps=[store], automation_condition=EAGER)
    def listing() -> None: ...

    @dg.asset(deps=[listing], automation_condition=EAGER)
    def index() -> None: ...

    @dg.asset_check(asset=index)
    def index_complete() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    job = dg.define_asset_job("hourly", selection=[listing, index])
    schedule = (
        running_schedule(job, "15 * * * *", name="hourly_15")
        if shipped_helper
        else dg.ScheduleDefinition(name="hourly_15", job=job, cron_schedule="15 * * * *")
    )
    chain = dg.Definitions(
        assets=[store, listing, index], asset_checks=[index_complete], schedules=[schedule]
    )
    return chain, schedule


@pytest.mark.parametrize(("named", "second_runs"), [(True, 0), (False, 1)])
def test_scheduled_run_is_not_followed_by_an_automation_run(named: bool, second_runs: int):
    """With the job's assets named in the run request (running_schedule), automation sees
    that the run which updated ``listing`` also refreshed ``index``; without (a plain
    ScheduleDefinition, as before), Dagster requests ``index`` again. The named run still
    evaluates the check of its assets."""
    chain, schedule = _chain_defs(named)
    with dg.instance_for_test() as instance:
        first = dg.evaluate_automation_conditions(defs=chain, instance=instance)
        # Contexts closed in order: each sets Dagster's current state storage while open.
        with dg.build_schedule_context(
            instance=instance, repository_def=chain.get_repository_def()
        ) as context:
            [request] = schedule.evaluate_tick(context).run_requests
        job = chain.resolve_job_def("hourly")
        run = job.execute_in_process(instance=instance, asset_selection=request.asset_selection)
        assert run.success
        assert [e.check_name for e in run.get_asset_check_evaluations()] == ["index_complete"]
        after = dg.evaluate_automation_conditions(
            defs=chain, instance=instance, cursor=first.cursor
        )
        assert after.total_requested == second_runs


def test_every_schedule_of_eager_assets_names_its_assets():
    """The shipped schedules whose jobs hold an eager asset downstream of another asset of the
    same job request those assets by name (else the run above happens twice)."""
    checked = []
    # Inside the instance: loading the repository reads the current instance's state storage.
    with dg.instance_for_test() as instance:
        repository = defs.get_repository_def()
        graph = repository.asset_graph
        for schedule in repository.schedule_defs:
            job = repository.get_job(schedule.job_name)
            keys = {k for k in job.asset_layer.selected_asset_keys if graph.has(k)}
            chained = {
                k
                for k in keys
                if graph.get(k).automation_condition is not None
                and graph.get(k).parent_keys & keys
            }
            if not chained:
                continue
            with dg.build_schedule_context(
                instance=instance, repository_def=repository
            ) as context:
                [request] = schedule.evaluate_tick(context).run_requests
            assert set(request.asset_selection or ()) == keys, schedule.name
            checked.append(schedule.name)
    assert {
        "webarchive_hourly_15",
        "atlas_weekly_incremental_refresh_friday_2100",
        "catalog_daily_0000",
    } <= set(checked)


def test_every_scheduled_run_runs_the_checks_of_its_job_and_no_other():
    """A run request naming assets but no checks runs every check of those assets: the daemon
    subsets the job to what the request names (JobSubsetSelector, the code location's
    get_subset), and no checks named means all of theirs. The atlas Friday refresh then ran
    the full comparison of the counts (production's own query over every observation) that
    its job leaves out. Each shipped schedule naming assets, subset as the daemon subsets it,
    runs the whole job's steps and no other (the ingest schedule, whose tick needs its
    resource, names none)."""
    checked = []
    with dg.instance_for_test() as instance:
        repository = defs.get_repository_def()
        for schedule in repository.schedule_defs:
            if schedule.required_resource_keys:
                continue
            with dg.build_schedule_context(
                instance=instance, repository_def=repository
            ) as context:
                [request] = schedule.evaluate_tick(context).run_requests
            if request.asset_selection is None:
                continue
            job = repository.get_job(schedule.job_name)
            checks = request.asset_check_keys
            subset = job.get_subset(
                asset_selection=set(request.asset_selection),
                asset_check_selection=None if checks is None else set(checks),
            )
            assert set(subset.graph.node_names()) == set(job.graph.node_names()), schedule.name
            checked.append(schedule.name)
    assert "atlas_weekly_incremental_refresh_friday_2100" in checked

"""Run start latency of a running demo (`maint-assets demo`): seconds from a run's creation
(queued) to its start (the worker began executing), through the webserver's GraphQL API.

    .venv/bin/python bench/run_start_latency.py --url http://127.0.0.1:3000 --runs 5

Launches ``--runs`` runs of ``--job`` (a small check-only job by default) one after the other,
waiting for each to finish, then prints queued -> started for them and for the automation's
recent runs. Compare instance settings (dagster.yaml) by restarting the demo between two runs
of this script.
"""

import argparse
import statistics
import time

import requests

LAUNCH = """mutation($job: String!) {
  launchRun(executionParams: {selector: {repositoryLocationName: "maint_assets",
      repositoryName: "__repository__", jobName: $job}, runConfigData: "{}"}) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
RUN = """query($id: ID!) { runOrError(runId: $id) { ... on Run {
  status creationTime startTime endTime } } }"""
RECENT = """{ runsOrError(limit: 50) { ... on Runs { results {
  runId jobName status creationTime startTime tags { key value } } } } }"""
DONE = {"SUCCESS", "FAILURE", "CANCELED"}


def graphql(url: str, query: str, **variables: object) -> dict:
    answer = requests.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60
    ).json()
    if "errors" in answer:
        raise RuntimeError(answer["errors"])
    return answer["data"]


def launch_and_wait(url: str, job: str) -> dict:
    launched = graphql(url, LAUNCH, job=job)["launchRun"]
    if launched["__typename"] != "LaunchRunSuccess":
        raise RuntimeError(launched)
    run_id = launched["run"]["runId"]
    while True:
        run = graphql(url, RUN, id=run_id)["runOrError"]
        if run["status"] in DONE:
            return run
        time.sleep(0.5)


def summary(label: str, latencies: list[float]) -> str:
    if not latencies:
        return f"{label}: no run"
    return (
        f"{label}: n={len(latencies)} median {statistics.median(latencies):.1f} s, "
        f"min {min(latencies):.1f} s, max {max(latencies):.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--job", default="atlas_change_log_watch")
    args = parser.parse_args()
    launched = []
    for _ in range(args.runs):
        run = launch_and_wait(args.url, args.job)
        launched.append(run["startTime"] - run["creationTime"])
    print(summary(f"launched {args.job}, queued -> started", launched))
    recent = graphql(args.url, RECENT)["runsOrError"]["results"]
    automation = [
        r["startTime"] - r["creationTime"]
        for r in recent
        if r["startTime"]
        and any(t["key"] == "dagster/from_automation_condition" for t in r["tags"])
    ]
    print(summary("automation runs (last 50 runs), queued -> started", automation))


if __name__ == "__main__":
    main()

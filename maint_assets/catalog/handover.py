"""How the catalogue's steps hand over: each reads the artifact its upstream step recorded
(core/restores.py), never the newest file of a folder."""

import dagster as dg

from maint_assets.core.artifacts import Artifact, ArtifactStore
from maint_assets.core.restores import ArtifactMissing, Recorded, recorded_artifact


def upstream_artifact(
    context: dg.AssetExecutionContext, artifacts: ArtifactStore, source: Recorded
) -> Artifact:
    """The artifact the upstream step recorded in this run, else in its latest
    materialization; never the newest file of the folder, which a run going at the same time
    (or a person) may have written."""
    try:
        return recorded_artifact(context.instance, context.run.run_id, artifacts, source)
    except ArtifactMissing as err:
        raise dg.Failure(f"{err}: materialize the step before") from None

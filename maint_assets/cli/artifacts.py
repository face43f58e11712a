"""`maint-assets artifacts`: the artifact store the code location uses (MAINT_ARTIFACTS_*)."""

from __future__ import annotations

import argparse

from maint_assets.definitions import artifact_store


def adopt(args: argparse.Namespace) -> int:
    # The environment's values: the code location's resource holds EnvVar references.
    store = artifact_store().process_config_and_initialize()
    adopted = store.adopt(args.folder, args.former, args.source)
    for artifact in adopted:
        print(artifact.key)
    print(
        f"{len(adopted)} artifacts of {store.describe()}/{args.folder} named {args.former!r} "
        f"are now {args.source!r}'s: the next backup's retention counts and prunes them"
    )
    return 0

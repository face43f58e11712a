"""A run's whole configuration checked by its first step, before any work.

Dagster checks run config against each op's schema when the run is launched, but the bounds
and lengths of a ``dg.Config`` class (its pydantic validators) only when the op using it
starts: in a run of several steps, the ones before it would have done their work (an extract,
a dump) for nothing. Steps call ``check_run_config`` first: every op's config in the run is
built through its ``dg.Config`` class, and the first value one refuses fails the run there.
"""

import dagster as dg
import pydantic


def check_run_config(context: dg.AssetExecutionContext) -> None:
    """Raise dg.Failure naming the op and the field when a value of the run's config is refused
    by its op's Config class."""
    for name, node_config in (context.run.run_config.get("ops") or {}).items():
        compute = context.job_def.graph.node_named(name).definition.compute_fn
        has_config = getattr(compute, "has_config_arg", lambda: False)()
        config_type = compute.get_config_arg().annotation if has_config else None
        if not (isinstance(config_type, type) and issubclass(config_type, dg.Config)):
            continue
        try:
            config_type(**(node_config or {}).get("config", {}))
        except pydantic.ValidationError as err:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']} (got {e['input']!r})"
                for e in err.errors()
            )
            raise dg.Failure(
                f"invalid config for {name}: {problems}; nothing was done in this run"
            ) from None

"""Resource settings from the environment, the one way every resource is configured.

Settings are ``dg.EnvVar`` fields, resolved by Dagster when a run or sensor tick builds the
resource (never stored in the definitions, never shown in the UI). Dagster's ``EnvVar`` has no
default and fails the run when its variable is unset, so an optional setting (one whose absence
switches a feature off or keeps a default) is an ``EnvVar`` only when its variable is set when
the code location loads. Secrets are never optional settings: a password is read when it is
used (see ``core/notify.py``), so one set after the code location loaded still works.
"""

import os
from typing import TypeVar

import dagster as dg

T = TypeVar("T")


def optional_env(variable: str, default: T) -> dg.EnvVar | T:
    """``dg.EnvVar(variable)`` when ``variable`` is set, else ``default``."""
    return dg.EnvVar(variable) if variable in os.environ else default


def optional_int_env(variable: str, default: int) -> dg.EnvVar | int:
    """``dg.EnvVar.int(variable)`` when ``variable`` is set, else ``default``."""
    return dg.EnvVar.int(variable) if variable in os.environ else default

"""transfer_vn configurations derived from the operator's own file, which is never edited.

The runbook rewrote ``start_date`` in the operator's YAML with sed, which silently did nothing
when the line was commented out (as in Client-API-VN's template) and then re-downloaded the
whole history. Here each run writes a generated file: the operator's settings, with the
database and schema of this run and the window's start date set as keys, not as text.
Client-API-VN's own loader validates the result before transfer_vn sees it.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import yaml

SECRET_KEYS = ("db_pw", "db_secret_key", "user_pw", "client_key", "client_secret")


class ToolConfigError(ValueError):
    """The operator's transfer_vn configuration cannot be used; the message names the file."""


def load(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as err:
        raise ToolConfigError(f"cannot read the transfer_vn configuration {path}: {err}") from None
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ToolConfigError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(config, dict) or not isinstance(config.get("site"), dict):
        raise ToolConfigError(f"{path} has no `site:` section; is it a transfer_vn YAML file?")
    return config


def derive(
    user: dict[str, Any],
    *,
    schema: str,
    database: dict[str, Any],
    start_date: date | None = None,
    controlers: set[str] | None = None,
    run_at: datetime | None = None,
    column_schema: str | None = None,
) -> dict[str, Any]:
    """The operator's configuration writing into ``schema`` of ``database`` (db_host, db_port,
    db_name, db_user, db_pw). With ``start_date``, a download of the window from that date to
    now (any ``end_date`` is dropped). With ``controlers``, exactly those are enabled; with
    ``run_at`` (UTC), each enabled one is scheduled once, at that second, so that
    ``--update`` runs its job then instead of whenever the operator's cron fields match.
    ``column_schema`` replaces ``db_schema_vn`` (``--col_tables_create`` drops and rebuilds it)."""
    config = _copy(user)
    db = config.setdefault("database", {})
    db.update(database, enabled=True, db_schema_import=schema)
    if column_schema is not None:
        db["db_schema_vn"] = column_schema
    filters = config.get("filter") or {}
    if start_date is not None:
        filters.pop("end_date", None)
        filters["start_date"] = start_date
    if filters:
        config["filter"] = filters
    else:
        config.pop("filter", None)  # an empty `filter:` is invalid for Client-API-VN
    for name, ctrl in (config.get("controler") or {}).items():
        if controlers is not None:
            ctrl["enabled"] = name in controlers
        if run_at is not None and _true(ctrl.get("enabled")):
            # Str values: strictyaml's schedule schema refuses integers
            ctrl["schedule"] = {
                field: str(getattr(run_at, field))
                for field in ("year", "month", "day", "hour", "minute", "second")
            }
    return config


def type_date(config: dict[str, Any]) -> str:
    return str((config.get("filter") or {}).get("type_date", "sighting"))


def enabled_controlers(config: dict[str, Any]) -> set[str]:
    return {
        name
        for name, ctrl in (config.get("controler") or {}).items()
        if isinstance(ctrl, dict) and _true(ctrl.get("enabled"))
    }


def enabled_sites(config: dict[str, Any]) -> list[str]:
    """The sites transfer_vn downloads (``full_download`` skips a site whose ``enabled`` is
    false), in the configuration's order."""
    return [
        name for name, site in (config.get("site") or {}).items()
        if isinstance(site, dict) and _true(site.get("enabled", True))
    ]


def _true(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "yes", "on", "1")


def secrets(config: dict[str, Any]) -> list[str]:
    """Every password and key in the configuration, to keep out of logs and errors."""
    found = [str((config.get("database") or {}).get(k, "")) for k in SECRET_KEYS]
    for site in (config.get("site") or {}).values():
        if isinstance(site, dict):
            found += [str(site.get(k, "")) for k in SECRET_KEYS]
    found = [form for s in found for form in _forms(s)]
    return sorted({s for s in found if len(s) >= 3}, key=len, reverse=True)


def _forms(secret: str) -> set[str]:
    """The ways a secret can be written in a log line: as it is; URL-encoded, since
    transfer_vn sends the API password as a query parameter (urlencode with quote, so a space
    is %20, not quote_plus's +), with either library's safe characters and either case of hex
    digits; and as Python and JSON escape non-ASCII characters in a repr or a dump."""
    encoded = {
        encode(secret, safe=safe) for encode in (quote, quote_plus) for safe in ("", "/")
    }
    encoded |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), e) for e in encoded}
    escaped = {
        secret.encode("unicode_escape").decode("ascii"),
        str(secret.encode())[2:-1],
        json.dumps(secret)[1:-1],
    }
    return {secret} | encoded | escaped


def dump(config: dict[str, Any]) -> str:
    # Block style only: Client-API-VN's strictyaml refuses flow mappings and sequences.
    return yaml.safe_dump(config, default_flow_style=False, sort_keys=False, indent=4)


def _copy(value: Any) -> Any:
    """A deep copy without empty lists, which YAML can only write in flow style (``[]``)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value

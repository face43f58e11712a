"""transfer_vn's own download jobs, one after the other in one process.

Run by Client-API-VN's virtualenv (it imports only Client-API-VN 2.12):
``python transfer_vn_jobs.py full|update <config>``. It sets up transfer_vn's logging as its
``main()`` does, then calls the job functions that ``transfer_vn --full`` and ``--update``
schedule (``full_download_1``, ``increment_download_1``), with the same arguments and in the
order ``full_download`` adds them: Fields once, then per enabled site Entities, Families,
LocalAdminUnits, Observations, Observers, Places, Species, TaxoGroup, TerritorialUnits,
Validations (``--update``: each enabled controler of each enabled site). The job of a
disabled controler is skipped (transfer_vn's only connects to the database, then checks the
flag and returns). A job that raises is logged "The job <Name>_<site>
crashed", as transfer_vn's scheduler listener does, and the others still run.

Why not the CLI: transfer_vn runs these jobs in an APScheduler ProcessPoolExecutor that forks
while its main thread writes its log; a worker forked while that thread held the log file's
buffer lock waits for it forever (seen here: both workers blocked in
``logging.StreamHandler.flush`` under ``full_download_1``, the parent polling them). With
the template's second site disabled, its "Skipping site" line is written right then; 3 of
about 8 such runs hung here.

Client-API-VN calls requests without a timeout, so a server that accepts the connection and
never answers would hold the job until the run's own limit (ClientApiVn.timeout_s). Here
every request without one gets ``REQUEST_TIMEOUT_ENV`` seconds (to connect, and between two
reads of the answer), and a request that times out stops the remaining jobs: the run fails
anyway, and each of them would wait as long on the same server.

Client-API-VN's ``_url_get`` reads an answer's JSON as the first bracketed text of it, and
takes an HTTP 2xx answer holding none (a PHP error page printed with status 200, a proxy's
maintenance page, a redirect to one) as an empty object, without logging anything. For a
diff, ``Observations.update`` and ``Places.update`` then iterate over it ("Received 0 updated
and 0 deleted items") after moving the watermark, and so does an empty object answered
there: the poll would end well, be recorded, and lose every change since the last one. Here
such an answer fails its job, naming the call.

A diff's deleted sighting or place that the copy does not hold leaves no trace: the delete
removes nothing, so the capture trigger (bookkeeping.sql) never fires. With
``REPORTED_DELETIONS_ENV`` set, every id ``delete_obs`` and ``delete_place`` are given is
written to that file first (one JSON object a line, with the database's ``now()`` that the
trigger would have recorded), for the project to record as the source's own deletion
signal (polls.py).
"""

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import date, datetime
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from export_vn import store_postgresql
from export_vn.download_vn import (
    Entities,
    Families,
    Fields,
    LocalAdminUnits,
    Observations,
    Observers,
    Places,
    Species,
    TaxoGroup,
    TerritorialUnits,
    Validations,
)
from export_vn.evnconf import EvnConf
from export_vn.store_postgresql import StorePostgresql
from export_vn.transfer_vn import CTRL_DEFS, full_download_1, increment_download_1
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter
from sqlalchemy import text

REQUEST_TIMEOUT_ENV = "MAINT_VN_REQUEST_TIMEOUT_S"
REPORTED_DELETIONS_ENV = "MAINT_VN_REPORTED_DELETIONS"
SITE_TIMEZONE_ENV = "MAINT_VN_SITE_TIMEZONE"
FULL_ORDER = (Entities, Families, LocalAdminUnits, Observations, Observers, Places, Species,
              TaxoGroup, TerritorialUnits, Validations)
logger = logging.getLogger("transfer_vn")


# biolovision/api.py _url_get: the JSON it reads in an answer (one line, no DOTALL)
_JSON_TEXT = re.compile(r"([\[{].*[}\]])")
_DIFF = re.compile(r"/api/(observations|places)/diff/?$")


class UnreadableAnswer(requests.RequestException):
    """A 2xx answer Client-API-VN would take for an empty one without saying so."""


def _checked(request: PreparedRequest, response: Response) -> None:
    if request.method not in ("GET", "POST") or not 200 <= response.status_code < 300:
        return
    text = response.text
    found = _JSON_TEXT.findall(text)
    path = urlsplit(request.url).path  # not the query: it holds the API password
    if len(text) > 1 and not found:
        raise UnreadableAnswer(
            f"{request.method} {path} answered HTTP {response.status_code} with nothing "
            f"Client-API-VN reads as JSON (it would take it for an empty answer): {text[:200]!r}"
        )
    if found and _DIFF.search(path):
        try:
            value = json.loads(found[0])
        except ValueError:
            return  # _url_get logs it at ERROR, which fails the run
        if not isinstance(value, list):
            raise UnreadableAnswer(
                f"{request.method} {path} answered HTTP {response.status_code} with "
                f"{type(value).__name__} JSON, not a list of changes: {text[:200]!r}"
            )


def _wrap_send(seconds: float) -> None:
    send = HTTPAdapter.send

    def checked_send(
        self: HTTPAdapter, request: PreparedRequest, stream: bool = False,
        timeout: float | tuple[float, float] | None = None, **kwargs: object,
    ) -> Response:
        if timeout is None and seconds > 0:
            timeout = seconds
        response = send(self, request, stream=stream, timeout=timeout, **kwargs)
        _checked(request, response)
        return response

    HTTPAdapter.send = checked_send


def _record_deletions(path: str) -> None:
    """Write each id the diff reported deleted to ``path`` before transfer_vn deletes it."""
    for method, table in (("delete_obs", "observations_json"), ("delete_place", "places_json")):
        setattr(StorePostgresql, method, _recording(getattr(StorePostgresql, method), table, path))


def _recording(
    delete: Callable[[StorePostgresql, list], int], table: str, path: str,
) -> Callable[[StorePostgresql, list], int]:
    def recorded(self: StorePostgresql, ids: list) -> int:
        if self._config.db_enabled and ids:
            now = self._conn.execute(text("SELECT extract(epoch FROM now())::bigint")).scalar()
            with open(path, "a", encoding="utf-8") as out:
                # Not synced: a run that dies records nothing, and the next poll asks again.
                for item_id in ids:
                    out.write(json.dumps({"table": table, "site": self._config.site,
                                          "id": int(item_id), "at": now}) + "\n")
        return delete(self, ids)

    return recorded


def _site_days(zone_name: str) -> None:
    """The days of a form's sightings (its date_start and date_stop) in the site's time zone.
    _store_observation takes them as ``date.fromtimestamp(date.@timestamp)``, in the local
    time of the process, and the API's @timestamp is midnight of the site's day: run in UTC
    (a container), every form would be stored a day early, unlike production's live sync on
    a server in the site's zone, and the repair would write that day over production's.
    ``date`` is used for nothing else in store_postgresql."""
    zone = ZoneInfo(zone_name)

    class SiteDate(date):
        @classmethod
        def fromtimestamp(cls, t: float) -> date:
            return datetime.fromtimestamp(t, zone).date()

    store_postgresql.date = SiteDate


def _timed_out(err: BaseException | None) -> bool:
    while err is not None:
        if isinstance(err, requests.Timeout):
            return True
        err = err.__cause__ or err.__context__
    return False


class MaskingFormatter(logging.Formatter):
    """transfer_vn's format, with the API password of the URLs in tracebacks (a query
    parameter) masked: its log file stays in the work directory for 100 days."""

    def format(self, record: logging.LogRecord) -> str:
        return _PASSWORD.sub(r"\1***", super().format(record))


_PASSWORD = re.compile(r"(user_pw=)[^&\s'\"]+")


def main(mode: str, file: str) -> int:
    timeout = float(os.environ.get(REQUEST_TIMEOUT_ENV) or 0)
    _wrap_send(timeout)
    if os.environ.get(REPORTED_DELETIONS_ENV):
        _record_deletions(os.environ[REPORTED_DELETIONS_ENV])
    if os.environ.get(SITE_TIMEZONE_ENV):
        _site_days(os.environ[SITE_TIMEZONE_ENV])
    (Path.home() / "tmp").mkdir(exist_ok=True)
    formatter = MaskingFormatter("%(asctime)s - %(levelname)s - %(name)s - %(message)s")
    for handler in (
        TimedRotatingFileHandler(str(Path.home() / "tmp" / "transfer_vn.log"),
                                 when="midnight", interval=1, backupCount=100),
        logging.StreamHandler(),
    ):
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    conf = EvnConf(file)
    sites = [cfg for cfg in conf.site_list.values() if cfg.enabled]
    names = {ctrl: name for name, ctrl in CTRL_DEFS.items()}
    if mode == "full":
        jobs = [(Fields, next(iter(conf.site_list.values())))]
        jobs += [(ctrl, cfg) for cfg in sites for ctrl in FULL_ORDER]
        jobs = [(ctrl, cfg) for ctrl, cfg in jobs if conf.ctrl_list[names[ctrl]].enabled]
        run = full_download_1
    else:
        jobs = [(CTRL_DEFS[name], cfg) for cfg in sites
                for name, ctrl in conf.ctrl_list.items() if ctrl.enabled]
        run = increment_download_1
    for ctrl, cfg in jobs:
        try:
            run(ctrl, conf.ctrl_list, cfg)
        except Exception as err:
            logger.exception("Job %s_%s", ctrl.__name__, cfg.site)
            logger.error("The job %s_%s crashed", ctrl.__name__, cfg.site)
            if _timed_out(err):
                logger.error("%s did not answer within %g s; the remaining jobs are not run",
                             cfg.site, timeout)
                break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

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
"""

import logging
import os
import re
import sys
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path

import requests
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
from export_vn.transfer_vn import CTRL_DEFS, full_download_1, increment_download_1
from requests import PreparedRequest, Response
from requests.adapters import HTTPAdapter

REQUEST_TIMEOUT_ENV = "MAINT_VN_REQUEST_TIMEOUT_S"
FULL_ORDER = (Entities, Families, LocalAdminUnits, Observations, Observers, Places, Species,
              TaxoGroup, TerritorialUnits, Validations)
logger = logging.getLogger("transfer_vn")


def _default_timeout(seconds: float) -> None:
    send = HTTPAdapter.send

    def send_with_timeout(
        self: HTTPAdapter, request: PreparedRequest, stream: bool = False,
        timeout: float | tuple[float, float] | None = None, **kwargs: object,
    ) -> Response:
        return send(self, request, stream=stream,
                    timeout=seconds if timeout is None else timeout, **kwargs)

    HTTPAdapter.send = send_with_timeout


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
    if timeout > 0:
        _default_timeout(timeout)
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

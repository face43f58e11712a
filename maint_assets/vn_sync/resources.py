"""The VisioNature domain's resources: the mirror's database and Client-API-VN's transfer_vn."""

import dagster as dg

from maint_assets.core.postgres import PostgresResource
from maint_assets.core.settings import optional_env
from maint_assets.vn_sync.client_api_vn import (
    DEFAULT_VENV,
    DEFAULT_WORK_DIR,
    VENV_ENV,
    WORK_DIR_ENV,
    ClientApiVn,
)

DATABASE_URL_ENV = "VN_DATABASE_URL"
TRANSFER_VN_CONFIG_ENV = "VN_TRANSFER_VN_CONFIG"


def resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "vn_db": PostgresResource(url=dg.EnvVar(DATABASE_URL_ENV)),
        "client_api_vn": ClientApiVn(
            config_file=dg.EnvVar(TRANSFER_VN_CONFIG_ENV),
            venv=optional_env(VENV_ENV, str(DEFAULT_VENV)),
            work_dir=optional_env(WORK_DIR_ENV, str(DEFAULT_WORK_DIR)),
        ),
    }

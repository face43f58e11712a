"""`python -m maint_assets.cli`, as the `maint-assets` script."""

import sys

from maint_assets.cli import main

sys.exit(main())

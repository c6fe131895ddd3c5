"""``python -m homeops_gen``."""

import sys

from homeops_gen.cli import main

sys.exit(main())

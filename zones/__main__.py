"""``python -m zones``: the command-line interface (see zones/cli)."""

import sys

from zones.cli import main

sys.exit(main())

"""``python -m planner.serve``: serve the dashboards (see :mod:`planner.serve.server`)."""

import sys

from planner.serve.server import main

if __name__ == "__main__":
    sys.exit(main())

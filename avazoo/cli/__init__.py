"""The ``avazoo`` command line: thin wrappers that parse, call the public API and print.

Each sub-command lives in its own module of this package, exposing
``register(subparsers) -> None`` which adds a parser whose ``func`` default is called with the
parsed arguments and returns an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from avazoo.errors import AvazooError

# Sub-command modules, in the order ``avazoo --help`` lists them.
_COMMAND_MODULES: tuple[str, ...] = (
    "avazoo.cli.models",
    "avazoo.cli.hub",
    "avazoo.cli.data",
    "avazoo.cli.eval",
    "avazoo.cli.evaluate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="avazoo", description="The MMAction2 AVA action-detection model zoo."
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in _COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``avazoo``; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (AvazooError, ValueError, OSError) as err:
        # Expected failures (bad input, missing files, failed downloads) get one clear line.
        print(f"avazoo {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""``python -m bench``: run the performance harness (``--help`` lists the options)."""

from __future__ import annotations

import sys

from bench.harness import run
from bench.options import parse_options


def main(argv: list[str] | None = None) -> int:
    run(parse_options(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())

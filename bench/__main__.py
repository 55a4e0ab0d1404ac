"""Run every benchmark (``python -m bench``)."""

from __future__ import annotations

import sys


def main() -> int:
    """Run the benchmarks registered so far and print their figures."""
    print("No benchmarks are registered yet.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

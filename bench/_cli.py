"""The command line every benchmark shares: ``python -m bench.X [N] [--rounds R]`` prints its JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable


def main(run: Callable[[int, int], dict], default_n: int, argv: list[str] | None = None) -> None:
    """Parse ``[N] [--rounds R]`` (rounds default 2) and print ``run(N, R)`` as one JSON line."""
    args = list(sys.argv[1:] if argv is None else argv)
    rounds = 2
    if "--rounds" in args:
        at = args.index("--rounds")
        rounds = int(args[at + 1])
        del args[at:at + 2]
    positional = [a for a in args if not a.startswith("--")]
    print(json.dumps(run(int(positional[0]) if positional else default_n, rounds), ensure_ascii=False))

"""The ``giamsat`` command walks its oldest objects less often than CPython's default."""

from __future__ import annotations

import subprocess
import sys

from giamsat.cli import FULL_COLLECTION_EVERY


def test_the_command_sets_its_full_collection_threshold_and_keeps_the_younger_ones():
    code = ("import gc, sys\n"
            "from giamsat.cli import main\n"
            "before = gc.get_threshold()\n"
            "sys.argv = ['giamsat', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(before, gc.get_threshold(), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    before, after = done.stderr.strip().splitlines()[-1].split(") (")
    young, middle, oldest = (int(x) for x in after.strip("()").split(","))
    assert (young, middle) == tuple(int(x) for x in before.strip("()").split(",")[:2])
    assert oldest == FULL_COLLECTION_EVERY > 10  # CPython's default is 10

"""``python -m giamsat`` is the ``giamsat`` command."""

from giamsat.cli import main

main()

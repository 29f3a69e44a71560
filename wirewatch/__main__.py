"""``python -m wirewatch``."""

from wirewatch.cli import main

main()

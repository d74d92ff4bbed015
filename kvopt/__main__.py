"""``python -m kvopt`` runs the command line."""

from kvopt.cli import entry

entry()

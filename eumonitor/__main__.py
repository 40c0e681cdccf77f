"""python -m eumonitor: the command line."""

from eumonitor.cli import main

main()

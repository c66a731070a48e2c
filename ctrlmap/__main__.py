"""Run the command line as `python -m ctrlmap`."""

from ctrlmap.cli import main

main()

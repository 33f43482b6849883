"""`python -m pipeline` runs the `chickgraph` command line."""

from pipeline.cli import main

main()

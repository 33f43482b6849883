"""`python -m pipeline` runs the `chickgraph` command line."""

from pipeline.cli.main import main

main()

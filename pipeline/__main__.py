"""`python -m pipeline` runs the `chickgraph` command line."""

from pipeline.cli.main import main

if __name__ == "__main__":
    main()

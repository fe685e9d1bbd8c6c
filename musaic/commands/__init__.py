"""Command groups of the `musaic` command line, one module per feature."""

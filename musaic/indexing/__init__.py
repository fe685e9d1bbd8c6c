"""Offline index pipeline: read the catalog, compute neighbour tables, write a build."""

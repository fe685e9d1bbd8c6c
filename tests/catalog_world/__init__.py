"""Test catalogs, written through the production upsert path (see tests/README.md)."""

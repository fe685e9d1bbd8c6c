"""Test catalogs, written through the production upsert path (see builder.py for how)."""

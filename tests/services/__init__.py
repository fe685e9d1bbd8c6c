"""Tests of musaic.services."""

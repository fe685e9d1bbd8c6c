"""Tests of musaic.matching."""

"""Tests of musaic.api."""

"""Tests of musaic.commands."""

"""Matchers and the similarity index behind them."""

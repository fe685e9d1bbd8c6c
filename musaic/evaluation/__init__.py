"""Offline evaluation: score matchers and baselines on held-out playlists."""

"""The matchers: one strategy per module, registered in musaic.matching.registry."""

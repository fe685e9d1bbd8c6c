"""The matcher registry: every entry is a described Matcher under its own name."""

from __future__ import annotations

import pytest

from musaic.matching.base import Matcher
from musaic.matching.registry import DEFAULT_MATCHER, MATCHERS


def test_registry_holds_the_six_matchers_with_ranked_as_default() -> None:
    assert set(MATCHERS) == {"hybrid", "ranked", "cooccurrence", "artist", "tags", "audio"}
    assert DEFAULT_MATCHER == "ranked"


@pytest.mark.parametrize("name", sorted(MATCHERS))
def test_each_matcher_is_keyed_by_its_name_and_describes_itself(name: str) -> None:
    matcher = MATCHERS[name]
    assert issubclass(matcher, Matcher)
    assert matcher.name == name
    assert matcher.description.endswith(".")
    assert matcher.signals

"""The matcher registry: adding a matcher is one module in matchers/ plus one line here."""

from __future__ import annotations

from musaic.matching.base import Matcher
from musaic.matching.matchers.artist import ArtistMatcher
from musaic.matching.matchers.audio import AudioMatcher
from musaic.matching.matchers.cooccurrence import CooccurrenceMatcher
from musaic.matching.matchers.hybrid import HybridMatcher
from musaic.matching.matchers.ranked import RankedMatcher
from musaic.matching.matchers.tags import TagsMatcher

DEFAULT_MATCHER = "ranked"  # the hybrid's order until the build has a model (index build --ranker)

MATCHERS: dict[str, type[Matcher]] = {
    m.name: m
    for m in (
        RankedMatcher,
        HybridMatcher,
        CooccurrenceMatcher,
        ArtistMatcher,
        TagsMatcher,
        AudioMatcher,
    )
}

"""Typo tolerance: read each suspicious query word as nearby indexed terms, splits or joins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy.orm import Session

from musaic.catalog.search import vocabulary
from musaic.catalog.search.backend import Alternative, SearchBackend
from musaic.catalog.search.edits import LONG_WORD, one_edit, within_edits
from musaic.models import driver

MAX_ALTERNATIVES = 10
SHARED_TRIGRAMS = 2  # a two-edit candidate holds at least this many of the word's trigrams
CONTEXT_WORDS = 3  # a two-letter word is corrected only in a query of this many words
# A word is suspicious when missing, or when a term one edit away is this many times commoner.
COMMONER = 20
KNOWN_WORD = 5000  # a word in this many documents is never read as a typo
RARE_SHORT = 2000  # a two-letter word held by fewer documents may be a typo
CONTEXT_DOCUMENTS = 200
PREFIX_FROM = 4  # a word this long may also be the start of a longer one


@dataclass(frozen=True)
class Reading:
    """The corrected reading of a query: match groups, and each word's alternatives."""

    groups: list[list[Alternative]]
    alternatives: dict[str, tuple[str, ...]]

    @property
    def corrected(self) -> bool:
        """Say whether any word gained an alternative."""
        return any(self.alternatives.values())


def _correctable(word: str, words: int) -> bool:
    return not word.isdigit() and (len(word) >= 3 or (len(word) == 2 and words >= CONTEXT_WORDS))


def _splits(word: str) -> list[tuple[str, str]]:
    """Two-word readings of a word typed without its space (`cakeby` -> `cake by`)."""
    if len(word) < 4:
        return []
    return [(word[:i], word[i:]) for i in range(1, len(word)) if len(word[i:]) > 1]


def neighbours(word: str, found: dict[str, set[str]]) -> set[str]:
    """Terms one edit away (two for long words) among those found under the word's keys."""
    candidates = set(found.get(word, ())) | {
        term for key in vocabulary.deletions(word) for term in found.get(key, ())
    }
    if len(word) < LONG_WORD:
        return {t for t in candidates if len(t) > 1 and one_edit(word, t)}
    return {t for t in candidates if t != word and within_edits(word, t)}


def close_terms(word: str, close: set[str], counts: dict[str, int]) -> list[str]:
    """Terms one edit away (two for long words), closest then commonest first."""
    ranked = sorted(close, key=lambda t: (not one_edit(word, t), -counts.get(t, 0), t))
    return ranked[:MAX_ALTERNATIVES]


def _splits_of(word: str, counts: dict[str, int]) -> list[str]:
    scored = sorted(
        (min(counts[a], counts[b]), f"{a} {b}")
        for a, b in _splits(word)
        if counts.get(a) and counts.get(b) and (len(a) > 1 or a in "ai")
    )
    return [pair for _, pair in reversed(scored[-3:])]


def _suspicion(word: str, close: set[str], counts: dict[str, int]) -> float:
    """How many times commoner the commonest close term is than the word (inf when missing)."""
    own = counts.get(word, 0)
    if own >= KNOWN_WORD:
        return 0.0
    best = max((counts.get(t, 0) for t in close), default=0)
    return float("inf") if own == 0 else best / own


def _suspects(
    words: Sequence[str], close: dict[str, set[str]], counts: dict[str, int], eager: bool
) -> list[str]:
    """Words to correct: missing or much rarer ones; when nothing matched, the likeliest too."""
    scores = {w: _suspicion(w, close[w], counts) for w in words}
    chosen = [w for w, score in scores.items() if score >= COMMONER]
    rest = sorted((score, w) for w, score in scores.items() if w not in chosen)
    if eager and rest and rest[-1][0] > 1.0:
        chosen.append(rest[-1][1])
    return chosen


def lookup(session: Session, keys: set[str]) -> tuple[dict[str, set[str]], dict[str, int]]:
    """Return the terms found under each key, and the document count of every term found."""
    found: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    for key, term, count in vocabulary.lookup(session, keys):
        found.setdefault(key, set()).add(term)
        counts[term] = count
    return found, counts


def _cooccurring(session: Session, backend: SearchBackend, anchors: Sequence[str]) -> set[str]:
    """Words of the most prominent documents holding every anchor word."""
    groups = [[Alternative(word)] for word in anchors]
    clause, params = backend.match_clause(groups)
    plan = backend.plan_for(session, groups)
    statement = backend.candidates(clause, plan, filtered=False, pool=CONTEXT_DOCUMENTS)
    rows = driver.rows(session, statement, params)
    rows.sort(key=lambda row: (-row[4], row[0]))  # the backend may return a few more
    return {
        token for row in rows[:CONTEXT_DOCUMENTS] for field in row[1:4] for token in field.split()
    }


def read(
    session: Session,
    backend: SearchBackend,
    words: Sequence[str],
    prefix_last: bool,
    eager: bool = False,
) -> Reading:
    """Return the typo-tolerant reading of `words` (vocabulary keys, then the context)."""
    pairs = {a + b for a, b in pairwise(words)}
    halves = {half for word in words for pair in _splits(word) for half in pair}
    correctable = [w for w in dict.fromkeys(words) if _correctable(w, len(words))]
    # Every key the words may need, with the counts, in one round trip (a superset is cheap).
    maybe = {k for w in correctable for k in {w, *(vocabulary.deletions(w) if len(w) > 2 else ())}}
    # and the prefix sums the bound may ask for: words cut short, the one being typed.
    starts = {w for w in words if len(w) >= PREFIX_FROM}
    if prefix_last and len(words[-1]) >= vocabulary.MIN_BOUNDED_PREFIX:
        starts.add(words[-1])
    vocabulary.prefetch(session, {*words, *pairs, *halves}, maybe, starts)
    counts = vocabulary.counts(session, {*words, *pairs, *halves})
    unknown = [w for w in correctable if counts.get(w, 0) < KNOWN_WORD]
    keys = {w for w in unknown} | {
        k
        for w in unknown
        if len(w) > 2 or counts.get(w, 0) < RARE_SHORT
        for k in vocabulary.deletions(w)
    }
    found, more = lookup(session, keys)
    counts.update(more)
    close = {w: neighbours(w, found) for w in unknown}
    for word in unknown:  # two edits: terms holding two of the word's trigrams
        near = any(one_edit(word, t) for t in close[word])
        split = bool(_splits_of(word, counts))
        if len(word) >= LONG_WORD and word not in counts and not near and not split:
            sharing = backend.terms_sharing_trigrams(session, word, SHARED_TRIGRAMS)
            found.setdefault(word, set()).update(sharing)
            counts.update(vocabulary.counts(session, sharing))
            close[word] = neighbours(word, found)
    alternatives: dict[str, tuple[str, ...]] = {w: () for w in words}
    for word in _suspects(unknown, close, counts, eager):
        alternatives[word] = (*close_terms(word, close[word], counts), *_splits_of(word, counts))
    _refine_with_context(session, backend, words, alternatives, close, counts)
    return Reading(_groups(words, prefix_last, alternatives, counts), alternatives)


def _refine_with_context(
    session: Session,
    backend: SearchBackend,
    words: Sequence[str],
    alternatives: dict[str, tuple[str, ...]],
    close: dict[str, set[str]],
    counts: dict[str, int],
) -> None:
    """For a word with more close terms than fit, prefer those the other words appear with."""
    crowded = [w for w in alternatives if len(close.get(w, ())) > MAX_ALTERNATIVES]
    anchors = [w for w in words if not alternatives.get(w) and counts.get(w)]
    crowded = [w for w in crowded if alternatives.get(w)]
    if not crowded or not anchors:
        return
    context = _cooccurring(session, backend, anchors)
    for word in crowded:
        seen = sorted((t for t in close[word] if t in context), key=lambda t: -counts.get(t, 0))
        alternatives[word] = tuple(dict.fromkeys([*seen[:MAX_ALTERNATIVES], *alternatives[word]]))


def _groups(
    words: Sequence[str],
    prefix_last: bool,
    alternatives: dict[str, tuple[str, ...]],
    counts: dict[str, int],
) -> list[list[Alternative]]:
    """One group per word (or per pair typed with a space too many), any alternative will do."""
    groups: list[list[Alternative]] = []
    index = 0
    while index < len(words):
        word, last = words[index], index == len(words) - 1
        joined = None if last else word + words[index + 1]
        if joined and counts.get(joined):
            groups.append(
                [
                    Alternative(
                        f"{word} {words[index + 1]}",
                        prefix=index + 1 == len(words) - 1 and prefix_last,
                    ),
                    Alternative(joined),
                ]
            )
            alternatives[word] = (*alternatives[word], joined)
            alternatives[words[index + 1]] = (*alternatives[words[index + 1]], joined)
            index += 2
            continue
        # A word cut short mid-query is not a word: it may be the start of one.
        cut = len(word) >= PREFIX_FROM and not counts.get(word)
        prefix = cut or (last and prefix_last)
        groups.append(
            [
                Alternative(word, prefix=prefix),
                *(Alternative(t) for t in alternatives.get(word, ())),
            ]
        )
        index += 1
    return groups

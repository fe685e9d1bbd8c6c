"""Edit distances between a typed word and an indexed term (transpositions count as one)."""

from __future__ import annotations

from functools import lru_cache

LONG_WORD = 7  # from this length a word may carry two edits


def edit_distance(a: str, b: str, ceiling: int) -> int:
    """Return the edit distance (with transpositions) of a and b, capped at ceiling + 1."""
    if abs(len(a) - len(b)) > ceiling:
        return ceiling + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > ceiling:
            return ceiling + 1
        previous2, previous = previous, current
    return min(previous[-1], ceiling + 1)


def one_edit(a: str, b: str) -> bool:
    """Say whether b is one insertion, deletion, substitution or adjacent swap away from a."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    swapped = a[i + 1 : i + 2] == b[i : i + 1] and a[i : i + 1] == b[i + 1 : i + 2]
    return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])


@lru_cache(maxsize=4096)
def within_edits(word: str, term: str) -> bool:
    """Say whether term is one edit from word, or two when word is long."""
    return one_edit(word, term) or edit_distance(word, term, 2) <= 2

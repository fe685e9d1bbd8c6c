"""The pieces typo tolerance is built from: edits, deletion keys, trigram sets, rowid order."""

from __future__ import annotations

import pytest

from musaic.catalog.search.backend import ranked_rowid, trigram_sets
from musaic.catalog.search.edits import edit_distance, one_edit
from musaic.catalog.search.query import tokenize
from musaic.catalog.search.vocabulary import deletions, term_keys


@pytest.mark.parametrize(
    ("typed", "term", "expected"),
    [
        ("plns", "plans", True),  # dropped
        ("bby", "by", True),  # doubled
        ("bohemain", "bohemian", True),  # swapped
        ("qeen", "queen", True),
        ("ou", "you", True),
        ("abc", "abd", True),  # replaced
        ("abc", "cab", False),  # two edits
        ("love", "love", False),  # no edit
        ("lvoe", "loves", False),
    ],
)
def test_one_edit_agrees_with_the_edit_distance(typed: str, term: str, expected: bool) -> None:
    assert one_edit(typed, term) is expected
    assert (edit_distance(typed, term, 1) == 1) is expected


def test_a_query_word_and_a_term_one_edit_apart_share_a_deletion_key() -> None:
    for typed, term in (("plns", "plans"), ("bohemain", "bohemian"), ("bby", "by")):
        assert ({typed} | deletions(typed)) & term_keys(term)


def test_numbers_and_single_letters_are_filed_only_under_themselves() -> None:
    assert term_keys("1999") == {"1999"}
    assert term_keys("a") == {"a"}


def test_trigram_sets_choose_pairs_of_distinct_trigrams() -> None:
    sets = trigram_sets("solitude", 2)
    assert ("itu", "lit") in sets  # sorted within a set
    assert len(sets) == 15  # six trigrams, two at a time
    assert trigram_sets("ab", 2) == []


def test_ranked_rowids_sort_by_prominence_then_track_id() -> None:
    rows = [(3, 50.0), (1, 50.0), (2, 80.25), (4, 0.0)]
    ordered = sorted(rows, key=lambda r: ranked_rowid(*r))
    assert [track_id for track_id, _ in ordered] == [2, 1, 3, 4]


def test_tokens_join_apostrophes_and_read_ft_as_feat() -> None:
    assert tokenize("Don\u2019t Stop (ft. Ed) & Rock 'n' Roll") == [
        "dont",
        "stop",
        "feat",
        "ed",
        "and",
        "rock",
        "n",
        "roll",
    ]

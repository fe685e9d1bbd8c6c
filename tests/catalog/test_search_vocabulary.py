"""Writing the typo vocabulary: counts add up, new terms get their keys and trigrams."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text, update

from musaic.catalog.search import backend_for, index_tracks, vocabulary
from musaic.extensions import db
from musaic.models import Track
from tests.catalog_world.builder import CatalogBuilder


def test_terms_added_twice_sum_their_counts_and_new_ones_are_found_by_typo(
    app_context: Any,
) -> None:
    session = db.session()
    backend_for(session).clear(session)  # the vocabulary is no model: emptying tables skips it
    vocabulary.add_terms(session, {"plans": 2, "bohemian": 1})
    vocabulary.add_terms(session, {"plans": 3, "zebra": 1, "déjà": 4})
    session.commit()

    assert vocabulary.counts(session, ["plans", "bohemian", "zebra", "déjà"]) == {
        "plans": 5,
        "bohemian": 1,
        "zebra": 1,
        "déjà": 4,
    }
    assert ("plns", "plans", 5) in vocabulary.lookup(session, ["plns"])
    keys = session.scalar(text("SELECT count(*) FROM track_search_term_keys WHERE term = 'plans'"))
    assert keys == len(vocabulary.term_keys("plans"))  # filed once, not once per add
    backend = backend_for(session)
    assert "zebra" in backend.terms_sharing_trigrams(session, "zebras", 2)
    assert "bohemian" in backend.terms_sharing_trigrams(session, "bohemain", 2)


def test_sqlite_numbers_new_terms_in_term_order(app_context: Any) -> None:
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL keys terms by the term itself")
    backend_for(session).clear(session)
    vocabulary.add_terms(session, {"zebra": 1, "apple": 1})
    vocabulary.add_terms(session, {"mango": 1, "apple": 1})
    terms = session.scalars(text("SELECT term FROM track_search_terms ORDER BY id")).all()
    assert terms == ["apple", "zebra", "mango"]


def test_rewriting_a_document_moves_the_vocabulary_by_its_change_only(app_context: Any) -> None:
    session = db.session()
    backend_for(session).clear(session)
    builder = CatalogBuilder()
    song = builder.track("Yellow Submarine", ["Beatles"])
    other = builder.track("Yellow Ledbetter", ["Pearl Jam"])
    builder.commit()
    index_tracks([song, other])
    index_tracks([song])  # as an import that only recounted the track does
    index_tracks([song, other])
    session.commit()
    assert vocabulary.counts(session, ["yellow", "submarine", "beatles"]) == {
        "yellow": 2,
        "submarine": 1,
        "beatles": 1,
    }

    session.execute(update(Track).where(Track.id == song).values(title="Octopus Garden"))
    index_tracks([song])
    session.commit()
    counts = vocabulary.counts(session, ["yellow", "submarine", "octopus"])
    assert counts.get("submarine", 0) == 0 and counts["yellow"] == 1 and counts["octopus"] == 1
    assert all(term != "submarine" for _, term, _ in vocabulary.lookup(session, ["submarin"]))
    keys = session.scalar(
        text("SELECT count(*) FROM track_search_term_keys WHERE term = 'submarine'")
    )
    assert keys == 0
    assert "submarine" not in backend_for(session).terms_sharing_trigrams(session, "submarin", 2)

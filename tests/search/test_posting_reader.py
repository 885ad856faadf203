"""The Whoosh backend's posting reader (whoosh_backend._LeafMatcher) moves through postings by
bisection instead of one posting at a time: it must stop where Whoosh's own reader stops."""
from __future__ import annotations

import random

from whoosh import index
from whoosh.codec import whoosh3
from whoosh.fields import TEXT, Schema

from forum.search.backends import whoosh_backend

WORDS = ("alpha", "beta", "gamma", "delta", "omega")


def _walk(reader, term: str, steps: list[tuple[str, int]]) -> list[tuple[int, float]]:
    matcher = reader.postings("body", term)
    seen = []
    for kind, target in steps:
        if not matcher.is_active():
            break
        if kind == "skip":
            matcher.skip_to(target)
        else:
            matcher.next()
        if matcher.is_active():
            seen.append((matcher.id(), matcher.weight()))
    return seen


def test_the_posting_reader_stops_where_whooshs_own_does(tmp_path, monkeypatch):
    assert whoosh3.W3LeafMatcher is whoosh_backend._LeafMatcher  # installed on import
    chooser = random.Random(15)
    ix = index.create_in(str(tmp_path), Schema(body=TEXT()))
    writer = ix.writer()
    for _ in range(5000):  # many posting blocks per word
        writer.add_document(body=" ".join(chooser.choice(WORDS) for _ in range(chooser.randint(1, 5))))
    writer.commit()
    own = whoosh_backend.W3LeafMatcher  # Whoosh's class, as imported before ours replaced it
    assert own is not whoosh_backend._LeafMatcher
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for term in WORDS:
            target = 0
            steps = []
            for _ in range(400):
                target += chooser.choice((0, 1, 2, 3, 7, 20))
                steps.append((chooser.choice(("skip", "skip", "next")), target))
            ours = _walk(reader, term, steps)
            monkeypatch.setattr(whoosh3, "W3LeafMatcher", own)
            theirs = _walk(reader, term, steps)
            monkeypatch.setattr(whoosh3, "W3LeafMatcher", whoosh_backend._LeafMatcher)
            assert isinstance(reader.postings("body", term), whoosh_backend._LeafMatcher)
            assert ours == theirs and len(ours) > 100

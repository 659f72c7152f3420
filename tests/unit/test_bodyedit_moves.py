"""Where a page's summaries are once some of its bytes are replaced (bodyedit._moved_spans):
one walk through the page's places, checked against moving each place on its own."""

from __future__ import annotations

import itertools
import random

from allysite import bodyedit


def test_the_walk_moves_each_place_as_moving_it_alone_does() -> None:
    chance = random.Random(5)
    tried = 0
    while tried < 3000:
        spans, at = [], 0
        for _ in range(chance.randint(0, 12)):
            at += chance.randint(0, 30)
            length = chance.randint(1, 20)
            spans.append((f"t{chance.randint(0, 3)}.md", chance.choice("hjx"), at, length))
            at += length
        count = chance.randint(0, min(3, len(spans)))
        moves = [(s[2], s[3], b"x" * chance.randint(0, 40)) for s in chance.sample(spans, count)]
        if chance.random() < 0.3:  # bytes that are no summary (a body), which may overlap one
            moves.append((chance.randint(0, at + 10), chance.randint(1, 25), b"body"))
        moves.sort(key=lambda move: move[0])
        if any(a[0] + a[1] > b[0] for a, b in itertools.pairwise(moves)):
            continue  # (changes that overlap each other are refused before)
        tried += 1
        alone = []
        for source, form, start, length in spans:
            place = bodyedit._moved(start, length, moves)
            alone.append(None if place is None else (source, form, *place))
        expected = None if None in alone else tuple(alone)
        assert bodyedit._moved_spans(spans, moves) == expected


def test_places_out_of_order_are_not_moved() -> None:
    spans = [("a.md", "h", 40, 5), ("a.md", "h", 10, 5)]
    assert bodyedit._moved_spans(spans, [(40, 5, b"abc")]) is None

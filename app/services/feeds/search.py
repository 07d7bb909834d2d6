"""Chinese full-text search for the government feeds: one bigram index serves all four.

Chinese is written without spaces, so no word tokenizer is needed or trusted: every
searchable text (title, summary, description, name) is lower-cased and cut into
overlapping two-character terms (海参精深加工 → 海参 参精 精深 深加 加工), stored in
`search_terms` (resource, term, item_id). Its primary key is a B-tree on SQLite and
on PostgreSQL alike, so one mechanism works on both, and a term lookup reads only the
items that contain it (PostgreSQL's pg_trgm needs three characters and so cannot
serve the two-character words that most Chinese queries are).

A query `q` of n ≥ 2 characters is cut the same way. An item matches when it holds
every bigram of `q` (one index range per bigram, grouped by item); for n ≥ 3, where
the bigrams might occur apart, the candidates are confirmed with a literal substring
test. Every value is a bound parameter and the substring test escapes `%`, `_` and
`\\`, so these and `'` are searched for as themselves. Queries of one character are
refused with 422 (the routes declare `min_length=2`): a single character is not
selective, and answering it means scanning every row, which this index exists to avoid.

Results rank by relevance (the query in the first text field, e.g. the title, before
the next ones) and then by recency.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from app.models.search_term import SearchTerm
from app.services.query import contains


def bigrams(*texts: str | None) -> set[str]:
    """The distinct two-character terms of `texts`, lower-cased (none spans two texts)."""
    terms: set[str] = set()
    for text in texts:
        if text:
            lowered = text.lower()
            terms.update(lowered[i : i + 2] for i in range(len(lowered) - 1))
    return terms


def term_rows(resource: str, item_id: int, texts: Iterable[str | None]) -> list[dict[str, Any]]:
    """The `search_terms` rows of one item (also used by the benchmark's bulk load)."""
    return [{"resource": resource, "term": term, "item_id": item_id} for term in bigrams(*texts)]


def index_item(session: Session, resource: str, item_id: int, texts: Sequence[str | None]) -> None:
    """Bring the item's terms up to date: insert the new ones, delete the ones gone."""
    wanted = bigrams(*texts)
    held = set(
        session.scalars(
            select(SearchTerm.term).where(
                SearchTerm.resource == resource, SearchTerm.item_id == item_id
            )
        )
    )
    if gone := held - wanted:
        session.execute(
            delete(SearchTerm).where(
                SearchTerm.resource == resource,
                SearchTerm.item_id == item_id,
                SearchTerm.term.in_(gone),
            )
        )
    if new := wanted - held:
        session.execute(
            insert(SearchTerm),
            [{"resource": resource, "term": t, "item_id": item_id} for t in sorted(new)],
        )


def remove_item(session: Session, resource: str, item_id: int) -> None:
    session.execute(
        delete(SearchTerm).where(SearchTerm.resource == resource, SearchTerm.item_id == item_id)
    )


def search(
    resource: str, id_column: Any, text_columns: Sequence[Any], q: str
) -> tuple[ColumnElement[bool], ColumnElement[int]]:
    """The condition "the item's texts contain `q`" and its relevance, for WHERE and ORDER BY."""
    terms = sorted(bigrams(q))
    ids = select(SearchTerm.item_id).where(
        SearchTerm.resource == resource, SearchTerm.term.in_(terms)
    )
    if len(terms) > 1:
        ids = ids.group_by(SearchTerm.item_id).having(func.count() == len(terms))
    condition: ColumnElement[bool] = id_column.in_(ids)
    if len(q) > 2:
        condition = and_(condition, or_(*(contains(c, q) for c in text_columns)))
    relevance = case(
        *((contains(c, q), len(text_columns) - i) for i, c in enumerate(text_columns)),
        else_=0,
    )
    return condition, relevance

"""Chinese full-text search for the government feeds: one term index serves all four.

Chinese is written without spaces, so no word tokenizer is needed or trusted: every
searchable text (title, summary, description, name) is lower-cased and cut into
overlapping two- and four-character terms (海参精深加工 → 海参 参精 精深 深加 加工,
海参精深 参精深加 精深加工), stored in `search_terms` with the item's weight for the term
(the first text field that holds it: the title before the summary) and copies of the
columns its list filters and sorts by (status, owner, last change; triggers keep them).
Its indexes are B-trees on SQLite and on PostgreSQL alike, so one mechanism works on both
(PostgreSQL's pg_trgm needs three characters and so cannot serve the two-character words
that most Chinese queries are).

A query `q` of two or four characters is one term: its matches are that term's rows, in
the order of `ix_search_terms_weight`, so a page is an index walk, and the total the sum
of a few of the term's counts (`search_term_counts`, per status and owner, kept by
triggers on `search_terms`), exact at any size. Combined with a feed's own filters (its
columns are not in the counts), the total is a count of the index joined to the items,
exact up to `exact_up_to` matches and "at least that many" beyond (`total_relation`:
`gte`). Any other length is cut into terms (its two-character ones for
three characters, its four-character ones for five and more); an item matches when it holds
them all, confirmed with a literal substring test, and those matches are ranked and counted
in full. Every value is a bound parameter and the substring test escapes `%`, `_` and `\\`,
so these and `'` are searched for as themselves. Queries of one character are refused with
422 (the routes declare `min_length=2`): a single character is not selective, and answering
it means scanning every row, which this index exists to avoid.

Relevance, the order of every search: the first text field holding `q` (title, then
summary or description), then the newest change (`updated_at`), then the highest id.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from app.models.search_term import SearchTerm
from app.schemas.common import PageParams, TotalRelation
from app.services.query import Paged, by_ids, contains

SIZES = (2, 4)  # the lengths of the indexed terms
ORDER = (SearchTerm.weight.desc(), SearchTerm.updated_at.desc(), SearchTerm.item_id.desc())
# An item's new terms in one INSERT statement: with RETURNING, SQLAlchemy sends the rows as
# one multi-row INSERT (its "insertmanyvalues"), where psycopg's executemany sends one per
# row, and PostgreSQL's counting trigger, which runs per statement, ran once per term
# (bench/term_writes.py).
INSERT_TERMS = insert(SearchTerm).returning(SearchTerm.term)


def grams(text: str, size: int) -> set[str]:
    return {text[i : i + size] for i in range(len(text) - size + 1)}


def weights(texts: Sequence[str | None]) -> dict[str, int]:
    """Each term of `texts` (lower-cased, none spanning two) and its weight: the number of
    texts from the first that holds it to the last."""
    found: dict[str, int] = {}
    for i, text in enumerate(texts):
        if text:
            lowered = text.lower()
            for size in SIZES:
                for term in grams(lowered, size):
                    found.setdefault(term, len(texts) - i)
    return found


def term_rows(
    resource: str, item: Mapping[str, Any], texts: Sequence[str | None]
) -> list[dict[str, Any]]:
    """The `search_terms` rows of one item, given its `id`, `status`, `owner_organization_id`
    and `updated_at` (also used by the benchmark's bulk load)."""
    copied = {
        "resource": resource,
        "item_id": item["id"],
        "status": item["status"],
        "owner_key": item["owner_organization_id"] or 0,
        "updated_at": item["updated_at"],
    }
    return [{**copied, "term": t, "weight": w} for t, w in sorted(weights(texts).items())]


def index_item(session: Session, resource: str, item: Any, texts: Sequence[str | None]) -> None:
    """Bring the item's terms up to date: insert the new ones, reweigh the moved ones,
    delete the ones gone."""
    wanted = weights(texts)
    mine = and_(SearchTerm.resource == resource, SearchTerm.item_id == item.id)
    held = dict(session.execute(select(SearchTerm.term, SearchTerm.weight).where(mine)).all())
    if gone := held.keys() - wanted.keys():
        session.execute(delete(SearchTerm).where(mine, SearchTerm.term.in_(gone)))
    moved: dict[int, list[str]] = {}
    for term in held.keys() & wanted.keys():
        if held[term] != wanted[term]:
            moved.setdefault(wanted[term], []).append(term)
    for weight, terms in moved.items():
        session.execute(
            sql_update(SearchTerm).where(mine, SearchTerm.term.in_(terms)).values(weight=weight)
        )
    values = {f: getattr(item, f) for f in ("id", "status", "owner_organization_id", "updated_at")}
    if rows := [r for r in term_rows(resource, values, texts) if r["term"] not in held]:
        session.execute(INSERT_TERMS, rows)


def remove_item(session: Session, resource: str, item_id: int) -> None:
    session.execute(
        delete(SearchTerm).where(SearchTerm.resource == resource, SearchTerm.item_id == item_id)
    )


def one_term(q: str) -> str | None:
    """`q` as the one indexed term whose rows are its matches, if it has an indexed length."""
    return q.lower() if len(q) in SIZES else None


def hits(resource: str, term: str | BindParameter[str]) -> Select[Any]:
    """The item ids holding `term`; filter them on `SearchTerm`'s copied columns."""
    return select(SearchTerm.item_id).where(
        SearchTerm.resource == resource, SearchTerm.term == term
    )


def page_of_hits(
    session: Session,
    model: Any,
    stmt: Select[Any],
    page: PageParams,
    exact_up_to: int,
    total: int | None = None,
) -> Paged[Any]:
    """One page of `hits(...)` by relevance, with its `total` if known (from the term's
    counts), else counted up to `exact_up_to` (beyond it, `total` is `exact_up_to` and
    `total_relation` `gte`; a last page shorter than the limit knows its exact total without
    counting)."""
    window = stmt.order_by(*ORDER).limit(page.limit).offset(page.offset)
    ids = list(session.scalars(window))
    relation = TotalRelation.eq
    if total is None and (0 < len(ids) < page.limit or (not ids and page.offset == 0)):
        total = page.offset + len(ids)  # the last page: its end is the total
    elif total is None:
        bounded = stmt.limit(exact_up_to + 1).subquery()
        total = session.scalar(select(func.count()).select_from(bounded)) or 0
        relation = TotalRelation.eq if total <= exact_up_to else TotalRelation.gte
        total = min(total, exact_up_to)
    return Paged(by_ids(session, model, ids), total, relation)


def search(
    resource: str, id_column: Any, text_columns: Sequence[Any], q: str
) -> tuple[ColumnElement[bool], ColumnElement[int]]:
    """For a `q` that is no one term: the condition "the item's texts contain `q`" and its
    relevance, for WHERE and ORDER BY."""
    lowered = q.lower()
    terms = sorted(grams(lowered, max(s for s in SIZES if s <= len(lowered))))
    ids = select(SearchTerm.item_id).where(
        SearchTerm.resource == resource, SearchTerm.term.in_(terms)
    )
    if len(terms) > 1:
        ids = ids.group_by(SearchTerm.item_id).having(func.count() == len(terms))
    condition = and_(id_column.in_(ids), or_(*(contains(c, q) for c in text_columns)))
    relevance = case(
        *((contains(c, q), len(text_columns) - i) for i, c in enumerate(text_columns)),
        else_=0,
    )
    return condition, relevance

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
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Executable,
    Select,
    SmallInteger,
    String,
    Table,
    and_,
    bindparam,
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
# The copied columns of an item's term rows (`term_rows`): the same in each of them.
_COPIED = ("resource", "item_id", "status", "owner_key", "updated_at")
# On PostgreSQL an item's new terms go in one INSERT statement, as one array of terms and
# one of weights: psycopg's executemany sends one statement per row, and the counting
# trigger, which runs per statement, ran once per term (bench/term_writes.py). One
# multi-row INSERT did that too, but its text and ~200 parameters grew with the item's
# terms, past psycopg's cache of parsed queries: parsing it was a third of a create's CPU
# (bench/http.py, `write`). This text is the same for every item.
_NEW_TERMS = (
    func.unnest(
        bindparam("terms", type_=ARRAY(String)), bindparam("weights", type_=ARRAY(SmallInteger))
    )
    .table_valued("term", "weight")
    .render_derived("new_terms")
)
# Core statements on the table, not the entity's: an INSERT of the entity with parameters
# is the ORM's bulk insert, which takes no INSERT … SELECT and costs its own layer.
_TABLE = cast(Table, SearchTerm.__table__)
_INSERT_TERMS_PG = insert(_TABLE).from_select(
    [*_COPIED, "term", "weight"],
    select(
        *(bindparam(name, type_=_TABLE.c[name].type) for name in _COPIED),
        _NEW_TERMS.c.term,
        _NEW_TERMS.c.weight,
    ),
)
# Elsewhere (SQLite) one row at a time: its triggers run per row anyway.
_INSERT_TERMS = insert(_TABLE)


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


def index_item(
    session: Session, resource: str, item: Any, texts: Sequence[str | None], *, new: bool = False
) -> None:
    """Bring the item's terms up to date: insert the new ones, reweigh the moved ones,
    delete the ones gone. A `new` item (just inserted) holds none: they are not read."""
    wanted = weights(texts)
    mine = and_(SearchTerm.resource == resource, SearchTerm.item_id == item.id)
    held: dict[str, int] = {}
    if not new:
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
        session.execute(*insert_terms(session.get_bind().dialect.name, rows))


def insert_terms(dialect: str, rows: Sequence[Mapping[str, Any]]) -> tuple[Executable, Any]:
    """The statement and parameters inserting `rows`, new term rows of one item
    (`term_rows`), on a database of `dialect`."""
    if dialect != "postgresql":
        return _INSERT_TERMS, list(rows)
    params = {name: rows[0][name] for name in _COPIED}
    return _INSERT_TERMS_PG, {
        **params,
        "terms": [row["term"] for row in rows],
        "weights": [row["weight"] for row in rows],
    }


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

"""Query helpers shared by every domain: the one pagination helper, code prefixes, LIKE."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Select, and_, any_, bindparam, func, select
from sqlalchemy.orm import Session

from app.schemas.common import PageParams, TotalRelation

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One page of a list as a service finds it: the page's items and how many match in
    all (`total_relation` `gte`: at least that many). The route adds the request's limit and
    offset to make the `Page` response (`app.api.pages.page_of`)."""

    items: Sequence[T]
    total: int
    total_relation: TotalRelation = TotalRelation.eq


def paginate(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    page: PageParams,
    *,
    sorts_all: bool = False,
    total: int | None = None,
) -> Paged[Any]:
    """Run `stmt` for one page and count all its rows.

    The items are entities (or values) when `stmt` selects one, rows when it selects several
    columns (a report's `GROUP BY`).

    `total`: the count of `stmt`'s rows, known without counting them (`feeds.count_items`).

    `sorts_all`: the order is computed over every matching row anyway (a relevance rank,
    not an index walk), so one pass ranks the matches' ids and counts them with a window
    function, rather than two queries that each find every match; the page's entities
    are then read by id. Past the last row it counts apart.
    """
    window = stmt.limit(page.limit).offset(page.offset)
    if sorts_all:
        entity = stmt.column_descriptions[0]["entity"]
        ranked = session.execute(window.with_only_columns(entity.id, func.count().over())).all()
        if ranked or page.offset == 0:
            ids = [row[0] for row in ranked]
            return Paged(by_ids(session, entity, ids), ranked[0][1] if ranked else 0)
    if total is None:
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = session.execute(window)
    items = result.scalars().all() if len(stmt.column_descriptions) == 1 else result.all()
    return Paged(items, total or 0)


# Per entity: its rows with the ids given at execution (`ids`), built once (`by_ids`).
_BY_IDS: dict[Any, Select[Any]] = {}


def by_ids(session: Session, entity: Any, ids: Sequence[int]) -> list[Any]:
    """The entities with these ids, in the order of `ids` (each must exist)."""
    if entity not in _BY_IDS:
        _BY_IDS[entity] = select(entity).where(entity.id.in_(bindparam("ids", expanding=True)))
    found = {e.id: e for e in session.scalars(_BY_IDS[entity], {"ids": list(ids)})}
    return [found[i] for i in ids]


def paginate_computed(items: Sequence[T], page: PageParams) -> Paged[T]:
    """One page of rows computed in Python (a report whose rows no single query gives)."""
    return Paged(items[page.offset : page.offset + page.limit], len(items))


def code_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, as an index-friendly range (LIKE 'x%' is not indexed)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match with `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def one_of(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL the values go as one array parameter (`= ANY`):
    a list of hundreds of parameters costs more to render, send and plan than the query
    takes to run."""
    if session.get_bind().dialect.name == "postgresql":
        values = list(values)
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)

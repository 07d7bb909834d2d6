"""Query helpers shared by every domain: the one pagination helper, code prefixes, LIKE."""

from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from app.schemas.common import PageParams


def paginate(session: Session, stmt: Select[Any], page: PageParams) -> dict[str, Any]:
    """Run `stmt` for one page and count all its rows; the dict validates as `Page[...]`."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.limit(page.limit).offset(page.offset)).all()
    return {"items": items, "total": total or 0, "limit": page.limit, "offset": page.offset}


def code_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """`column` starts with `prefix`, as an index-friendly range (LIKE 'x%' is not indexed)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match with `%`, `_` and `\\` taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")

"""The one way a route answers with a `Page`."""

from typing import Any

from app.schemas.common import PageParams
from app.services.query import Paged


def page_of(found: Paged[Any], page: PageParams, **extra: object) -> dict[str, object]:
    """The body of a `Page` response (or of a report that is one, with its `extra` fields):
    the service's items and total, the request's limit and offset."""
    return {
        **extra,
        "items": found.items,
        "total": found.total,
        "total_relation": found.total_relation,
        "limit": page.limit,
        "offset": page.offset,
    }

"""Shapes shared by the four government feeds."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.models.enums import FeedStatus
from app.schemas.common import IdValue, OneLine, ORMModel


def _sorted_unique(values: list[Any]) -> list[Any]:
    return sorted(set(values))


# A list field given in any order: stored and answered sorted, without repeats.
SortedUnique = AfterValidator(_sorted_unique)


Summary = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
]
LongText = Annotated[str, StringConstraints(max_length=20000)]
ShortText = Annotated[str, StringConstraints(max_length=200), OneLine]
ClusterCode = Annotated[str, StringConstraints(pattern=r"^C\d{2}$")]
IndustryCode = Annotated[str, StringConstraints(pattern=r"^[A-T]$|^\d{2,4}$")]


class FeedInput(BaseModel):
    """A create or update body: unknown fields (`status`, `id`, ...) are refused."""

    model_config = ConfigDict(extra="forbid")


class FeedItemRead(ORMModel):
    """The workflow fields every feed item answers with."""

    id: int
    status: FeedStatus
    owner_organization_id: int | None = Field(description="The organisation that owns the item")
    version: int = Field(description='Increases with every change; the ETag is W/"<version>"')
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    withdrawn_at: datetime | None


class FeedFilters(BaseModel):
    """The query parameters every feed list takes; each feed's filters add its own (unknown
    ones are ignored)."""

    q: str | None = Field(
        None,
        min_length=2,
        max_length=50,
        pattern=r"^[^\x00-\x1f]*$",
        description="Full-text search of the Chinese texts: any substring of two or more "
        "characters (one character is refused with 422); ranks by relevance (the first "
        "text field holding it), then recency. Its total is exact up to 10,000 matches "
        "(`total_relation`: `eq`), at least 10,000 beyond (`gte`)",
    )
    status: FeedStatus | None = Field(
        None, description="Drafts only for their owner and the publisher"
    )
    owner_organization_id: IdValue | None = None

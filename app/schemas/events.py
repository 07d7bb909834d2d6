"""The change feed: events as `GET /events` lists them and webhooks deliver them."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.models.event import Event


class EventFilters(BaseModel):
    """`GET /events`'s filters (unknown query parameters are ignored); `after` and `limit`
    are its cursor."""

    types: str | None = Field(
        None,
        max_length=1000,
        description="Comma-separated event types: `demand.opened`, `demand.*`, `*`",
    )
    resource_type: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]{0,31}$")


class EventResource(BaseModel):
    type: str = Field(description="The resource's kind, e.g. `demand`")
    id: int | str = Field(description="The resource's id")


class EventRead(BaseModel):
    """One change: `type` is `<resource>.<verb>`, `data` the resource's public representation."""

    id: int = Field(description="Ascending in commit order; the feed cursor and `X-Webhook-Id`")
    type: str
    occurred_at: datetime
    resource: EventResource
    data: dict[str, Any]

    @classmethod
    def from_event(cls, event: Event) -> "EventRead":
        rid = event.resource_id
        return cls(
            id=event.id,
            type=event.type,
            occurred_at=event.occurred_at,
            resource=EventResource(type=event.resource_type, id=int(rid) if rid.isdigit() else rid),
            data=event.data,
        )


class EventPage(BaseModel):
    """A page of the feed; poll again with `after=next_cursor` to continue where it ended."""

    items: list[EventRead]
    next_cursor: str = Field(description="Pass as `after` to read on; opaque, keep it as given")
    has_more: bool = Field(description="More events are available right now")

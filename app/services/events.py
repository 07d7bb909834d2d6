"""The transactional outbox: `record_event` writes in the caller's transaction."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.models.event import Event


def record_event(
    session: Session,
    type_: str,
    *,
    resource_id: int | str,
    data: BaseModel | dict[str, Any],
    organization_id: int | None = None,
    public: bool = True,
) -> Event:
    """Record `type_` ("<resource>.<verb>", e.g. `tech_project.published`) for a change.

    `data` is the resource's public representation (a Pydantic read model, dumped to JSON).
    `public=False` events (about drafts) are visible only to `organization_id`.
    """
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    event = Event(
        type=type_,
        resource_type=type_.split(".", 1)[0],
        resource_id=str(resource_id),
        organization_id=organization_id,
        public=public,
        data=payload,
    )
    session.add(event)
    session.flush()
    return event

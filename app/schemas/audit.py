from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.schemas.common import MAX_ID, ORMModel


class AuditFilters(BaseModel):
    """`GET /audit-events`'s query parameters (unknown ones are ignored)."""

    action: str | None = Field(None, max_length=64)
    resource_type: str | None = Field(None, max_length=64)
    resource_id: str | None = Field(None, max_length=64)
    actor_user_id: int | None = Field(None, ge=1, le=MAX_ID)
    actor_organization_id: int | None = Field(None, ge=1, le=MAX_ID)
    since: datetime | None = None
    until: datetime | None = None


class AuditEventRead(ORMModel):
    id: int
    occurred_at: datetime
    actor_user_id: int | None
    actor_username: str | None
    actor_organization_id: int | None
    auth_method: str | None
    action: str
    resource_type: str
    resource_id: str | None
    summary: dict[str, Any]
    request_id: str | None
    client_address: str | None

from datetime import datetime
from typing import Any

from app.schemas.common import ORMModel


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

from datetime import datetime
from typing import Annotated

from fastapi import Query

from app.api import API_PREFIX, Router
from app.api.deps import PlatformAdmin, SessionDep
from app.schemas.audit import AuditEventRead
from app.schemas.common import MAX_ID, Page, PageDep
from app.services import audit as audit_service

router = Router(prefix=API_PREFIX, tags=["audit"])

Text = Annotated[str | None, Query(max_length=64)]


@router.get(
    "/audit-events",
    operation_id="audit_events_list",
    response_model=Page[AuditEventRead],
    summary="The audit trail",
)
def list_audit_events(
    _admin: PlatformAdmin,
    session: SessionDep,
    page: PageDep,
    action: Text = None,
    resource_type: Text = None,
    resource_id: Text = None,
    actor_user_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    actor_organization_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, object]:
    """Every write, newest first: who, which organisation, what, from where (platform admins)."""
    return audit_service.list_audit_events(
        session,
        page,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        actor_user_id=actor_user_id,
        actor_organization_id=actor_organization_id,
        since=since,
        until=until,
    )

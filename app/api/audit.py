from typing import Annotated

from fastapi import Query

from app.api import API_PREFIX, Router
from app.api.deps import PlatformAdmin, SessionDep
from app.api.pages import page_of
from app.schemas.audit import AuditEventRead, AuditFilters
from app.schemas.common import Page, PageDep
from app.services import audit as audit_service

router = Router(prefix=API_PREFIX, tags=["audit"])

AuditFiltersDep = Annotated[AuditFilters, Query()]


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
    filters: AuditFiltersDep,
) -> dict[str, object]:
    """Every write, newest first: who, which organisation, what, from where (platform admins)."""
    return page_of(audit_service.list_audit_events(session, page, filters), page)

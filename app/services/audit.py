"""The audit trail: `record_audit` in the caller's transaction; queries for platform admins."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import context
from app.models.audit import AuditEvent
from app.schemas.audit import AuditFilters
from app.schemas.common import PageParams
from app.services.events import current_resource, current_type
from app.services.permissions import Principal
from app.services.query import Paged, paginate


def record_audit(
    session: Session,
    principal: Principal | None,
    action: str,
    *,
    resource_id: int | str | None,
    summary: dict[str, Any] | None = None,
) -> None:
    """Append who did `action` ("<resource>.<verb>") to which resource, from where."""
    user = principal.user if principal else None
    session.add(
        AuditEvent(
            actor_user_id=user.id if user else None,
            actor_username=user.username if user else None,
            actor_organization_id=principal.org_id if principal else None,
            auth_method=principal.auth_method if principal else None,
            action=action,
            resource_type=action.split(".", 1)[0],
            resource_id=None if resource_id is None else str(resource_id),
            summary=summary or {},
            request_id=context.request_id.get(),
            client_address=context.client_address.get(),
        )
    )


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`{"field": [old, new]}` for the fields that differ, JSON-ready."""
    return {k: [_plain(before.get(k)), _plain(v)] for k, v in after.items() if before.get(k) != v}


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def list_audit_events(
    session: Session,
    page: PageParams,
    filters: AuditFilters,
) -> Paged[AuditEvent]:
    stmt = select(AuditEvent)
    if filters.action:
        stmt = stmt.where(AuditEvent.action == current_type(filters.action))
    if filters.resource_type:
        stmt = stmt.where(AuditEvent.resource_type == current_resource(filters.resource_type))
    if filters.resource_id:
        stmt = stmt.where(AuditEvent.resource_id == filters.resource_id)
    if filters.actor_user_id is not None:
        stmt = stmt.where(AuditEvent.actor_user_id == filters.actor_user_id)
    if filters.actor_organization_id is not None:
        stmt = stmt.where(AuditEvent.actor_organization_id == filters.actor_organization_id)
    if filters.since:
        stmt = stmt.where(AuditEvent.occurred_at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEvent.occurred_at < filters.until)
    return paginate(session, stmt.order_by(AuditEvent.id.desc()), page)

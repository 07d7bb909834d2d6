"""Organisations, their users and API keys: creation, registration, approval."""

from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Conflict, NotFound
from app.core.i18n import t
from app.core.security import hash_password, new_api_key
from app.models import ApiKey, District, Organization, User
from app.models.enums import OrgStatus, OrgType, Role
from app.schemas.common import PageParams
from app.schemas.organizations import (
    OrganizationBase,
    OrganizationCreate,
    OrganizationFilters,
    OrganizationRead,
    RegistrationCreate,
    UserCreate,
)
from app.services import permissions
from app.services.audit import changes, record_audit
from app.services.checks import Problems
from app.services.credit_code import credit_code_error
from app.services.events import record_event
from app.services.permissions import Principal
from app.services.query import Paged, contains, paginate


def _validate_org(
    session: Session,
    data: OrganizationBase,
    org_type: OrgType,
    department: Any,
    loc: tuple[str, ...],
    principal: Principal | None,
) -> None:
    problems = Problems(
        loc=loc, detail=t("组织信息有误，详见 errors。", "The organisation is not valid.")
    )
    if org_type == OrgType.government and department is None:
        problems.add(
            "department",
            t("政府部门须填写所属部门。", "A government organisation needs a department."),
        )
    if org_type != OrgType.government and department is not None:
        problems.add(
            "department",
            t("只有政府部门才填写所属部门。", "Only government organisations have a department."),
        )
    if org_type == OrgType.enterprise and not data.credit_code:
        problems.add(
            "credit_code",
            t(
                "企业须填写统一社会信用代码。",
                "An enterprise needs its unified social credit code.",
            ),
        )
    if data.credit_code and (why := credit_code_error(data.credit_code)):
        problems.add("credit_code", why)
    if data.district_code and session.get(District, data.district_code) is None:
        code = data.district_code
        problems.add(
            "district_code", t(f"未知的区县代码 {code}。", f"Unknown district code {code}.")
        )
    problems.raise_if_any()
    existing = (
        session.scalar(select(Organization).where(Organization.credit_code == data.credit_code))
        if data.credit_code
        else None
    )
    if existing is not None:
        # Named only to whoever may see it (approved ones are public).
        visible = find_visible(session, principal, existing.id) is not None
        raise Conflict(
            t(
                f"统一社会信用代码为 {data.credit_code} 的组织已存在。",
                f"An organisation with credit code {data.credit_code} already exists.",
            ),
            code="duplicate_credit_code",
            existing_id=existing.id if visible else None,
        )


def _ensure_username_free(session: Session, username: str) -> None:
    if session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(
            t(f"用户名 {username} 已被占用。", f"The username {username!r} is taken."),
            code="duplicate_username",
        )


def _announce(session: Session, org: Organization) -> None:
    record_event(
        session,
        f"organization.{org.status.value}",
        resource_id=org.id,
        data=OrganizationRead.model_validate(org),
        organization_id=org.id,
    )


def create_organization(
    session: Session, principal: Principal, data: OrganizationCreate
) -> Organization:
    """A platform admin's organisation: approved from the start."""
    _validate_org(session, data, data.org_type, data.department, ("body",), principal)
    org = Organization(**data.model_dump(), status=OrgStatus.approved, approved_at=clock.now())
    session.add(org)
    session.flush()
    record_audit(
        session,
        principal,
        "organization.create",
        resource_id=org.id,
        summary={"name": org.name, "org_type": org.org_type},
    )
    _announce(session, org)
    return org


def register(session: Session, data: RegistrationCreate) -> tuple[Organization, User]:
    """Self-registration: a pending organisation and its first admin user."""
    _validate_org(
        session,
        data.organization,
        data.organization.org_type,
        None,
        ("body", "organization"),
        None,
    )
    _ensure_username_free(session, data.user.username)
    org = Organization(**data.organization.model_dump(), status=OrgStatus.pending)
    session.add(org)
    session.flush()
    user = User(
        username=data.user.username,
        password_hash=hash_password(data.user.password),
        display_name=data.user.display_name,
        organization_id=org.id,
        role=Role.admin,
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        None,
        "organization.register",
        resource_id=org.id,
        summary={"name": org.name, "org_type": org.org_type, "username": user.username},
    )
    return org, user


def visibility(principal: Principal | None) -> ColumnElement[bool]:
    """Which organisations the caller sees, the one rule for the list, the get and every
    route on one: approved ones for everybody; the others (pending, suspended) for
    themselves and their supervisors (platform admins, the responsible department)."""
    seen: ColumnElement[bool] = Organization.status == OrgStatus.approved
    if principal is None:
        return seen
    if supervised := permissions.supervised_types(principal):
        seen = or_(seen, Organization.org_type.in_(supervised))
    if principal.org_id is not None:
        seen = or_(seen, Organization.id == principal.org_id)
    return seen


def find_visible(session: Session, principal: Principal | None, org_id: int) -> Organization | None:
    """The organisation if the caller sees it: the list's rule plus the id."""
    stmt = select(Organization).where(visibility(principal), Organization.id == org_id)
    return session.scalars(stmt).first()


def get_organization(session: Session, principal: Principal | None, org_id: int) -> Organization:
    """An organisation the caller sees (`visibility`); any other is not found."""
    org = find_visible(session, principal, org_id)
    if org is None:
        raise NotFound(t("没有这个组织。", "No such organisation."))
    return org


def list_organizations(
    session: Session,
    principal: Principal | None,
    page: PageParams,
    filters: OrganizationFilters,
) -> Paged[Organization]:
    """The organisations the caller sees in one status (default approved)."""
    stmt: Select[Any] = select(Organization).where(
        visibility(principal), Organization.status == (filters.status or OrgStatus.approved)
    )
    if filters.org_type:
        stmt = stmt.where(Organization.org_type == filters.org_type)
    if filters.district_code:
        stmt = stmt.where(Organization.district_code == filters.district_code)
    if filters.q:
        stmt = stmt.where(contains(Organization.name, filters.q))
    return paginate(session, stmt.order_by(Organization.id), page)


def set_status(
    session: Session, principal: Principal, org_id: int, status: OrgStatus
) -> Organization:
    """Approve or suspend: platform admins, or the department responsible for that type."""
    org = get_organization(session, principal, org_id)
    permissions.ensure_can_approve(principal, org)
    if status == OrgStatus.approved and org.status == OrgStatus.approved:
        raise Conflict(
            t("该组织已通过审核。", "The organisation is already approved."),
            code="already_approved",
        )
    before = org.status
    org.status = status
    if status == OrgStatus.approved:
        org.approved_at = clock.now()
    session.flush()
    record_audit(
        session,
        principal,
        f"organization.{status.value}",
        resource_id=org.id,
        summary=changes({"status": before}, {"status": status}),
    )
    _announce(session, org)
    return org


def create_user(session: Session, principal: Principal, org_id: int, data: UserCreate) -> User:
    get_organization(session, principal, org_id)
    permissions.ensure_org_admin(principal, org_id, allow_platform_admin=True)
    _ensure_username_free(session, data.username)
    user = User(
        username=data.username,
        password_hash=hash_password(data.password),
        display_name=data.display_name,
        organization_id=org_id,
        role=data.role,
    )
    session.add(user)
    session.flush()
    record_audit(
        session,
        principal,
        "user.create",
        resource_id=user.id,
        summary={"username": user.username, "role": user.role, "organization_id": org_id},
    )
    return user


def list_users(
    session: Session, principal: Principal, org_id: int, page: PageParams
) -> Paged[User]:
    get_organization(session, principal, org_id)
    permissions.ensure_org_admin(principal, org_id, allow_platform_admin=True)
    stmt = select(User).where(User.organization_id == org_id).order_by(User.id)
    return paginate(session, stmt, page)


def create_api_key(
    session: Session, principal: Principal, org_id: int, name: str
) -> tuple[ApiKey, str]:
    get_organization(session, principal, org_id)
    permissions.ensure_org_admin(principal, org_id, allow_platform_admin=False)
    secret, prefix, key_hash = new_api_key()
    key = ApiKey(
        organization_id=org_id,
        name=name,
        prefix=prefix,
        key_hash=key_hash,
        created_by_id=principal.user.id if principal.user else None,
    )
    session.add(key)
    session.flush()
    record_audit(
        session,
        principal,
        "api_key.create",
        resource_id=key.id,
        summary={"name": name, "prefix": prefix, "organization_id": org_id},
    )
    return key, secret


def list_api_keys(
    session: Session, principal: Principal, org_id: int, page: PageParams
) -> Paged[ApiKey]:
    get_organization(session, principal, org_id)
    permissions.ensure_org_admin(principal, org_id, allow_platform_admin=False)
    stmt = select(ApiKey).where(ApiKey.organization_id == org_id).order_by(ApiKey.id)
    return paginate(session, stmt, page)


def revoke_api_key(session: Session, principal: Principal, org_id: int, key_id: int) -> None:
    get_organization(session, principal, org_id)
    permissions.ensure_org_admin(principal, org_id, allow_platform_admin=False)
    key = session.get(ApiKey, key_id)
    if key is None or key.organization_id != org_id:
        raise NotFound(t("没有这个 API 密钥。", "No such API key."))
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        record_audit(
            session,
            principal,
            "api_key.revoke",
            resource_id=key.id,
            summary={"name": key.name, "prefix": key.prefix},
        )
    session.flush()

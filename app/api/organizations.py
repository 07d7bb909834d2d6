from typing import Annotated

from fastapi import Query, status

from app.api import API_PREFIX, Router
from app.api.deps import (
    CurrentPrincipal,
    NoStore,
    OptionalPrincipal,
    PlatformAdmin,
    SessionDep,
)
from app.api.openapi import responses
from app.api.pages import page_of
from app.models import Organization, User
from app.models.enums import OrgStatus
from app.schemas.common import Id, Page, PageDep
from app.schemas.organizations import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    OrganizationCreate,
    OrganizationFilters,
    OrganizationPrivate,
    OrganizationRead,
    RegistrationCreate,
    RegistrationRead,
    UserCreate,
    UserRead,
)
from app.services import organizations as org_service

router = Router(prefix=API_PREFIX, tags=["organizations"])

OrganizationFiltersDep = Annotated[OrganizationFilters, Query()]


@router.post(
    "/organizations",
    operation_id="organizations_create",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganizationPrivate,
    summary="Create an organisation",
    responses=responses(409, 422),
)
def create_organization(
    data: OrganizationCreate, admin: PlatformAdmin, session: SessionDep
) -> Organization:
    """Platform admins create organisations of any type; they start `approved`."""
    return org_service.create_organization(session, admin, data)


@router.get(
    "/organizations",
    operation_id="organizations_list",
    response_model=Page[OrganizationRead],
    summary="List organisations",
)
def list_organizations(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    filters: OrganizationFiltersDep,
) -> dict[str, object]:
    """Approved organisations (public fields). Supervising departments may ask for `pending`."""
    return page_of(org_service.list_organizations(session, principal, page, filters), page)


@router.get(
    "/organizations/{org_id}",
    operation_id="organizations_get",
    response_model=OrganizationRead,
    summary="Get an organisation",
    responses=responses(404),
)
def get_organization(org_id: Id, session: SessionDep, principal: OptionalPrincipal) -> Organization:
    """One approved organisation; pending ones only to themselves and their supervisors."""
    return org_service.get_organization(session, principal, org_id)


@router.post(
    "/registrations",
    operation_id="registrations_create",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationRead,
    summary="Register an organisation",
    responses=responses(409, 422),
)
def register(data: RegistrationCreate, session: SessionDep) -> dict[str, object]:
    """Self-registration of an enterprise, college or training institution with its first admin.

    The organisation starts `pending` until the responsible department approves it
    (industry: enterprises; education: colleges; hr: training institutions).
    """
    org, user = org_service.register(session, data)
    return {"organization": org, "user": user}


@router.post(
    "/organizations/{org_id}/approve",
    operation_id="organizations_approve",
    response_model=OrganizationPrivate,
    summary="Approve an organisation",
    responses=responses(404, 409),
)
def approve(org_id: Id, principal: CurrentPrincipal, session: SessionDep) -> Organization:
    """pending → approved, by a platform admin or the responsible department."""
    return org_service.set_status(session, principal, org_id, OrgStatus.approved)


@router.post(
    "/organizations/{org_id}/suspend",
    operation_id="organizations_suspend",
    response_model=OrganizationPrivate,
    summary="Suspend an organisation",
    responses=responses(404, 409),
)
def suspend(org_id: Id, principal: CurrentPrincipal, session: SessionDep) -> Organization:
    """Suspended organisations can no longer sign in or use their keys."""
    return org_service.set_status(session, principal, org_id, OrgStatus.suspended)


@router.post(
    "/organizations/{org_id}/users",
    operation_id="organization_users_create",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    summary="Create a user",
    responses=responses(404, 409, 422),
)
def create_user(
    org_id: Id, data: UserCreate, principal: CurrentPrincipal, session: SessionDep
) -> User:
    """A platform admin or the organisation's admin adds a user (`admin` or `member`)."""
    return org_service.create_user(session, principal, org_id, data)


@router.get(
    "/organizations/{org_id}/users",
    operation_id="organization_users_list",
    response_model=Page[UserRead],
    summary="List users",
    responses=responses(404),
)
def list_users(
    org_id: Id, principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> dict[str, object]:
    return page_of(org_service.list_users(session, principal, org_id, page), page)


@router.post(
    "/organizations/{org_id}/api-keys",
    operation_id="organization_api_keys_create",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    summary="Create an API key",
    responses=responses(404, 422),
    dependencies=[NoStore],
)
def create_api_key(
    org_id: Id, data: ApiKeyCreate, principal: CurrentPrincipal, session: SessionDep
) -> dict[str, object]:
    """The organisation's admin creates a key; the answer's `key` is shown this once."""
    key, secret = org_service.create_api_key(session, principal, org_id, data.name)
    return {**ApiKeyRead.model_validate(key).model_dump(), "key": secret}


@router.get(
    "/organizations/{org_id}/api-keys",
    operation_id="organization_api_keys_list",
    response_model=Page[ApiKeyRead],
    summary="List API keys",
    responses=responses(404),
)
def list_api_keys(
    org_id: Id, principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> dict[str, object]:
    return page_of(org_service.list_api_keys(session, principal, org_id, page), page)


@router.delete(
    "/organizations/{org_id}/api-keys/{key_id}",
    operation_id="organization_api_keys_revoke",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke an API key",
    responses=responses(404),
)
def revoke_api_key(
    org_id: Id, key_id: Id, principal: CurrentPrincipal, session: SessionDep
) -> None:
    org_service.revoke_api_key(session, principal, org_id, key_id)

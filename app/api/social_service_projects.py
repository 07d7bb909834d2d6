from typing import Annotated, Any

from fastapi import Depends, Query, Response, status

from app.api import API_PREFIX, Router
from app.api.deps import OptionalPrincipal, SessionDep, Writer, require_feed_author
from app.api.feeds import IfMatch, add_workflow_routes, with_etag
from app.api.openapi import FEED_CREATED, FEED_UPDATED
from app.api.pages import page_of
from app.schemas.common import Id, Page, PageDep
from app.schemas.social_service_projects import (
    SocialServiceProjectCreate,
    SocialServiceProjectFilters,
    SocialServiceProjectRead,
    SocialServiceProjectUpdate,
)
from app.services.feeds import social_service_projects as service
from app.services.feeds import workflow
from app.services.permissions import Principal

router = Router(prefix=f"{API_PREFIX}/social-service-projects", tags=["social service projects"])
Author = Annotated[Principal, Depends(require_feed_author(service.FEED.policy))]


@router.get(
    "",
    operation_id="social_service_projects_list",
    response_model=Page[SocialServiceProjectRead],
    summary="List social service projects",
)
def list_social_service_projects(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    filters: Annotated[SocialServiceProjectFilters, Query()],
) -> dict[str, object]:
    """Published projects for everybody; owners see their drafts, education and hr all."""
    return page_of(service.list_social_service_projects(session, principal, page, filters), page)


@router.post(
    "",
    operation_id="social_service_projects_create",
    status_code=status.HTTP_201_CREATED,
    response_model=SocialServiceProjectRead,
    summary="Create a social service project",
    responses=FEED_CREATED,
)
def create_social_service_project(
    data: SocialServiceProjectCreate, principal: Author, session: SessionDep, response: Response
) -> Any:
    """A draft of the caller's college or training institution; education or hr publish it."""
    return with_etag(response, workflow.create_item(session, principal, service.FEED, data))


@router.patch(
    "/{item_id}",
    operation_id="social_service_projects_update",
    response_model=SocialServiceProjectRead,
    summary="Change a social service project",
    responses=FEED_UPDATED,
)
def update_social_service_project(
    item_id: Id,
    data: SocialServiceProjectUpdate,
    principal: Writer,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> Any:
    """The owner changes its project while unpublished. A stale `If-Match` answers 412."""
    item = workflow.update_item(session, principal, service.FEED, item_id, data, if_match)
    return with_etag(response, item)


add_workflow_routes(router, service.FEED, "social service project", "social_service_projects")

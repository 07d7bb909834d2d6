from typing import Annotated, Any

from fastapi import Depends, Query, Response, status

from app.api import API_PREFIX, Router
from app.api.deps import OptionalPrincipal, SessionDep, Writer, require_feed_author
from app.api.feeds import IfMatch, add_workflow_routes, with_etag
from app.api.openapi import FEED_CREATED, FEED_UPDATED
from app.api.pages import page_of
from app.schemas.common import Id, Page, PageDep
from app.schemas.cooperation_projects import (
    CooperationProjectCreate,
    CooperationProjectFilters,
    CooperationProjectRead,
    CooperationProjectUpdate,
)
from app.services.feeds import cooperation_projects as service
from app.services.feeds import workflow
from app.services.permissions import Principal

router = Router(prefix=f"{API_PREFIX}/cooperation-projects", tags=["cooperation projects"])
Author = Annotated[Principal, Depends(require_feed_author(service.FEED.policy))]


@router.get(
    "",
    operation_id="cooperation_projects_list",
    response_model=Page[CooperationProjectRead],
    summary="List cooperation projects",
)
def list_cooperation_projects(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    filters: Annotated[CooperationProjectFilters, Query()],
) -> dict[str, object]:
    """Published projects for everybody; proposers see their drafts, the industry bureau all."""
    return page_of(service.list_cooperation_projects(session, principal, page, filters), page)


@router.post(
    "",
    operation_id="cooperation_projects_create",
    status_code=status.HTTP_201_CREATED,
    response_model=CooperationProjectRead,
    summary="Create or propose a cooperation project",
    responses=FEED_CREATED,
)
def create_cooperation_project(
    data: CooperationProjectCreate, principal: Author, session: SessionDep, response: Response
) -> Any:
    """A draft: by the industry bureau, or proposed by a college or an enterprise."""
    return with_etag(response, workflow.create_item(session, principal, service.FEED, data))


@router.patch(
    "/{item_id}",
    operation_id="cooperation_projects_update",
    response_model=CooperationProjectRead,
    summary="Change a cooperation project",
    responses=FEED_UPDATED,
)
def update_cooperation_project(
    item_id: Id,
    data: CooperationProjectUpdate,
    principal: Writer,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> Any:
    """The industry bureau changes any project; a proposer its own while unpublished.
    A stale `If-Match` answers 412."""
    item = workflow.update_item(session, principal, service.FEED, item_id, data, if_match)
    return with_etag(response, item)


add_workflow_routes(router, service.FEED, "cooperation project", "cooperation_projects")

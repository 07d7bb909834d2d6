from typing import Annotated, Any

from fastapi import Depends, Query, Response, status

from app.api import API_PREFIX, Router
from app.api.deps import OptionalPrincipal, SessionDep, Writer, require_feed_author
from app.api.feeds import IfMatch, add_workflow_routes, with_etag
from app.api.openapi import FEED_CREATED, FEED_UPDATED
from app.api.pages import page_of
from app.schemas.common import Id, Page, PageDep
from app.schemas.tech_projects import (
    TechProjectCreate,
    TechProjectFilters,
    TechProjectRead,
    TechProjectUpdate,
)
from app.services.feeds import tech_projects as service
from app.services.feeds import workflow
from app.services.permissions import Principal

router = Router(prefix=f"{API_PREFIX}/tech-projects", tags=["tech projects"])
Author = Annotated[Principal, Depends(require_feed_author(service.FEED.policy))]


@router.get(
    "",
    operation_id="tech_projects_list",
    response_model=Page[TechProjectRead],
    summary="List tech projects",
)
def list_tech_projects(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    filters: Annotated[TechProjectFilters, Query()],
) -> dict[str, object]:
    """Published projects for everybody (drafts too for the tech bureau), newest change first."""
    return page_of(service.list_tech_projects(session, principal, page, filters), page)


@router.post(
    "",
    operation_id="tech_projects_create",
    status_code=status.HTTP_201_CREATED,
    response_model=TechProjectRead,
    summary="Create a tech project",
    responses=FEED_CREATED,
)
def create_tech_project(
    data: TechProjectCreate, principal: Author, session: SessionDep, response: Response
) -> Any:
    """A draft, by the tech bureau; publish it with `POST /{id}/publish`."""
    return with_etag(response, workflow.create_item(session, principal, service.FEED, data))


@router.patch(
    "/{item_id}",
    operation_id="tech_projects_update",
    response_model=TechProjectRead,
    summary="Change a tech project",
    responses=FEED_UPDATED,
)
def update_tech_project(
    item_id: Id,
    data: TechProjectUpdate,
    principal: Writer,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> Any:
    """The given fields; a stale `If-Match` answers 412. Changes to a published project are
    announced as `tech_project.updated`."""
    item = workflow.update_item(session, principal, service.FEED, item_id, data, if_match)
    return with_etag(response, item)


add_workflow_routes(router, service.FEED, "tech project", "tech_projects")

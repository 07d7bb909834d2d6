from typing import Annotated, Any

from fastapi import Depends, Query, Response, status

from app.api import API_PREFIX, Router
from app.api.deps import OptionalPrincipal, SessionDep, Writer, require_feed_author
from app.api.feeds import IfMatch, add_workflow_routes, with_etag
from app.api.openapi import FEED_CREATED, FEED_UPDATED
from app.api.pages import page_of
from app.schemas.common import Id, Page, PageDep
from app.schemas.enterprise_directory import (
    EnterpriseCreate,
    EnterpriseFilters,
    EnterpriseRead,
    EnterpriseUpdate,
)
from app.services.feeds import enterprise_directory as service
from app.services.feeds import workflow
from app.services.permissions import Principal

router = Router(prefix=f"{API_PREFIX}/enterprises", tags=["enterprise directory"])
Author = Annotated[Principal, Depends(require_feed_author(service.FEED.policy))]


@router.get(
    "",
    operation_id="enterprises_list",
    response_model=Page[EnterpriseRead],
    summary="List the enterprise directory",
)
def list_enterprises(
    session: SessionDep,
    principal: OptionalPrincipal,
    page: PageDep,
    filters: Annotated[EnterpriseFilters, Query()],
) -> dict[str, object]:
    """Published entries for everybody (drafts too for the industry bureau)."""
    return page_of(service.list_entries(session, principal, page, filters), page)


@router.post(
    "",
    operation_id="enterprises_create",
    status_code=status.HTTP_201_CREATED,
    response_model=EnterpriseRead,
    summary="Create a directory entry",
    responses=FEED_CREATED,
)
def create_enterprise(
    data: EnterpriseCreate, principal: Author, session: SessionDep, response: Response
) -> Any:
    """A draft entry, by the industry bureau; one per credit code (409 for a second)."""
    return with_etag(response, workflow.create_item(session, principal, service.FEED, data))


@router.patch(
    "/{item_id}",
    operation_id="enterprises_update",
    response_model=EnterpriseRead,
    summary="Change a directory entry",
    responses=FEED_UPDATED,
)
def update_enterprise(
    item_id: Id,
    data: EnterpriseUpdate,
    principal: Writer,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> Any:
    """The given fields; a stale `If-Match` answers 412. Changes to a published entry are
    announced as `enterprise_directory.updated`."""
    item = workflow.update_item(session, principal, service.FEED, item_id, data, if_match)
    return with_etag(response, item)


add_workflow_routes(router, service.FEED, "directory entry", "enterprises")

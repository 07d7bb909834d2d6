from typing import Annotated

from fastapi import Query

from app.api import API_PREFIX, Router
from app.api.deps import CurrentPrincipal, SessionDep
from app.api.openapi import responses
from app.schemas.events import EventFilters, EventPage
from app.services import events as event_service

router = Router(prefix=API_PREFIX, tags=["events"])


@router.get(
    "/events",
    operation_id="events_list",
    response_model=EventPage,
    summary="The change feed",
    responses=responses(422),
)
def list_events(
    principal: CurrentPrincipal,
    session: SessionDep,
    filters: Annotated[EventFilters, Query()],
    after: Annotated[
        str | None,
        Query(
            pattern=r"^\d{1,18}$",
            description="`next_cursor` of the previous page; omit to start from the beginning",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="Events per page (max 1000)")] = 100,
) -> EventPage:
    """Every change, exactly once and in commit order: public events, and your organisation's
    private ones (platform admins see all). Keep polling with `after=next_cursor`; a page that
    is not full means you are caught up."""
    return event_service.list_events(
        session, principal, filters, after=int(after) if after else 0, limit=limit
    )

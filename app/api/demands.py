from typing import Annotated

from fastapi import Query, status

from app.api import API_PREFIX, Router
from app.api.deps import (
    College,
    CurrentPrincipal,
    Enterprise,
    OptionalPrincipal,
    SessionDep,
    SettingsDep,
    Writer,
)
from app.api.openapi import CHANGE_ERRORS, responses
from app.api.pages import page_of
from app.models import Demand, DemandResponse
from app.schemas.common import Id, Page, PageDep
from app.schemas.demands import (
    DemandClose,
    DemandCreate,
    DemandCreated,
    DemandFilters,
    DemandRead,
    DemandUpdate,
    ResponseCreate,
    ResponseRead,
)
from app.services.demands import occupations
from app.services.demands import responses as response_service
from app.services.demands import service as demand_service

router = Router(prefix=f"{API_PREFIX}/demands", tags=["demands"])

DemandFiltersDep = Annotated[DemandFilters, Query()]


@router.get(
    "", operation_id="demands_list", response_model=Page[DemandRead], summary="List demands"
)
def list_demands(
    filters: DemandFiltersDep, principal: OptionalPrincipal, session: SessionDep, page: PageDep
) -> dict[str, object]:
    """Open demands for everybody (newest first); an enterprise also sees all of its own,
    the industry bureau every non-draft one. `status=closed` includes expired demands."""
    return page_of(demand_service.list_demands(session, principal, filters, page), page)


@router.post(
    "",
    operation_id="demands_create",
    status_code=status.HTTP_201_CREATED,
    response_model=DemandCreated,
    summary="Post a demand (as a draft)",
    responses=responses(409, 422, error_headers={409: ["Location"]}),
)
def create_demand(
    data: DemandCreate, principal: Enterprise, session: SessionDep, settings: SettingsDep
) -> DemandCreated:
    """Approved enterprises (users or API keys) post their own demands as drafts.

    `external_id` makes a retried create safe: a second create with it answers 409
    `duplicate_external_id`, naming the existing demand (also in `Location`).

    `occupation_codes` without `major_codes`: the majors are those the occupations lead to
    (`majors_from_occupations`). Neither: the answer's `suggestions` hold the occupations
    the title suggests and their majors, to confirm with a PATCH before opening.

    Left out, `valid_until` is `DEMAND_DEFAULT_VALIDITY_DAYS` (default 90) days after today
    and `district_code` the enterprise's district; the answer shows both as stored.
    """
    demand = demand_service.create_demand(session, principal, data, settings)
    created = DemandCreated.model_validate(demand)
    created.suggestions = occupations.suggestions(session, demand)
    return created


@router.get(
    "/{demand_id}",
    operation_id="demands_get",
    response_model=DemandRead,
    summary="Get a demand",
    responses=responses(404),
)
def get_demand(demand_id: Id, principal: OptionalPrincipal, session: SessionDep) -> Demand:
    """Open demands for everybody, drafts for their own enterprise (404 to others)."""
    return demand_service.get_visible(session, principal, demand_id)


@router.patch(
    "/{demand_id}",
    operation_id="demands_update",
    response_model=DemandRead,
    summary="Change a demand",
    responses=CHANGE_ERRORS,
)
def update_demand(
    demand_id: Id, data: DemandUpdate, principal: Writer, session: SessionDep
) -> Demand:
    """The enterprise changes a draft, open or paused demand; changing an open one
    announces `demand.updated`."""
    return demand_service.update_demand(session, principal, demand_id, data)


@router.post(
    "/{demand_id}/open",
    operation_id="demands_open",
    response_model=DemandRead,
    summary="Open a demand",
    responses=CHANGE_ERRORS,
)
def open_demand(demand_id: Id, principal: Writer, session: SessionDep) -> Demand:
    """draft → open: public, matched and answerable until `valid_until` (`demand.opened`)."""
    return demand_service.open_demand(session, principal, demand_id)


@router.post(
    "/{demand_id}/pause",
    operation_id="demands_pause",
    response_model=DemandRead,
    summary="Pause a demand",
    responses=CHANGE_ERRORS,
)
def pause_demand(demand_id: Id, principal: Writer, session: SessionDep) -> Demand:
    """open → paused: hidden from the public and takes no responses until resumed."""
    return demand_service.pause_demand(session, principal, demand_id)


@router.post(
    "/{demand_id}/resume",
    operation_id="demands_resume",
    response_model=DemandRead,
    summary="Resume a demand",
    responses=CHANGE_ERRORS,
)
def resume_demand(demand_id: Id, principal: Writer, session: SessionDep) -> Demand:
    return demand_service.resume_demand(session, principal, demand_id)


@router.post(
    "/{demand_id}/close",
    operation_id="demands_close",
    response_model=DemandRead,
    summary="Close a demand",
    responses=CHANGE_ERRORS,
)
def close_demand(
    demand_id: Id, data: DemandClose, principal: Writer, session: SessionDep
) -> Demand:
    """The enterprise closes its demand with a `close_reason` and `hired_count`; the industry
    bureau may close any non-draft demand (moderation), saying why in `note`."""
    return demand_service.close_demand(session, principal, demand_id, data)


@router.post(
    "/{demand_id}/responses",
    operation_id="demand_responses_create",
    status_code=status.HTTP_201_CREATED,
    response_model=ResponseRead,
    summary="Offer students to a demand",
    responses=CHANGE_ERRORS,
)
def respond(
    demand_id: Id, data: ResponseCreate, principal: College, session: SessionDep
) -> DemandResponse:
    """A college offers its own students (`major_code`, `headcount`) to an open demand
    (409 `demand_not_open` otherwise)."""
    return response_service.create_response(session, principal, demand_id, data)


@router.get(
    "/{demand_id}/responses",
    operation_id="demand_responses_list",
    response_model=Page[ResponseRead],
    summary="Responses to a demand",
    responses=responses(404),
)
def list_responses(
    demand_id: Id, principal: CurrentPrincipal, session: SessionDep, page: PageDep
) -> dict[str, object]:
    """The demand's enterprise (and the industry bureau) sees all; a college its own."""
    return page_of(response_service.list_responses(session, principal, demand_id, page), page)


@router.post(
    "/{demand_id}/responses/{response_id}/accept",
    operation_id="demand_responses_accept",
    response_model=ResponseRead,
    summary="Accept a response",
    responses=responses(404, 409),
)
def accept(
    demand_id: Id, response_id: Id, principal: Enterprise, session: SessionDep
) -> DemandResponse:
    """Once per response; its headcount is added to the demand's `accepted_headcount`."""
    return response_service.answer(session, principal, demand_id, response_id, accept=True)


@router.post(
    "/{demand_id}/responses/{response_id}/decline",
    operation_id="demand_responses_decline",
    response_model=ResponseRead,
    summary="Decline a response",
    responses=responses(404, 409),
)
def decline(
    demand_id: Id, response_id: Id, principal: Enterprise, session: SessionDep
) -> DemandResponse:
    return response_service.answer(session, principal, demand_id, response_id, accept=False)

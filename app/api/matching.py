from app.api import API_PREFIX, Router
from app.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from app.api.openapi import responses
from app.api.pages import page_of
from app.schemas.common import Id, PageDep
from app.schemas.demands import DemandMatchPage, MatchPage
from app.schemas.distributions import PeriodQuery
from app.services import matching
from app.services.matching import forward, reverse

router = Router(prefix=API_PREFIX, tags=["matching"])


@router.get(
    "/demands/{demand_id}/matches",
    operation_id="demand_matches_list",
    response_model=MatchPage,
    summary="Supply ranked for a demand",
    responses=responses(404, 422),
    description=matching.__doc__,
)
def demand_matches(
    demand_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    period: PeriodQuery = None,
) -> dict[str, object]:
    found = forward.match_demand(session, principal, demand_id, period, page, settings)
    return page_of(found.matches, page, demand_id=found.demand_id, period=found.period)


@router.get(
    "/colleges/{college_id}/matches",
    operation_id="college_matches_list",
    response_model=DemandMatchPage,
    summary="Open demands ranked for a college",
    responses=responses(404, 422),
    description=matching.__doc__,
)
def college_matches(
    college_id: Id,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    period: PeriodQuery = None,
) -> dict[str, object]:
    found = reverse.match_college(session, principal, college_id, period, page, settings)
    return page_of(found.matches, page, college_id=found.college_id, period=found.period)

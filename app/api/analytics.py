from typing import Annotated

from fastapi import Query

from app.api import API_PREFIX, Router
from app.api.deps import CurrentPrincipal, SessionDep, SettingsDep
from app.api.openapi import responses
from app.api.pages import page_of
from app.schemas.analytics import CollegeIndicators, Overview, SupplyDemand
from app.schemas.common import Id, PageDep
from app.schemas.distributions import PeriodQuery
from app.services import analytics
from app.services.analytics import SupplyDemandGroupBy

router = Router(prefix=f"{API_PREFIX}/analytics", tags=["analytics"])


@router.get(
    "/supply-demand",
    operation_id="analytics_supply_demand",
    response_model=SupplyDemand,
    summary="Supply and demand per group",
    responses=responses(422),
    description=analytics.__doc__,
)
def supply_demand(
    session: SessionDep,
    group_by: Annotated[
        SupplyDemandGroupBy,
        Query(description="category, class, major, cluster, district or occupation"),
    ],
    page: PageDep,
    period: PeriodQuery = None,
) -> dict[str, object]:
    found = analytics.supply_demand(session, group_by, period, page)
    return page_of(
        found.rows,
        page,
        group_by=found.group_by,
        period=found.period,
        total_supply=found.total_supply,
        total_demand=found.total_demand,
    )


@router.get(
    "/colleges/{college_id}",
    operation_id="analytics_college_indicators",
    response_model=CollegeIndicators,
    summary="A college's cooperation indicators",
    responses=responses(404),
)
def college_indicators(
    college_id: Id, principal: CurrentPrincipal, session: SessionDep, settings: SettingsDep
) -> CollegeIndicators:
    """Responses offered and accepted, hires via the platform, seats in trainings (and how
    many completed), submissions on time and the latest published totals: for the college
    itself, `education`, `hr` and platform admins."""
    return analytics.college_indicators(session, principal, college_id, settings)


@router.get(
    "/overview",
    operation_id="analytics_overview",
    response_model=Overview,
    summary="The city at a glance",
)
def overview(session: SessionDep) -> Overview:
    """Per county-level district and for the city: approved enterprises and colleges, open
    demands and their headcount, and the latest published graduating supply."""
    return analytics.overview(session)

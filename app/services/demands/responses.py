"""Colleges' responses to demands: offering students, and the enterprise's answer."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.i18n import t
from app.models import DemandResponse, Major
from app.models.enums import DemandStatus, MajorKind, OrgType, ResponseStatus
from app.schemas.common import PageParams
from app.schemas.demands import ResponseCreate, ResponseRead
from app.services import labels, permissions
from app.services.audit import record_audit
from app.services.demands.service import get_visible, settle_expiry
from app.services.events import record_event
from app.services.permissions import Principal
from app.services.query import Paged, paginate


def _actor(principal: Principal) -> str:
    return principal.user.username if principal.user else "api_key"


def _announce(session: Session, response: DemandResponse, verb: str, organization_id: int) -> None:
    data = ResponseRead.model_validate(response).model_dump(mode="json")
    record_event(
        session,
        f"response.{verb}",
        resource_id=response.id,
        data=data,
        organization_id=organization_id,
        public=False,
    )


def create_response(
    session: Session, principal: Principal, demand_id: int, data: ResponseCreate
) -> DemandResponse:
    """The calling college offers its own students to an open demand (409 when it is not)."""
    demand = get_visible(session, principal, demand_id)
    settle_expiry(session, demand)
    if demand.status != DemandStatus.open:
        raise Conflict(
            t(
                f"该需求{labels.DEMAND_STATUS[demand.status]}，只有开放中的需求才接受响应。",
                f"The demand is {demand.status.value}; only open demands take responses.",
            ),
            code="demand_not_open",
        )
    major = session.get(Major, data.major_code)
    if major is None or major.kind != MajorKind.major:
        raise Invalid.field(
            ("body", "major_code"),
            t(f"未知的专业代码 {data.major_code}。", f"Unknown major code {data.major_code}."),
        )
    assert principal.org_id is not None  # a college (checked by the route)
    response = DemandResponse(
        demand_id=demand.id,
        college_id=principal.org_id,
        major_code=data.major_code,
        headcount=data.headcount,
        note=data.note,
        created_by=_actor(principal),
    )
    session.add(response)
    session.flush()
    record_audit(
        session,
        principal,
        "response.create",
        resource_id=response.id,
        summary={"demand_id": demand.id, "headcount": data.headcount},
    )
    # For the enterprise; the college reads its own responses through the API.
    _announce(session, response, "created", demand.enterprise_id)
    return response


def list_responses(
    session: Session, principal: Principal, demand_id: int, page: PageParams
) -> Paged[DemandResponse]:
    """All of a demand's responses for its enterprise and moderators; a college its own."""
    demand = get_visible(session, principal, demand_id)
    stmt = select(DemandResponse).where(DemandResponse.demand_id == demand_id)
    if principal.org_type == OrgType.college:
        stmt = stmt.where(DemandResponse.college_id == principal.org_id)
    elif not (
        permissions.owns_demand(principal, demand.enterprise_id)
        or permissions.can_moderate_demands(principal)
    ):
        raise Forbidden(
            t(
                "仅需求所属企业和作出响应的院校可以查看。",
                "Only the demand's enterprise and the responding colleges see these.",
            )
        )
    return paginate(session, stmt.order_by(DemandResponse.id), page)


def answer(
    session: Session, principal: Principal, demand_id: int, response_id: int, *, accept: bool
) -> DemandResponse:
    """The enterprise accepts or declines a response, once; acceptance counts its headcount."""
    demand = get_visible(session, principal, demand_id)
    permissions.ensure_demand_owner(principal, demand.enterprise_id)
    response = session.get(DemandResponse, response_id)
    if response is None or response.demand_id != demand.id:
        raise NotFound(t("没有这条响应。", "No such response."))
    if response.status != ResponseStatus.pending:
        raise Conflict(
            t(
                f"该响应已答复（{labels.RESPONSE_STATUS[response.status]}）。",
                f"The response was already {response.status.value}.",
            ),
            code="already_answered",
        )
    if demand.effective_status == DemandStatus.closed:
        raise Conflict(t("该需求已关闭。", "The demand is closed."), code="demand_not_open")
    response.status = ResponseStatus.accepted if accept else ResponseStatus.declined
    response.answered_at = clock.now()
    response.answered_by = _actor(principal)
    if accept:
        demand.accepted_headcount += response.headcount
    session.flush()
    verb = response.status.value
    record_audit(
        session,
        principal,
        f"response.{'accept' if accept else 'decline'}",
        resource_id=response.id,
        summary={"demand_id": demand.id, "headcount": response.headcount},
    )
    # News for the college whose offer was answered.
    _announce(session, response, verb, response.college_id)
    return response

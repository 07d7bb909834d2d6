"""Enterprise demands: writing them, their life cycle and who sees which.

`draft → open ⇄ paused → closed`. A demand whose `valid_until` has passed is closed
(`expired`) for every reader at once (`open_clause`, `Demand.effective_status`); the stored
row follows on the next write that touches it, or when the worker calls `expire_demands`.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, true
from sqlalchemy.orm import Session

from app.core import clock
from app.core.config import Settings
from app.core.errors import Conflict, Invalid, NotFound
from app.core.i18n import t
from app.models import Demand, DemandMajor, DemandOccupation, District, Major, Occupation
from app.models.demand import LEVEL_BITS
from app.models.enums import CloseReason, DemandStatus, OrgType
from app.schemas.common import PageParams
from app.schemas.demands import (
    DemandClose,
    DemandCreate,
    DemandFilters,
    DemandRead,
    DemandUpdate,
)
from app.services import labels, permissions
from app.services.audit import changes, record_audit
from app.services.checks import Problems
from app.services.demands.occupations import derive_majors
from app.services.demands.totals import tally
from app.services.events import record_event
from app.services.permissions import Principal
from app.services.query import Paged, code_prefix, contains, paginate

MAX_VALIDITY = timedelta(days=3 * 366)
LIVE = (DemandStatus.open, DemandStatus.paused)


def open_clause() -> ColumnElement[bool]:
    """Demands open right now: status `open` and not past their last valid day."""
    return and_(Demand.status == DemandStatus.open, Demand.valid_until >= clock.today())


def _shares(codes: list[str], headcount: int) -> list[tuple[str, int]]:
    """The headcount split evenly over the codes, the remainder to the first ones."""
    base, rest = divmod(headcount, len(codes))
    return [(code, base + (1 if i < rest else 0)) for i, code in enumerate(sorted(codes))]


def _validate(session: Session, values: dict[str, Any], *, check_dates: bool) -> None:
    """Business checks of a demand's merged fields; every failure named by its field."""
    problems = Problems(
        values, values.keys(), detail=t("需求信息有误，详见 errors。", "The demand is not valid.")
    )
    codes = [] if values.get("majors_from_occupations") else values["major_codes"]
    problems.listed(
        session,
        "major_codes",
        codes,
        Major.code,
        lambda code: t(
            f"专业代码 {code} 不在专业目录中。",
            f"Unknown major code {code} (not in the catalogue).",
        ),
    )
    occupations = values.get("occupation_codes") or []
    found = problems.listed(
        session,
        "occupation_codes",
        occupations,
        Occupation.code,
        lambda code: t(
            f"职业代码 {code} 不在职业分类大典中。",
            f"Unknown occupation code {code} (not in the catalogue).",
        ),
    )
    if occupations and set(occupations) <= found and not values["major_codes"]:
        problems.add(
            "occupation_codes",
            t(
                "这些职业在专业对应指引中没有对应专业，请填写 major_codes。",
                "No major leads to these occupations in the crosswalk; name major_codes.",
            ),
        )
    if not values["major_codes"] and values.get("status", DemandStatus.draft) != DemandStatus.draft:
        problems.add(
            "major_codes",
            t(
                "已发布的需求须有专业或职业。",
                "A demand that has been opened needs majors or occupations.",
            ),
        )
    district = values.get("district_code")
    if district and session.get(District, district) is None:
        problems.add(
            "district_code",
            t(f"未知的区县代码 {district}。", f"Unknown district code {district}."),
        )
    low, high = values.get("salary_min"), values.get("salary_max")
    if low is not None and high is not None and low > high:
        problems.add(
            "salary_max",
            t("最高薪资不能低于最低薪资。", "salary_max must not be below salary_min."),
        )
    if check_dates:
        _check_validity(problems, values["valid_until"])
    problems.raise_if_any()


def _check_validity(problems: Problems, valid_until: date) -> None:
    """A demand's last day: not past, at most `MAX_VALIDITY` ahead."""
    today = clock.today()
    if valid_until < today:
        problems.add(
            "valid_until",
            t(
                f"有效期已过（今天是 {today}）。",
                f"valid_until is in the past (today is {today}).",
            ),
        )
    if valid_until > today + MAX_VALIDITY:
        problems.add(
            "valid_until",
            t("需求的有效期最长三年。", "A demand is valid for at most three years."),
        )


def _apply(session: Session, demand: Demand, values: dict[str, Any]) -> None:
    """Store the fields, the level mask and the major and occupation indexes (with
    headcount shares)."""
    for field in ("major_codes", "occupation_codes", "graduation_years", "certificates"):
        if field in values:
            values[field] = list(dict.fromkeys(values[field]))
    if "graduation_years" in values:
        values["graduation_years"] = sorted(values["graduation_years"])
    tally(session, demand, -1)
    levels = values.pop("levels", None)
    if levels is not None:
        demand.level_mask = sum(LEVEL_BITS[level] for level in set(levels))
    for field, value in values.items():
        setattr(demand, field, value)
    session.flush()
    for model, codes in (
        (DemandMajor, demand.major_codes),
        (DemandOccupation, demand.occupation_codes),
    ):
        session.execute(delete(model).where(model.demand_id == demand.id))
        if codes:
            rows = [
                {"demand_id": demand.id, "code": code, "share": share}
                for code, share in _shares(codes, demand.headcount)
            ]
            session.execute(insert(model), rows)
    tally(session, demand, 1)


def _ensure_external_id_free(
    session: Session, enterprise_id: int, external_id: str | None, demand_id: int | None = None
) -> None:
    if external_id is None:
        return
    existing = session.scalar(
        select(Demand.id).where(
            Demand.enterprise_id == enterprise_id, Demand.external_id == external_id
        )
    )
    if existing is not None and existing != demand_id:
        raise Conflict(
            t(
                f"本企业的需求 {existing} 已使用外部编号 {external_id!r}。",
                f"Your demand {existing} already has external_id {external_id!r}.",
            ),
            code="duplicate_external_id",
            headers={"Location": f"/api/v1/demands/{existing}"},
            existing_id=existing,
        )


def create_demand(
    session: Session, principal: Principal, data: DemandCreate, settings: Settings
) -> Demand:
    """A draft demand of the caller's enterprise; a repeated `external_id` is a 409.

    Left out, `valid_until` is `DEMAND_DEFAULT_VALIDITY_DAYS` after today and
    `district_code` the enterprise's district.
    """
    assert principal.organization is not None  # an enterprise (checked by the route)
    enterprise = principal.organization
    _ensure_external_id_free(session, enterprise.id, data.external_id)
    values = data.model_dump()
    if values["valid_until"] is None:
        values["valid_until"] = clock.today() + timedelta(
            days=settings.demand_default_validity_days
        )
    if values["district_code"] is None:
        values["district_code"] = enterprise.district_code
    for field in ("major_codes", "occupation_codes", "levels", "graduation_years", "certificates"):
        values[field] = values[field] or []
    derive_majors(session, None, values)
    _validate(session, values, check_dates=True)
    demand = Demand(enterprise_id=enterprise.id, status=DemandStatus.draft)
    session.add(demand)
    _apply(session, demand, values)
    record_audit(
        session, principal, "demand.create", resource_id=demand.id, summary={"title": demand.title}
    )
    return demand


def visibility(principal: Principal | None) -> ColumnElement[bool]:
    """Which demands the caller sees: the one rule, for lists and gets alike.

    A demand once opened is public for good: while open, paused or closed (its pauses and
    its closing are public news in the event feed, and a get agrees). Its enterprise sees
    all of its own, drafts included; moderators every demand that is not a draft.
    """
    seen: ColumnElement[bool] = Demand.opened_at.is_not(None)
    if permissions.can_moderate_demands(principal):
        seen = or_(seen, Demand.status != DemandStatus.draft)
    if principal is not None and principal.org_type == OrgType.enterprise and principal.org_id:
        seen = or_(seen, Demand.enterprise_id == principal.org_id)
    return seen


def find_visible(session: Session, principal: Principal | None, demand_id: int) -> Demand | None:
    """The demand if the caller sees it: the list's rule plus the id."""
    stmt = select(Demand).where(visibility(principal), Demand.id == demand_id)
    return session.scalars(stmt).first()


def get_visible(session: Session, principal: Principal | None, demand_id: int) -> Demand:
    """A demand the caller sees (`visibility`); any other is not found."""
    demand = find_visible(session, principal, demand_id)
    if demand is None:
        raise NotFound(t("没有这个需求。", "No such demand."))
    return demand


def _default_scope(principal: Principal | None) -> ColumnElement[bool]:
    """Without a `status` filter a list shows open demands and the caller's own (moderators:
    every one they see)."""
    if permissions.can_moderate_demands(principal):
        return true()
    if principal is not None and principal.org_type == OrgType.enterprise and principal.org_id:
        return or_(open_clause(), Demand.enterprise_id == principal.org_id)
    return open_clause()


def _status_clause(status: DemandStatus) -> ColumnElement[bool]:
    today = clock.today()
    if status == DemandStatus.closed:
        expired = and_(Demand.status.in_(LIVE), Demand.valid_until < today)
        return or_(Demand.status == DemandStatus.closed, expired)
    if status in LIVE:
        return and_(Demand.status == status, Demand.valid_until >= today)
    return Demand.status == status


def list_demands(
    session: Session, principal: Principal | None, filters: DemandFilters, page: PageParams
) -> Paged[Demand]:
    """Newest first; without `status`, open demands and the caller's own."""
    stmt = select(Demand).where(visibility(principal))
    if filters.status:
        stmt = stmt.where(_status_clause(filters.status))
    else:
        stmt = stmt.where(_default_scope(principal))
    if filters.kind:
        stmt = stmt.where(Demand.kind == filters.kind)
    if filters.level:
        bit = LEVEL_BITS[filters.level]
        stmt = stmt.where(or_(Demand.level_mask == 0, Demand.level_mask.op("&")(bit) != 0))
    if filters.district_code:
        stmt = stmt.where(Demand.district_code == filters.district_code)
    if filters.enterprise_id:
        stmt = stmt.where(Demand.enterprise_id == filters.enterprise_id)
    if filters.q:
        stmt = stmt.where(contains(Demand.title, filters.q))
    if filters.major_prefix:
        prefix = filters.major_prefix
        above = [prefix[:n] for n in (2, 4) if n < len(prefix)]
        codes = select(DemandMajor.demand_id).where(
            or_(code_prefix(DemandMajor.code, prefix), DemandMajor.code.in_(above))
        )
        stmt = stmt.where(Demand.id.in_(codes))
    return paginate(session, stmt.order_by(Demand.id.desc()), page)


def _owned(session: Session, principal: Principal, demand_id: int) -> Demand:
    demand = get_visible(session, principal, demand_id)
    permissions.ensure_demand_owner(principal, demand.enterprise_id)
    settle_expiry(session, demand)
    return demand


def _ensure_status(demand: Demand, *allowed: DemandStatus) -> None:
    if demand.status not in allowed:
        names = ", ".join(s.value for s in allowed)
        now = labels.DEMAND_STATUS[demand.status]
        raise Conflict(
            t(
                f"该需求当前状态为“{now}”，此操作仅适用于"
                f"“{labels.names(labels.DEMAND_STATUS, allowed)}”状态的需求。",
                f"The demand is {demand.status.value}; this needs it to be {names}.",
            ),
            code="demand_status_conflict",
        )


def _announce(session: Session, demand: Demand, verb: str) -> None:
    record_event(
        session,
        f"demand.{verb}",
        resource_id=demand.id,
        data=DemandRead.model_validate(demand),
        organization_id=demand.enterprise_id,
        public=demand.opened_at is not None,  # a draft closed unopened was never public
    )


def update_demand(
    session: Session, principal: Principal, demand_id: int, data: DemandUpdate
) -> Demand:
    """Change a draft, open or paused demand; a change of an open one is announced."""
    demand = _owned(session, principal, demand_id)
    _ensure_status(demand, DemandStatus.draft, *LIVE)
    values = data.model_dump(exclude_unset=True)
    for field in ("occupation_codes", "levels", "graduation_years", "certificates"):
        if field in values and values[field] is None:
            values[field] = []
    derive_majors(session, demand, values)
    if "external_id" in values:
        _ensure_external_id_free(session, demand.enterprise_id, values["external_id"], demand.id)
    before = DemandRead.model_validate(demand).model_dump()
    merged = {**before, **values}
    _validate(session, merged, check_dates="valid_until" in values)
    _apply(session, demand, values)
    after = DemandRead.model_validate(demand).model_dump()
    diff = changes(before, {k: after[k] for k in data.model_fields_set if k in after})
    record_audit(session, principal, "demand.update", resource_id=demand.id, summary=diff)
    if demand.status == DemandStatus.open and diff:
        _announce(session, demand, "updated")
    return demand


def _transition(
    session: Session, principal: Principal, demand: Demand, status: DemandStatus, verb: str
) -> Demand:
    before = demand.status
    tally(session, demand, -1)
    demand.status = status
    if status == DemandStatus.open and demand.opened_at is None:
        demand.opened_at = clock.now()
    session.flush()
    tally(session, demand, 1)
    summary = changes({"status": before}, {"status": status})
    record_audit(session, principal, f"demand.{verb}", resource_id=demand.id, summary=summary)
    _announce(session, demand, verb)
    return demand


def open_demand(session: Session, principal: Principal, demand_id: int) -> Demand:
    """Publish a draft: it becomes visible to everybody and can be matched and answered."""
    demand = _owned(session, principal, demand_id)
    _ensure_status(demand, DemandStatus.draft)
    if demand.valid_until < clock.today():
        raise Invalid.field(
            ("valid_until",),
            t("有效期已过，请先修改有效期。", "valid_until has passed; change it first."),
        )
    if not demand.major_codes:
        raise Invalid.field(
            ("body", "major_codes"),
            t(
                "请先确认职业（occupation_codes）或专业（major_codes），再发布需求。",
                "Confirm occupation_codes or major_codes before opening the demand.",
            ),
        )
    return _transition(session, principal, demand, DemandStatus.open, "opened")


def pause_demand(session: Session, principal: Principal, demand_id: int) -> Demand:
    demand = _owned(session, principal, demand_id)
    _ensure_status(demand, DemandStatus.open)
    return _transition(session, principal, demand, DemandStatus.paused, "paused")


def resume_demand(session: Session, principal: Principal, demand_id: int) -> Demand:
    demand = _owned(session, principal, demand_id)
    _ensure_status(demand, DemandStatus.paused)
    return _transition(session, principal, demand, DemandStatus.open, "resumed")


def close_demand(
    session: Session, principal: Principal, demand_id: int, data: DemandClose
) -> Demand:
    """The enterprise closes its demand; the industry bureau may close any (moderation)."""
    demand = get_visible(session, principal, demand_id)
    permissions.ensure_can_close_demand(principal, demand.enterprise_id)
    settle_expiry(session, demand)
    _ensure_status(demand, DemandStatus.draft, *LIVE)
    moderating = not permissions.owns_demand(principal, demand.enterprise_id)
    if moderating and not data.note:
        raise Invalid.field(
            ("body", "note"), t("请说明关闭该需求的原因。", "Say why the demand is closed.")
        )
    if data.close_reason == CloseReason.filled_via_platform and data.hired_count < 1:
        raise Invalid.field(
            ("body", "hired_count"),
            t(
                "通过平台招满的，录用人数至少为 1。",
                "Filled via the platform: at least 1 hire.",
            ),
        )
    demand.close_reason = CloseReason(data.close_reason)
    demand.hired_count = data.hired_count
    demand.close_note = data.note
    demand.closed_at = clock.now()
    demand.closed_by_organization_id = principal.org_id
    return _transition(session, principal, demand, DemandStatus.closed, "closed")


def _expire(session: Session, demand: Demand) -> None:
    tally(session, demand, -1)
    demand.status = DemandStatus.closed
    demand.close_reason = CloseReason.expired
    demand.hired_count = 0
    demand.closed_at = clock.now()
    session.flush()
    record_audit(
        session,
        None,
        "demand.expire",
        resource_id=demand.id,
        summary={"valid_until": demand.valid_until.isoformat()},
    )
    _announce(session, demand, "closed")


def settle_expiry(session: Session, demand: Demand) -> None:
    """Store an expired demand as closed (`expired`), announced like any closing."""
    if demand.is_expired:
        _expire(session, demand)


def expire_demands(session: Session, limit: int = 1_000) -> int:
    """Close (as `expired`) up to `limit` open or paused demands past their last valid day.

    For the background worker; it may run in many processes at once (rows are claimed
    with `FOR UPDATE SKIP LOCKED` on PostgreSQL). Returns how many it closed.
    """
    stmt = (
        select(Demand)
        .where(Demand.status.in_(LIVE), Demand.valid_until < clock.today())
        .order_by(Demand.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    demands = session.scalars(stmt).all()
    for demand in demands:
        _expire(session, demand)
    return len(demands)

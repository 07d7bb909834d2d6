"""Supply and demand in aggregate, a college's cooperation indicators, the city overview.

Attribution rules (so that every table adds up to the raw totals):

* supply is the graduating headcount of the latest published student distribution period
  (or `period`); demand is the headcount of open demands.
* A demand's headcount is split evenly over its major codes, the remainder going to the
  first codes in catalogue order (`demand_majors.share`). A code shallower than the
  grouping (a category code under `group_by=class`) is its own row.
* `cluster`: an amount is split evenly over the clusters its class serves (remainder to
  the first cluster codes); amounts whose class serves none go to the row `-`.
* `district`: supply by the cohort's district, demand by the demand's district (default:
  the enterprise's); none known: the row `-`.
* `occupation` (职业分类大典): demand is split evenly over a demand's occupation codes
  (remainder to the first codes); demands naming none go to the row `-`. Supply is, per
  occupation, the graduating headcount of the majors that lead to it (the crosswalk; for
  an upper-level code, to the occupations in it): a major leading to several occupations
  counts in each, so these rows overlap and do not add up to `total_supply`, which is the
  period's whole supply, counted once.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import t
from app.models import (
    CooperationProject,
    CooperationProjectCollege,
    CooperationProjectEnterprise,
    Demand,
    DemandResponse,
    DistributionRow,
    DistributionSubmission,
    Major,
    Occupation,
    Organization,
    PublishedSupply,
    SocialServiceProject,
    Training,
    TrainingEnrollment,
)
from app.models.enums import (
    Cadence,
    CloseReason,
    FeedStatus,
    OrgStatus,
    OrgType,
    ResponseStatus,
    TrainingStatus,
)
from app.schemas.analytics import (
    CollegeIndicators,
    DistrictOverview,
    Overview,
    OverviewCounts,
    SubmissionTimeliness,
    SupplyDemandGroupBy,
    SupplyDemandRow,
)
from app.schemas.common import PageParams
from app.services import permissions
from app.services.demands.totals import open_counts, open_totals
from app.services.distribution.periods import parse_period
from app.services.matching.score import Reference, load_reference
from app.services.matching.supply import Supply, resolve_supply
from app.services.organizations import find_visible
from app.services.permissions import Principal
from app.services.query import Paged, paginate_computed
from app.services.taxonomies import majors_of_occupations

NONE = "-"


def _split(amount: int, keys: list[str]) -> list[tuple[str, int]]:
    base, rest = divmod(amount, len(keys))
    return [(key, base + (1 if i < rest else 0)) for i, key in enumerate(sorted(keys))]


def _group(code: str, group_by: SupplyDemandGroupBy, ref: Reference) -> list[str]:
    """The group keys one major code's amount is split over."""
    if group_by == "major":
        return [code]
    if group_by in ("class", "category"):
        return [code[: 4 if group_by == "class" else 2]]
    classes = [code[:4]] if len(code) >= 4 else [c for c in ref.clusters_of_class if c[:2] == code]
    clusters = sorted({k for c in classes for k in ref.clusters_of_class.get(c, [])})
    return clusters or [NONE]


def _by_code(
    amounts: dict[str, int], group_by: SupplyDemandGroupBy, ref: Reference
) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for code, amount in amounts.items():
        for key, part in _split(amount, _group(code, group_by, ref)):
            totals[key] += part
    return totals


def _supply(
    session: Session, supply: Supply, group_by: SupplyDemandGroupBy, ref: Reference
) -> dict[str, int]:
    """Published supply per group, from the publication's sums (`published_supply`)."""
    if supply.publication_id is None:
        return {}
    total = PublishedSupply
    column = total.district_code if group_by == "district" else total.major_code
    stmt = (
        select(column, func.sum(total.graduating_headcount))
        .where(total.publication_id == supply.publication_id)
        .group_by(column)
    )
    amounts = {key: int(amount) for key, amount in session.execute(stmt)}
    return amounts if group_by == "district" else _by_code(amounts, group_by, ref)


def _occupation_supply(
    session: Session, supply: Supply, codes: list[str], ref: Reference
) -> dict[str, int]:
    """Per occupation, the supply of the majors leading to it (overlapping)."""
    by_major = _supply(session, supply, "major", ref)
    totals: dict[str, int] = {}
    for code in codes:
        majors = majors_of_occupations(session, [code])
        totals[code] = sum(by_major.get(m, 0) for m in majors)
    return totals


def _demand(session: Session, group_by: SupplyDemandGroupBy, ref: Reference) -> dict[str, int]:
    """Open demand per group, from the open demands' totals (`open_demand_totals`)."""
    if group_by == "occupation":
        return open_totals(session, "occupation")
    if group_by == "district":
        return _place_demand(session)
    return _by_code(open_totals(session, "major"), group_by, ref)


def _place_demand(session: Session) -> dict[str, int]:
    """Per district; a demand without one counts in its enterprise's (`@<id>` totals)."""
    totals = open_totals(session, "place")
    ids = {int(code[1:]) for code in totals if code.startswith("@")}
    stmt = select(Organization.id, Organization.district_code).where(Organization.id.in_(ids))
    districts = dict(session.execute(stmt).all()) if ids else {}
    amounts: dict[str, int] = defaultdict(int)
    for code, headcount in totals.items():
        district = districts.get(int(code[1:])) if code.startswith("@") else code
        amounts[district or NONE] += headcount
    return dict(amounts)


def _group_names(
    session: Session, group_by: SupplyDemandGroupBy, keys: set[str], ref: Reference
) -> dict[str, str]:
    if group_by == "cluster":
        return {**ref.cluster_names, NONE: "不属于任何产业集群"}
    if group_by == "district":
        return {**ref.district_names, NONE: "未指定地点"}
    if group_by == "occupation":
        rows = session.execute(
            select(Occupation.code, Occupation.name).where(Occupation.code.in_(keys))
        )
        return {**dict(rows.all()), NONE: "未指定职业"}
    rows = session.execute(select(Major.code, Major.name).where(Major.code.in_(keys)))
    return dict(rows.all())


@dataclass(frozen=True, slots=True)
class SupplyDemandReport:
    """One page of the supply–demand groups, and the totals over every group."""

    group_by: SupplyDemandGroupBy
    period: str | None
    total_supply: int
    total_demand: int
    rows: Paged[SupplyDemandRow]


def supply_demand(
    session: Session, group_by: SupplyDemandGroupBy, period: str | None, page: PageParams
) -> SupplyDemandReport:
    """One page of graduating supply against open demand per group (in key order), with
    the gap and the ratio; the totals are over every group."""
    supply = resolve_supply(session, None, period, None)
    ref = load_reference(session)
    demanded = _demand(session, group_by, ref)
    if group_by == "occupation":
        whole = _supply(session, supply, "category", ref)
        supplied = _occupation_supply(session, supply, sorted(set(demanded) - {NONE}), ref)
        total_supply = sum(whole.values())
    else:
        supplied = _supply(session, supply, group_by, ref)
        total_supply = sum(supplied.values())
    keys = set(supplied) | set(demanded)
    names = _group_names(session, group_by, keys, ref)
    items = []
    for key in sorted(keys):
        s, d = supplied.get(key, 0), demanded.get(key, 0)
        ratio = round(s / d, 4) if d else None
        items.append(
            SupplyDemandRow(
                key=key, name=names.get(key), supply=s, demand=d, gap=s - d, ratio=ratio
            )
        )
    return SupplyDemandReport(
        group_by=group_by,
        period=supply.period,
        total_supply=total_supply,
        total_demand=sum(demanded.values()),
        rows=paginate_computed(items, page),
    )


def _responses(session: Session, college_id: int) -> dict[str, int]:
    stmt = (
        select(DemandResponse.status, func.count(), func.sum(DemandResponse.headcount))
        .where(DemandResponse.college_id == college_id)
        .group_by(DemandResponse.status)
    )
    counts = {status: (n, int(h or 0)) for status, n, h in session.execute(stmt)}
    accepted = counts.get(ResponseStatus.accepted, (0, 0))
    return {
        "responses_offered": sum(n for n, _ in counts.values()),
        "headcount_offered": sum(h for _, h in counts.values()),
        "responses_accepted": accepted[0],
        "headcount_accepted": accepted[1],
    }


def _cooperation(session: Session, college_id: int) -> dict[str, int]:
    """Published cooperation and social service projects of the college, and its partners:
    the enterprises of its published cooperation projects and those that accepted its
    responses (each counted once)."""
    published = FeedStatus.published
    projects = (
        select(CooperationProjectCollege.project_id)
        .join(CooperationProject, CooperationProject.id == CooperationProjectCollege.project_id)
        .where(
            CooperationProjectCollege.organization_id == college_id,
            CooperationProject.status == published,
        )
    )
    project_partners = select(CooperationProjectEnterprise.organization_id).where(
        CooperationProjectEnterprise.project_id.in_(projects)
    )
    demand_partners = (
        select(Demand.enterprise_id)
        .join(DemandResponse, DemandResponse.demand_id == Demand.id)
        .where(
            DemandResponse.college_id == college_id,
            DemandResponse.status == ResponseStatus.accepted,
        )
    )
    partners = project_partners.union(demand_partners).subquery()
    social = session.execute(
        select(func.count(), func.sum(SocialServiceProject.capacity)).where(
            SocialServiceProject.owner_organization_id == college_id,
            SocialServiceProject.status == published,
        )
    ).one()
    return {
        "cooperation_projects": session.scalar(
            select(func.count()).select_from(projects.subquery())
        )
        or 0,
        "partner_enterprises": session.scalar(select(func.count()).select_from(partners)) or 0,
        "social_service_projects": social[0],
        "social_service_capacity": int(social[1] or 0),
    }


def _hires(session: Session, college_id: int) -> int:
    """Hires of demands filled via the platform, shared by the colleges' accepted headcount
    (this college's share rounded down)."""
    accepted = DemandResponse.status == ResponseStatus.accepted
    mine = case((DemandResponse.college_id == college_id, DemandResponse.headcount), else_=0)
    stmt = (
        select(Demand.hired_count, func.sum(mine), func.sum(DemandResponse.headcount))
        .join(DemandResponse, and_(DemandResponse.demand_id == Demand.id, accepted))
        .where(Demand.close_reason == CloseReason.filled_via_platform)
        .where(
            Demand.id.in_(
                select(DemandResponse.demand_id).where(
                    DemandResponse.college_id == college_id, accepted
                )
            )
        )
        .group_by(Demand.id, Demand.hired_count)
    )
    return sum((hired or 0) * int(own) // int(total) for hired, own, total in session.execute(stmt))


def _trainings(session: Session, college_id: int) -> dict[str, int]:
    """The college's enrolments in trainings that were not cancelled, and completions."""
    stmt = (
        select(
            func.count(), func.sum(TrainingEnrollment.seats), func.sum(TrainingEnrollment.completed)
        )
        .join(Training, Training.id == TrainingEnrollment.training_id)
        .where(
            TrainingEnrollment.college_id == college_id,
            Training.status != TrainingStatus.cancelled,
        )
    )
    enrollments, seats, completed = session.execute(stmt).one()
    return {
        "trainings_enrolled": enrollments,
        "training_seats": int(seats or 0),
        "training_seats_completed": int(completed or 0),
    }


def _submissions(
    session: Session, college_id: int, settings: Settings
) -> list[SubmissionTimeliness]:
    """Per period: the first submission, its due date and whether it came in time.

    A period's submission is due when its publication is (`publication_grace_days` after
    the period ends); dates are China's.
    """
    stmt = (
        select(DistributionSubmission.period, func.min(DistributionSubmission.submitted_at))
        .where(DistributionSubmission.college_id == college_id)
        .group_by(DistributionSubmission.period)
        .order_by(DistributionSubmission.period.desc())
    )
    grace = timedelta(days=settings.publication_grace_days)
    rows = []
    for period, first in session.execute(stmt):
        due = parse_period(period, Cadence.half_yearly).end + grace
        submitted = first.astimezone(clock.zone()).date()
        rows.append(
            SubmissionTimeliness(
                period=period, first_submitted_at=first, due_date=due, on_time=submitted <= due
            )
        )
    return rows


def college_indicators(
    session: Session, principal: Principal, college_id: int, settings: Settings
) -> CollegeIndicators:
    """What the platform knows of a college's cooperation so far."""
    college = find_visible(session, principal, college_id)
    if college is None or college.org_type != OrgType.college:
        raise NotFound(t("没有这所院校。", "No such college."))
    permissions.ensure_can_read_college_analytics(principal, college_id)
    supply = resolve_supply(session, None, None, None)
    stmt = select(
        func.sum(DistributionRow.headcount), func.sum(DistributionRow.graduating_headcount)
    ).where(supply.clause(), DistributionRow.college_id == college_id)
    headcount, graduating = session.execute(stmt).one()
    submissions = _submissions(session, college_id, settings)
    return CollegeIndicators(
        college_id=college_id,
        name=college.name,
        **_responses(session, college_id),
        **_cooperation(session, college_id),
        hires_via_platform=_hires(session, college_id),
        **_trainings(session, college_id),
        submissions=submissions,
        submissions_on_time=sum(1 for s in submissions if s.on_time),
        published_period=supply.period,
        published_headcount=int(headcount or 0),
        published_graduating_headcount=int(graduating or 0),
    )


def _count_orgs(session: Session, org_type: OrgType) -> dict[str | None, int]:
    stmt = (
        select(Organization.district_code, func.count())
        .where(Organization.status == OrgStatus.approved, Organization.org_type == org_type)
        .group_by(Organization.district_code)
    )
    return dict(session.execute(stmt).all())


def _open_demands(session: Session) -> dict[str | None, tuple[int, int]]:
    """Open demands and headcount per district, from the kept totals (a demand without a
    district counts at its enterprise's)."""
    counts = open_counts(session, "place")
    ids = {int(place[1:]) for place in counts if place.startswith("@")}
    stmt = select(Organization.id, Organization.district_code).where(Organization.id.in_(ids))
    districts = dict(session.execute(stmt).all()) if ids else {}
    per: dict[str | None, tuple[int, int]] = {}
    for place, (n, h) in counts.items():
        key = districts.get(int(place[1:])) if place.startswith("@") else place
        before = per.get(key, (0, 0))
        per[key] = (before[0] + n, before[1] + h)
    return per


def overview(session: Session) -> Overview:
    """Approved enterprises and colleges, open demands and published supply: city and districts."""
    ref = load_reference(session)
    supply = resolve_supply(session, None, None, None)
    stmt = (
        select(DistributionRow.district_code, func.sum(DistributionRow.graduating_headcount))
        .where(supply.clause())
        .group_by(DistributionRow.district_code)
    )
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(district: str | None, field: str, amount: int) -> None:
        key = ref.county.get(district, district) if district else NONE
        per[key or NONE][field] += amount

    for district, n in _count_orgs(session, OrgType.enterprise).items():
        add(district, "enterprises", n)
    for district, n in _count_orgs(session, OrgType.college).items():
        add(district, "colleges", n)
    for district, (n, h) in _open_demands(session).items():
        add(district, "open_demands", n)
        add(district, "open_headcount", h)
    for district, total in session.execute(stmt):
        add(district, "supply", int(total or 0))
    fields = ("enterprises", "colleges", "open_demands", "open_headcount", "supply")
    districts = [
        DistrictOverview(
            district_code=key,
            name=ref.district_names.get(key, "未指定地点"),
            **{f: per[key][f] for f in fields},
        )
        for key in sorted(per)
    ]
    city = OverviewCounts(**{f: sum(per[key][f] for key in per) for f in fields})
    return Overview(period=supply.period, city=city, districts=districts)

"""Reading student distributions: rows, summaries, who has submitted, and what a
publication freezes.

Published rows are the submissions a period's latest publication linked; submissions and
their rows are never updated, so those links are as frozen as the publication's own copy.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, exists, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from app.core import clock
from app.core.config import Settings
from app.core.errors import Invalid
from app.models import (
    DistributionRow,
    DistributionSubmission,
    District,
    Major,
    Organization,
    Publication,
    PublishedCohorts,
    PublishedSubmission,
    PublishedSupply,
)
from app.models.enums import Cadence, Dataset, OrgStatus, OrgType
from app.schemas.common import PageParams
from app.schemas.distributions import (
    DistributionFilters,
    DistributionGroupBy,
    DistributionView,
    SummaryRow,
)
from app.schemas.publications import CollegeSchedule, CollegeSubmissionStatus
from app.services.distribution.periods import PeriodError, parse_period, period_of
from app.services.distribution.submissions import sees_submissions
from app.services.distribution.submissions import visibility as submission_visibility
from app.services.permissions import Principal
from app.services.query import Paged, code_prefix, paginate


def _latest_publications() -> Select[int]:
    """Ids of the latest version of each period's student distribution publication."""
    newer = aliased(Publication)
    return select(Publication.id).where(
        Publication.dataset == Dataset.student_distribution,
        ~exists().where(
            newer.dataset == Publication.dataset,
            newer.period == Publication.period,
            newer.version > Publication.version,
        ),
    )


def resolve_view(principal: Principal | None, filters: DistributionFilters) -> DistributionView:
    """The view asked for, else `submitted` for callers who may see submissions and
    `published` for everyone else."""
    if filters.view is not None:
        return filters.view
    return "submitted" if sees_submissions(principal) else "published"


def _visible(
    principal: Principal | None, filters: DistributionFilters
) -> list[ColumnElement[bool]]:
    """WHERE clauses on DistributionRow for the caller's view and the filters."""
    if resolve_view(principal, filters) == "published":
        published = select(PublishedSubmission.submission_id).where(
            PublishedSubmission.publication_id.in_(_latest_publications())
        )
        clauses: list[Any] = [DistributionRow.submission_id.in_(published)]
    else:
        current = select(DistributionSubmission.id).where(
            submission_visibility(principal), DistributionSubmission.is_current
        )
        clauses = [DistributionRow.submission_id.in_(current)]
    for column, value in (
        (DistributionRow.period, filters.period),
        (DistributionRow.college_id, filters.college_id),
        (DistributionRow.major_code, filters.major_code),
        (DistributionRow.level, filters.level),
        (DistributionRow.district_code, filters.district_code),
        (DistributionRow.graduation_year, filters.graduation_year),
    ):
        if value is not None:
            clauses.append(column == value)
    if filters.major_prefix:
        clauses.append(code_prefix(DistributionRow.major_code, filters.major_prefix))
    return clauses


def list_rows(
    session: Session, principal: Principal | None, filters: DistributionFilters, page: PageParams
) -> Paged[DistributionRow]:
    stmt = (
        select(DistributionRow)
        .where(*_visible(principal, filters))
        .order_by(
            DistributionRow.period.desc(),
            DistributionRow.college_id,
            DistributionRow.major_code,
            DistributionRow.level,
            DistributionRow.enrollment_year,
        )
    )
    return paginate(session, stmt, page)


def _grouping(
    group_by: DistributionGroupBy,
) -> tuple[Any, Any, list[tuple[Any, ColumnElement[bool]]]]:
    """(key column, name column, joins) for one way of grouping the rows."""
    parent = aliased(Major)
    on_major = (Major, Major.code == DistributionRow.major_code)
    if group_by == "major":
        return DistributionRow.major_code, Major.name, [on_major]
    if group_by in ("class", "category"):
        key = Major.class_code if group_by == "class" else Major.category_code
        return key, parent.name, [on_major, (parent, parent.code == key)]
    if group_by == "college":
        on_college = (Organization, Organization.id == DistributionRow.college_id)
        return DistributionRow.college_id, Organization.name, [on_college]
    on_district = (District, District.code == DistributionRow.district_code)
    return DistributionRow.district_code, District.name, [on_district]


@dataclass(frozen=True, slots=True)
class Summary:
    """One page of a summary's groups, and what was summarised."""

    group_by: DistributionGroupBy
    period: str | None
    view: DistributionView
    cells: Paged[SummaryRow]


def summarize(
    session: Session,
    principal: Principal | None,
    filters: DistributionFilters,
    group_by: DistributionGroupBy,
    page: PageParams,
    settings: Settings,
) -> Summary:
    """One page of headcounts per group for one period (default: the latest one visible)."""
    clauses = _visible(principal, filters)
    period = filters.period or session.scalar(
        select(func.max(DistributionRow.period)).where(*clauses)
    )
    key, name, joins = _grouping(group_by)
    stmt = select(
        key,
        name,
        func.sum(DistributionRow.headcount),
        func.sum(DistributionRow.graduating_headcount),
    ).where(*clauses, DistributionRow.period == period)
    for target, on in joins:
        stmt = stmt.outerjoin(target, on)
    found = paginate(session, stmt.group_by(key, name).order_by(key), page)
    minimum = settings.distribution_min_cell_size if principal is None else None
    cells = [_cell(str(k), n, int(h or 0), int(g or 0), minimum) for k, n, h, g in found.items]
    view = resolve_view(principal, filters)
    return Summary(group_by, period, view, Paged(cells, found.total))


def _cell(
    key: str, name: str | None, headcount: int, graduating: int, minimum: int | None
) -> SummaryRow:
    """One summary row; small cells are hidden from anonymous callers (nobody singled out)."""
    if minimum and (headcount < minimum or 0 < graduating < minimum):
        return SummaryRow(
            key=key, name=name, headcount=None, graduating_headcount=None, suppressed=True
        )
    return SummaryRow(key=key, name=name, headcount=headcount, graduating_headcount=graduating)


def college_status(session: Session, period_label: str | None) -> CollegeSchedule:
    """Which approved colleges have, and have not, submitted for a period."""
    if period_label is None:
        period_label = period_of(clock.today(), Cadence.half_yearly).label
    try:
        parse_period(period_label, Cadence.half_yearly)
    except PeriodError as exc:
        raise Invalid.field(("query", "period"), exc.why) from None
    current = (
        select(DistributionSubmission)
        .where(DistributionSubmission.period == period_label, DistributionSubmission.is_current)
        .subquery()
    )
    stmt = (
        select(Organization.id, Organization.name, Organization.district_code, current)
        .outerjoin(current, current.c.college_id == Organization.id)
        .where(Organization.org_type == OrgType.college, Organization.status == OrgStatus.approved)
        .order_by(Organization.id)
    )
    colleges = [
        CollegeSubmissionStatus(
            college_id=row["id"],
            name=row["name"],
            district_code=row["district_code"],
            submitted=row["version"] is not None,
            version=row["version"],
            submitted_at=row["submitted_at"],
            row_count=row["row_count"],
            headcount=row["headcount"],
        )
        for row in session.execute(stmt).mappings()
    ]
    done = sum(1 for c in colleges if c.submitted)
    return CollegeSchedule(
        period=period_label,
        submitted_count=done,
        missing_count=len(colleges) - done,
        colleges=colleges,
    )


def frozen_rows(session: Session, publication: Publication) -> Iterator[dict[str, Any]]:
    """The student distribution row source: every college's current submission for the period.

    Links the submissions first (one INSERT … SELECT), then reads rows through the links,
    so the copy and the links agree even if a college submits meanwhile.
    """
    _link_submissions(session, publication)
    total_supply(session, publication.id, publication.period)
    stmt = _frozen_query(publication.id)
    for row in session.execute(stmt.execution_options(yield_per=2_000)).mappings():
        yield dict(row)


def _link_submissions(session: Session, publication: Publication) -> None:
    session.execute(
        insert(PublishedSubmission).from_select(
            ["publication_id", "submission_id"],
            select(literal(publication.id), DistributionSubmission.id).where(
                DistributionSubmission.period == publication.period,
                DistributionSubmission.is_current,
            ),
        )
    )


def total_supply(session: Session, publication_id: int, period: str) -> None:
    """Sum the linked submissions' graduates per major and district (`published_supply`)
    and count their cohorts per major, level and graduation year (`published_cohorts`)."""
    row = DistributionRow
    linked = row.submission_id.in_(
        select(PublishedSubmission.submission_id).where(
            PublishedSubmission.publication_id == publication_id
        )
    )
    keys = (row.major_code, row.district_code)
    sums = (
        select(literal(publication_id), *keys, func.sum(row.graduating_headcount))
        .where(row.period == period, linked)
        .group_by(*keys)
    )
    columns = ["publication_id", "major_code", "district_code", "graduating_headcount"]
    session.execute(insert(PublishedSupply).from_select(columns, sums))
    groups = (row.major_code, row.level, row.graduation_year)
    available = func.sum(row.graduating_headcount)
    cohorts = (
        select(*groups, available.label("available"))
        .where(row.period == period, linked)
        .group_by(row.college_id, *groups, row.district_code)
        .having(available > 0)
        .subquery()
    )
    c = cohorts.c
    counts = select(
        literal(publication_id),
        c.major_code,
        c.level,
        c.graduation_year,
        func.count(),
        func.max(c.available),
    ).group_by(c.major_code, c.level, c.graduation_year)
    columns = ["publication_id", "major_code", "level", "graduation_year", "cohorts"]
    session.execute(insert(PublishedCohorts).from_select([*columns, "max_available"], counts))


def _frozen_query(publication_id: int) -> Select[*tuple[Any, ...]]:
    return (
        select(
            DistributionRow.college_id,
            Organization.name.label("college_name"),
            DistributionRow.major_code,
            Major.name.label("major_name"),
            cast(DistributionRow.level, String).label("level"),
            DistributionRow.enrollment_year,
            DistributionRow.graduation_year,
            DistributionRow.headcount,
            DistributionRow.graduating_headcount,
            DistributionRow.district_code,
        )
        .join(
            PublishedSubmission, PublishedSubmission.submission_id == DistributionRow.submission_id
        )
        .join(Organization, Organization.id == DistributionRow.college_id)
        .join(Major, Major.code == DistributionRow.major_code)
        .where(PublishedSubmission.publication_id == publication_id)
        .order_by(
            DistributionRow.college_id,
            DistributionRow.major_code,
            DistributionRow.level,
            DistributionRow.enrollment_year,
        )
    )

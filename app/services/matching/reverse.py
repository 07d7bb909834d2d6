"""Reverse matching: the open demands ranked for one college (see the package's docstring).

A large college relates to most open demands at some distance, so the demands are not
all scored: the database sorts them by an upper bound of their score and hands them over
a batch at a time, and the search stops once the page is filled with scores no remaining
bound can reach (an exact top-k). Demands naming one of the college's majors, classes or
categories come first; any other demand's major factor is at most 75, which bounds its
score below.
"""

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, exists, func, literal, or_, select, text
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import t
from app.models import Demand, DemandMajor, Organization
from app.models.enums import DemandStatus, OrgType
from app.schemas.common import PageParams
from app.schemas.demands import Cohort as CohortRead
from app.schemas.demands import DemandMatch, DemandRef
from app.services.demands.service import open_clause
from app.services.demands.totals import open_naming
from app.services.matching.cohorts import R, cohort_fields, cohort_query, via
from app.services.matching.college_supply import CollegeSupply
from app.services.matching.score import (
    Cohort,
    Scorer,
    Want,
    explain,
    load_major_names,
    load_reference,
    score,
)
from app.services.matching.supply import resolve_supply
from app.services.organizations import find_visible
from app.services.permissions import Principal
from app.services.query import Paged


@dataclass(frozen=True, slots=True)
class CollegeMatches:
    """One page of open demands ranked for a college, and the supply's period."""

    college_id: int
    period: str | None
    matches: Paged[DemandMatch]


def _college(session: Session, principal: Principal, college_id: int) -> Organization:
    college = find_visible(session, principal, college_id)
    if college is None or college.org_type != OrgType.college:
        raise NotFound(t("没有这所院校。", "No such college."))
    return college


def _open_naming(codes: list[str], catalogue: list[str]) -> ColumnElement[bool]:
    """Open demands naming one of `codes`. The open demands' index drives the query and
    each one's codes are looked up, so the cost follows the open demands, not all the
    demands the platform ever held. The codes are compared as an expression: a bare
    column would let SQLite probe the (demand_id, code) key once per code in the list.
    When `codes` hold most of the catalogue (demand codes are catalogue codes), the
    shorter list of the others is sent instead."""
    code = func.coalesce(DemandMajor.code, "")
    others = sorted(set(catalogue).difference(codes))
    names = code.not_in(others) if len(others) < len(codes) else code.in_(codes)
    return and_(open_clause(), exists().where(DemandMajor.demand_id == Demand.id, names))


class Bounded(NamedTuple):
    """An open demand with an upper bound of its score against one college."""

    negative_bound: int
    demand_id: int
    want: Want


def _in_bound_order(
    session: Session, supply: CollegeSupply, codes: list[str], weights: dict[str, int], need: int
) -> Iterator[Bounded]:
    """The open demands naming one of `codes`, best bound first, a batch at a time.

    Those that may score 100 % (`CollegeSupply.perfect`) come first, in id order: the
    open demands are read a range of ids at a time until the page is settled, so the cost
    follows the page, not the open demands (a large college fills a page of best scores
    there). The others, which score less, follow, sorted by their bound."""
    enterprise = select(Organization.district_code).where(Organization.id == Demand.enterprise_id)
    district = func.coalesce(Demand.district_code, enterprise.correlate(Demand).scalar_subquery())
    bound = supply.bound(district, Demand.headcount, weights)
    perfect = supply.perfect(session, district)  # each of them names one of `codes`

    def candidates(points: Any) -> Any:
        wants = (Demand.major_codes, Demand.level_mask, Demand.graduation_years)
        return select(points, Demand.id, *wants, district, Demand.headcount)

    best = 100 * sum(weights.values())
    yield from _walk(session, candidates(literal(best)).where(open_clause(), perfect))
    naming = _open_naming(codes, supply.ref.catalogue)
    yield from _batches(session, candidates(bound).where(naming, ~perfect), 10 * need)


def _bounded(rows: Any) -> Iterator[Bounded]:
    for points, demand_id, major_codes, mask, years, place, headcount in rows:
        yield Bounded(-points, demand_id, Want(major_codes, mask, years, place, headcount))


def _walk(session: Session, stmt: Any) -> Iterator[Bounded]:
    """The rows of `stmt` in id order, over ranges of ids growing twofold from 1,000:
    each range is read by the open demands' index (`ix_demands_open_id`), whatever
    the planner guesses of the other conditions."""
    open_ = Demand.status == DemandStatus.open
    last = session.scalar(select(func.max(Demand.id)).where(open_)) or 0
    low, size = 0, 1_000
    while low < last:
        part = stmt.where(open_, Demand.id > low, Demand.id <= low + size)
        yield from _bounded(session.execute(part.order_by(Demand.id)).all())
        low, size = low + size, 2 * size


def _batches(session: Session, stmt: Any, batch: int) -> Iterator[Bounded]:
    """The rows of `stmt` best bound first, a batch at a time. The next batch starts
    after the last row (a keyset, not an offset: a demand opened or closed meanwhile
    cannot make one be read twice)."""
    bound = stmt.selected_columns[0]
    after = stmt
    while rows := session.execute(after.order_by(bound.desc(), Demand.id).limit(batch)).all():
        yield from _bounded(rows)
        if len(rows) < batch:
            return
        last_points, last_id = rows[-1][0], rows[-1][1]
        after = stmt.where(
            or_(bound < last_points, and_(bound == last_points, Demand.id > last_id))
        )


class Ranked(NamedTuple):
    """A demand ranked for a college (by −points, then id), with its best cohort."""

    negative_points: int
    demand_id: int
    scorer: Scorer
    cohort: Cohort

    @property
    def key(self) -> tuple[int, int]:
        return (self.negative_points, self.demand_id)


def _top(
    session: Session, supply: CollegeSupply, codes: list[str], need: int, weights: dict[str, int]
) -> list[Ranked]:
    """The best `need` demands naming one of `codes`, exactly, scoring as few as the
    bounds allow."""
    top: list[Ranked] = []
    for candidate in _in_bound_order(session, supply, codes, weights, need):
        if len(top) >= need and (candidate.negative_bound, candidate.demand_id) > top[-1].key:
            break
        scorer = Scorer(candidate.want, supply.ref, weights)
        best = supply.best(scorer)
        if best is not None:
            ranked = Ranked(-best.points, candidate.demand_id, scorer, best.cohort)
            bisect.insort(top, ranked, key=lambda r: r.key)
            del top[need:]
    return top


def _rank_demands(
    session: Session, supply: CollegeSupply, page: PageParams, weights: dict[str, int]
) -> tuple[list[Ranked], int]:
    """The page's demands, ranked, and how many open demands relate to the college."""
    if not supply.cohorts:
        return [], 0
    related = supply.related(supply.ref.catalogue)
    total = open_naming(session, set(related), supply.ref.catalogue)
    need = page.offset + page.limit
    top = _top(session, supply, supply.named_codes(), need, weights)
    farther = weights["major"] * 75 + 100 * (100 - weights["major"])
    if len(top) < min(need, total) or (len(top) == need and -top[-1].negative_points <= farther):
        top = _top(session, supply, related, need, weights)
    return top[page.offset :], total


def _demand_refs(session: Session, ids: list[int]) -> dict[int, DemandRef]:
    demands = session.scalars(select(Demand).where(Demand.id.in_(ids)))
    return {d.id: DemandRef.model_validate(d, from_attributes=True) for d in demands}


def _custom_plans(session: Session) -> None:
    """On PostgreSQL, plan this transaction's statements for their parameters. The driver
    prepares a statement run five times, and the server's generic plan for the walk (id
    range and code arrays unknown) costs ~3× the server time of planning each one anew."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def match_college(
    session: Session,
    principal: Principal,
    college_id: int,
    period: str | None,
    page: PageParams,
    settings: Settings,
) -> CollegeMatches:
    """Open demands ranked for one college's cohorts, each with its best-fitting cohort."""
    _college(session, principal, college_id)
    _custom_plans(session)
    supply = resolve_supply(session, principal, period, college_id)
    stmt = cohort_query(supply).where(R.college_id == college_id)
    cohorts = [Cohort(*row[1:]) for row in session.execute(stmt)]
    college_supply = CollegeSupply(cohorts, load_reference(session))
    window, total = _rank_demands(session, college_supply, page, settings.matching_weights)
    refs = _demand_refs(session, [r.demand_id for r in window])
    derived = session.scalars(
        select(Demand).where(Demand.id.in_(list(refs)), Demand.majors_from_occupations)
    )
    for demand in derived:
        for ranked in window:
            if ranked.demand_id == demand.id:
                ranked.scorer.want.via = via(session, demand)
    codes = {r.cohort.major_code for r in window} | {c for r in window for c in r.scorer.want.codes}
    names = load_major_names(session, codes)
    items = [
        DemandMatch(
            demand=refs[r.demand_id],
            cohort=CohortRead(**cohort_fields(r.cohort, names)),
            score=score(-r.negative_points),
            reasons=explain(r.scorer, r.cohort, names),
        )
        for r in window
    ]
    return CollegeMatches(college_id, supply.period, Paged(items, total))

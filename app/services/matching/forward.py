"""Forward matching: the cohorts ranked for one demand (see the package's docstring)."""

import heapq
from dataclasses import dataclass, replace
from typing import NamedTuple

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.models import Demand, Organization, PublishedCohorts
from app.models.enums import MajorLevel
from app.schemas.common import PageParams
from app.schemas.demands import CohortMatch, CollegeRef
from app.services.demands.service import get_visible
from app.services.matching.cohorts import R, cohort_fields, cohort_query, names_of, via
from app.services.matching.score import (
    Cohort,
    Scorer,
    Want,
    explain,
    load_major_names,
    load_reference,
    score,
)
from app.services.matching.supply import Supply, resolve_supply
from app.services.permissions import Principal
from app.services.query import Paged, code_prefix


def _outermost(prefixes: set[str]) -> list[str]:
    """The prefixes not under another one (their code ranges are disjoint)."""
    kept: list[str] = []
    for prefix in sorted(prefixes):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return kept


def _want(session: Session, demand: Demand) -> Want:
    """The demand's wants; its place is its district, else its enterprise's (read only
    then: a demand stores its enterprise's district when it is posted)."""
    district = demand.district_code
    if not district:
        district = session.scalar(
            select(Organization.district_code).where(Organization.id == demand.enterprise_id)
        )
    return Want(
        codes=list(demand.major_codes),
        level_mask=demand.level_mask,
        graduation_years=list(demand.graduation_years),
        district=district,
        headcount=demand.headcount,
        via=via(session, demand),
    )


@dataclass(frozen=True, slots=True)
class DemandMatches:
    """One page of cohorts ranked for a demand, and the supply's period."""

    demand_id: int
    period: str | None
    matches: Paged[CohortMatch]


def match_demand(
    session: Session,
    principal: Principal,
    demand_id: int,
    period: str | None,
    page: PageParams,
    settings: Settings,
) -> DemandMatches:
    """Cohorts ranked for a demand the caller may see."""
    demand = get_visible(session, principal, demand_id)
    supply = resolve_supply(session, principal, period, None)
    scorer = Scorer(_want(session, demand), load_reference(session), settings.matching_weights)
    window, total = _ranked(session, scorer, supply, page)
    items = _cohort_matches(session, scorer, window)
    return DemandMatches(demand.id, supply.period, Paged(items, total))


class RankedCohort(NamedTuple):
    """A demand's candidate cohort as the database ranked it."""

    points: int
    college_id: int
    cohort: Cohort


class Group(NamedTuple):
    """A demand's candidate cohorts of one major, level and graduation year: how many, and
    an upper bound of their points (the place at best, the largest cohort's coverage)."""

    bound: int
    major_code: str
    level: MajorLevel
    graduation_year: int
    cohorts: int


def _groups(session: Session, scorer: Scorer, supply: Supply) -> list[Group]:
    """The candidate cohorts (those any rule relates, at a wanted or adjacent level and
    within a year of a wanted year) counted per major, level and year, best bound first:
    the publication's counts (`published_cohorts`), and for a college looking at itself
    its published cohorts taken out and its current submission's put in."""
    counts: dict[tuple[str, MajorLevel, int], list[int]] = {}
    if supply.publication_id is not None:
        p = PublishedCohorts
        stmt = select(p.major_code, p.level, p.graduation_year, p.cohorts, p.max_available)
        ranges = _outermost({r.prefix for r in scorer.rules})
        parts = [
            stmt.where(p.publication_id == supply.publication_id, code_prefix(p.major_code, r))
            for r in ranges
        ]
        level_of = {level.value: level for level in MajorLevel}
        for code, level, year, cohorts, largest in session.execute(union_all(*parts)).all():
            counts[(code, level_of[level], year)] = [cohorts, largest]
    if supply.own_college_id is not None:
        published = replace(supply, own_college_id=None, own_submission_id=None)
        for sign, own in ((-1, published), (1, replace(supply, publication_id=None))):
            stmt = cohort_query(own).where(R.college_id == supply.own_college_id)
            for row in session.execute(stmt):
                count = counts.setdefault((row.major_code, row.level, row.graduation_year), [0, 0])
                count[0] += sign
                count[1] = max(count[1], row.available)
    w = scorer.weights
    levels = {level: scorer.level(level) for level in MajorLevel}  # each value once
    years = {year: scorer.graduation_year(year) for year in {y for _, _, y in counts}}
    groups = []
    for (code, level, year), (cohorts, largest) in counts.items():
        values = (scorer.major(code), levels[level], years[year])
        if cohorts and all(values):
            bound = (
                w["major"] * values[0]
                + w["level"] * values[1]
                + w["graduation_year"] * values[2]
                + w["place"] * 100
                + w["coverage"] * scorer.coverage(largest)
            )
            groups.append(Group(bound, code, level, year, cohorts))
    return sorted(groups, reverse=True)


def _ranked(
    session: Session, scorer: Scorer, supply: Supply, page: PageParams
) -> tuple[list[RankedCohort], int]:
    """The page of cohorts, ranked exactly, and the total.

    The database ranks the cohorts of the groups whose bound reaches a threshold; the
    page is exact once its last score is at least the threshold (every cohort left out
    scores below it), else the threshold drops to that score and it ranks again. A demand
    that names no major yet (a title-only draft) relates no cohort."""
    groups = _groups(session, scorer, supply) if scorer.rules else []
    need = page.offset + page.limit
    total = sum(g.cohorts for g in groups)
    threshold, counted = 0, 0
    for group in groups:  # first, the bound at which 4 pages' cohorts are ranked
        counted += group.cohorts
        if counted >= 4 * need:
            threshold = group.bound
            break
    while True:
        chosen = [g for g in groups if g.bound >= threshold]
        ranked = _rank_groups(session, scorer, supply, chosen, need)
        if len(chosen) == len(groups) or (len(ranked) == need and ranked[-1].points >= threshold):
            return ranked[page.offset :], total
        threshold = ranked[-1].points if len(ranked) == need else 0


def _rank_groups(
    session: Session, scorer: Scorer, supply: Supply, groups: list[Group], need: int
) -> list[RankedCohort]:
    """The best `need` cohorts of these groups' majors, levels and years. The database
    sums them; they are scored here (`Scorer.points`, memoised per distinct value): a
    statement of a few expanding lists, whose compiled form is cached, costs less than one
    spelling every factor's values out as SQL. Ties break by college id, then the strings
    by code point (bytewise, as UTF-8 sorts), the year and the district."""
    if not groups:
        return []
    stmt = cohort_query(supply).where(
        R.major_code.in_(sorted({g.major_code for g in groups})),
        R.level.in_(sorted({g.level for g in groups})),
        R.graduation_year.in_(sorted({g.graduation_year for g in groups})),
    )
    points = scorer.points
    ranked = (
        RankedCohort(
            points(code, level, year, district, n), college, Cohort(code, level, year, district, n)
        )
        for college, code, level, year, district, n in session.execute(stmt).all()
    )
    return heapq.nsmallest(
        need,
        ranked,
        key=lambda r: (
            -r.points,
            r.college_id,
            r.cohort.major_code,
            r.cohort.level.value,
            r.cohort.graduation_year,
            r.cohort.district_code,
        ),
    )


def _cohort_matches(
    session: Session, scorer: Scorer, window: list[RankedCohort]
) -> list[CohortMatch]:
    """The page's matches with college names and reasons."""
    colleges = names_of(session, Organization, {r.college_id for r in window})
    codes = {r.cohort.major_code for r in window} | set(scorer.want.codes)
    names = load_major_names(session, codes)
    return [
        CohortMatch(
            college=CollegeRef(id=r.college_id, name=colleges.get(r.college_id, "")),
            **cohort_fields(r.cohort, names),
            score=score(r.points),
            reasons=explain(scorer, r.cohort, names),
        )
        for r in window
    ]

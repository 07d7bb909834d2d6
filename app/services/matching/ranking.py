"""Matching ranks student cohorts for a demand, and open demands for a college.

A cohort is one college's graduates of one major, level and graduation year (and place).
Its **score** (0–1) is a weighted sum of five factors, each valued 0–100:

`score = (Wm·major + Wl·level + Wy·graduation_year + Wp·place + Wc·coverage) / 10,000`

with the weights, in percent, from the settings `MATCHING_WEIGHT_MAJOR` (default 40),
`_LEVEL` (15), `_GRADUATION_YEAR` (15), `_PLACE` (10) and `_COVERAGE` (20), summing to 100.

* **major**: the closest relation of the cohort's major to any of the demand's codes:
  the major asked for, or inside the class or category asked for, 100; the same class 75;
  the same discipline at another level (category shifted by 20: 4601xx ↔ 6601xx ↔ 2601xx)
  60; the same category 50; the same class at another level 45; a class serving the same
  Weihai industry cluster 35.
* **level**: a wanted level, or no level named, 100; the adjacent level 50; otherwise 0.
* **graduation_year**: a wanted year, or none named, 100; one year off 50; otherwise 0.
* **place**: against the demand's district (default: the enterprise's): the same
  county-level district 100, the same city 60, elsewhere 20; no place known 100.
* **coverage**: the cohort's expected graduates as a percentage of the demand's
  headcount, at most 100.

Every match lists its five reasons (`factor`, `weight`, `value`, `text`); the score is
`Σ weight × value`, rounded to 4 decimals. Candidates come from indexed queries only
(major code ranges for the demand's categories, its discipline at the other levels and
the cluster-related classes; graduation years within one year of those wanted; wanted or
adjacent levels), aggregated in SQL. Scores are computed in integers, so the ranking is
the same on every database; ties break by college id, major code, level, graduation year
and district (demands: by id).

Supply is the latest published student distribution period (`period` chooses another);
a college sees its own current submission in place of its published rows.
"""

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, union_all
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import NotFound
from app.core.i18n import t
from app.models import Demand, DemandMajor, DistributionRow, Organization, PublishedCohorts
from app.models.enums import DemandStatus, MajorLevel, OrgType
from app.schemas.common import PageParams
from app.schemas.demands import Cohort as CohortRead
from app.schemas.demands import CohortMatch, CollegeRef, DemandMatch, DemandRef
from app.services.demands.service import get_visible, open_clause
from app.services.demands.totals import open_naming
from app.services.matching.score import (
    Cohort,
    Reference,
    Scorer,
    Want,
    explain,
    load_major_names,
    load_reference,
    other_levels,
    place_value,
    score,
)
from app.services.matching.supply import Supply, resolve_supply
from app.services.organizations import find_visible
from app.services.permissions import Principal
from app.services.query import Paged, code_prefix
from app.services.taxonomies import majors_of_occupations

R = DistributionRow


def _cohort_query(supply: Supply) -> Any:
    available = func.sum(R.graduating_headcount)
    keys = (R.college_id, R.major_code, R.level, R.graduation_year, R.district_code)
    stmt = select(*keys, available.label("available")).where(supply.clause())
    return stmt.group_by(*keys).having(available > 0)


def _outermost(prefixes: set[str]) -> list[str]:
    """The prefixes not under another one (their code ranges are disjoint)."""
    kept: list[str] = []
    for prefix in sorted(prefixes):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return kept


def _want(session: Session, demand: Demand, enterprise_district: str | None) -> Want:
    return Want(
        codes=list(demand.major_codes),
        level_mask=demand.level_mask,
        graduation_years=list(demand.graduation_years),
        district=demand.district_code or enterprise_district,
        headcount=demand.headcount,
        via=_via(session, demand),
    )


def _via(session: Session, demand: Demand) -> dict[str, list[str]]:
    """For majors derived from the demand's occupations, which occupations they serve."""
    if not demand.majors_from_occupations:
        return {}
    return majors_of_occupations(session, list(demand.occupation_codes))


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return dict(rows.all())


@dataclass(frozen=True, slots=True)
class DemandMatches:
    """One page of cohorts ranked for a demand, and the supply's period."""

    demand_id: int
    period: str | None
    matches: Paged[CohortMatch]


@dataclass(frozen=True, slots=True)
class CollegeMatches:
    """One page of open demands ranked for a college, and the supply's period."""

    college_id: int
    period: str | None
    matches: Paged[DemandMatch]


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
    enterprise = session.get(Organization, demand.enterprise_id)
    supply = resolve_supply(session, principal, period, None)
    ref = load_reference(session)
    scorer = Scorer(
        _want(session, demand, enterprise.district_code if enterprise else None),
        ref,
        settings.matching_weights,
    )
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
        for code, level, year, cohorts, largest in session.execute(union_all(*parts)):
            counts[(code, MajorLevel(level), year)] = [cohorts, largest]
    if supply.own_college_id is not None:
        published = replace(supply, own_college_id=None, own_submission_id=None)
        for sign, own in ((-1, published), (1, replace(supply, publication_id=None))):
            stmt = _cohort_query(own).where(R.college_id == supply.own_college_id)
            for row in session.execute(stmt):
                count = counts.setdefault((row.major_code, row.level, row.graduation_year), [0, 0])
                count[0] += sign
                count[1] = max(count[1], row.available)
    w = scorer.weights
    groups = []
    for (code, level, year), (cohorts, largest) in counts.items():
        values = (scorer.major(code), scorer.level(level), scorer.graduation_year(year))
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
    """The best `need` cohorts of these groups' majors, levels and years, ranked by the
    database. Strings tie-break bytewise (PostgreSQL's "C" collation, SQLite's default)."""
    if not groups:
        return []
    cohorts = (
        _cohort_query(supply)
        .where(
            R.major_code.in_(sorted({g.major_code for g in groups})),
            R.level.in_(sorted({g.level for g in groups})),
            R.graduation_year.in_(sorted({g.graduation_year for g in groups})),
        )
        .subquery()
    )
    c = cohorts.c
    keys = [c.major_code, c.level, c.graduation_year, c.district_code, c.available]
    points = scorer.points_sql(*keys)
    postgresql = session.get_bind().dialect.name == "postgresql"
    strings = [k.collate("C") if postgresql else k for k in (c.major_code, c.level)]
    district = c.district_code.collate("C") if postgresql else c.district_code
    stmt = (
        select(points, c.college_id, *keys)
        .order_by(points.desc(), c.college_id, *strings, c.graduation_year, district)
        .limit(need)
    )
    return [
        RankedCohort(points, college, Cohort(*cohort))
        for points, college, *cohort in session.execute(stmt)
    ]


def _cohort_matches(
    session: Session, scorer: Scorer, window: list[RankedCohort]
) -> list[CohortMatch]:
    """The page's matches with college names and reasons."""
    colleges = _names(session, Organization, {r.college_id for r in window})
    codes = {r.cohort.major_code for r in window} | set(scorer.want.codes)
    names = load_major_names(session, codes)
    return [
        CohortMatch(
            college=CollegeRef(id=r.college_id, name=colleges.get(r.college_id, "")),
            **_cohort_fields(r.cohort, names),
            score=score(r.points),
            reasons=explain(scorer, r.cohort, names),
        )
        for r in window
    ]


def _cohort_fields(cohort: Cohort, names: dict[str, str]) -> dict[str, Any]:
    return {
        "major_code": cohort.major_code,
        "major_name": names.get(cohort.major_code),
        "level": cohort.level,
        "graduation_year": cohort.graduation_year,
        "district_code": cohort.district_code,
        "available_headcount": cohort.available,
    }


# Reverse: open demands for one college.
#
# A large college relates to most open demands at some distance, so the demands are not
# all scored: the database sorts them by an upper bound of their score and hands them over
# a batch at a time, and the search stops once the page is filled with scores no remaining
# bound can reach (an exact top-k). Demands naming one of the college's majors, classes or
# categories come first; any other demand's major factor is at most 75, which bounds its
# score below.


class Best(NamedTuple):
    """A demand's best cohort of one college."""

    points: int
    major_value: int
    cohort: Cohort


class CollegeSupply:
    """One college's cohorts, indexed by every prefix of their major codes."""

    def __init__(self, cohorts: list[Cohort], ref: Reference) -> None:
        self.ref = ref
        self.cohorts: dict[str, list[Cohort]] = {}
        self.by_prefix: dict[str, list[str]] = {}
        for cohort in sorted(cohorts):
            self.cohorts.setdefault(cohort.major_code, []).append(cohort)
        for code in self.cohorts:
            for prefix in {code[:2], code[:4], code[:6], code}:
                self.by_prefix.setdefault(prefix, []).append(code)
        self.max_available = max((c.available for c in cohorts), default=0)
        self.districts = sorted({c.district_code for c in cohorts})

    def named_codes(self) -> list[str]:
        """Demand codes that name one of these majors, or their class or category."""
        return sorted(self.by_prefix)

    def related(self, codes: list[str]) -> list[str]:
        """Those of `codes` (demand codes) related to any of these majors (see `rules_for`)."""
        categories = {code[:2] for code in self.cohorts}
        classes: set[str] = set()  # a code under one of these is related
        exact: set[str] = set()
        for code in self.cohorts:
            classes.update(other_levels(code[:4]))  # the class at the other levels
            exact.update(other_levels(code[:2]))  # the category at the other levels
            for cluster in self.ref.clusters_of_class.get(code[:4], []):
                related = self.ref.classes_of_cluster[cluster]
                classes.update(related)
                exact.update(c[:2] for c in related)
        return [
            code
            for code in codes
            if code[:2] in categories or code in exact or (len(code) >= 4 and code[:4] in classes)
        ]

    def best(self, scorer: Scorer) -> Best | None:
        """The demand's best cohort: most points, then the closer major, then the first."""
        values: dict[str, int] = {}
        for rule in scorer.rules:
            for code in self.by_prefix.get(rule.prefix, ()):
                values.setdefault(code, rule.value)
        rest = 100 * (100 - scorer.weights["major"])
        best: Best | None = None
        for code, value in sorted(values.items(), key=lambda kv: (-kv[1], kv[0])):
            if best is not None and scorer.weights["major"] * value + rest <= best.points:
                break  # no cohort of this or a farther major can do better
            for cohort in self.cohorts[code]:
                points = scorer.points(*cohort)
                if best is None or points > best.points:
                    best = Best(points, value, cohort)
        return best

    def bound(self, district: Any, headcount: Any, weights: dict[str, int]) -> Any:
        """An upper bound of a demand's score against any of these cohorts, in SQL: the
        major, level and graduation year at best, the place and coverage as they are."""
        by_place: dict[int, list[str]] = {}
        for code in self.ref.county:
            value = max(place_value(self.ref, code, d) for d in self.districts)
            by_place.setdefault(value, []).append(code)
        place = case(
            *((district.in_(codes), value) for value, codes in by_place.items() if value < 100),
            else_=100,  # the same county, no district wanted, or one unknown here
        )
        coverage = case(
            (headcount <= self.max_available, 100),
            else_=self.max_available * 100 // headcount,
        )
        best = weights["major"] + weights["level"] + weights["graduation_year"]
        return 100 * best + weights["place"] * place + weights["coverage"] * coverage


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

    Those with the highest bound there is (the place and the coverage at best) come
    first, in id order: the open demands are read a range of ids at a time until the page
    is settled, so the cost follows the page, not the open demands (a large college
    fills a page of best scores there). The others follow, sorted by their bound."""
    district = func.coalesce(Demand.district_code, Organization.district_code)
    bound = supply.bound(district, Demand.headcount, weights)
    stmt = (
        select(
            bound,
            Demand.id,
            Demand.major_codes,
            Demand.level_mask,
            Demand.graduation_years,
            district,
            Demand.headcount,
        )
        .join(Organization, Organization.id == Demand.enterprise_id)
        .where(_open_naming(codes, supply.ref.catalogue))
    )
    best = 100 * sum(weights.values())
    yield from _walk(session, stmt.where(bound == best))
    yield from _batches(session, stmt.where(bound < best), 10 * need)


def _bounded(rows: Any) -> Iterator[Bounded]:
    for points, demand_id, major_codes, mask, years, place, headcount in rows:
        yield Bounded(-points, demand_id, Want(major_codes, mask, years, place, headcount))


def _walk(session: Session, stmt: Any) -> Iterator[Bounded]:
    """The rows of `stmt` in id order, over ranges of ids growing twofold from 1,000:
    each range is read by the open demands' index (`ix_demands_status_id`), whatever
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
    supply = resolve_supply(session, principal, period, college_id)
    stmt = _cohort_query(supply).where(R.college_id == college_id)
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
                ranked.scorer.want.via = _via(session, demand)
    codes = {r.cohort.major_code for r in window} | {c for r in window for c in r.scorer.want.codes}
    names = load_major_names(session, codes)
    items = [
        DemandMatch(
            demand=refs[r.demand_id],
            cohort=CohortRead(**_cohort_fields(r.cohort, names)),
            score=score(-r.negative_points),
            reasons=explain(r.scorer, r.cohort, names),
        )
        for r in window
    ]
    return CollegeMatches(college_id, supply.period, Paged(items, total))

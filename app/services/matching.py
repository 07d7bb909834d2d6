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

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.core.errors import NotFound
from app.models import Demand, DemandMajor, DistributionRow, Organization
from app.models.enums import MajorLevel, OrgType
from app.schemas.common import PageParams
from app.services import permissions
from app.services.demands import get_visible, open_clause
from app.services.match_score import (
    Reference,
    Scorer,
    Want,
    explain,
    load_major_names,
    load_reference,
    other_levels,
    score,
)
from app.services.permissions import Principal
from app.services.query import code_prefix
from app.services.supply import Supply, resolve_supply

R = DistributionRow
Cohort = tuple[str, MajorLevel, int, str, int]  # major, level, graduation year, district, count


def _cohort_query(supply: Supply) -> Any:
    available = func.sum(R.graduating_headcount)
    keys = (R.college_id, R.major_code, R.level, R.graduation_year, R.district_code)
    return select(*keys, available).where(supply.clause()).group_by(*keys).having(available > 0)


def _ranges(column: Any, prefixes: set[str]) -> ColumnElement[bool]:
    """`column` under any of the prefixes, as index ranges (prefixes under others dropped)."""
    kept: list[str] = []
    for prefix in sorted(prefixes):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return or_(*(code_prefix(column, p) for p in kept))


def _want(demand: Demand, enterprise_district: str | None) -> Want:
    return Want(
        codes=list(demand.major_codes),
        level_mask=demand.level_mask,
        graduation_years=list(demand.graduation_years),
        district=demand.district_code or enterprise_district,
        headcount=demand.headcount,
    )


def _candidates(scorer: Scorer, supply: Supply) -> Any:
    stmt = _cohort_query(supply).where(_ranges(R.major_code, {r.prefix for r in scorer.rules}))
    want = scorer.want
    if want.level_mask:
        levels = {lvl for lvl in MajorLevel if scorer.level(lvl) > 0}
        stmt = stmt.where(R.level.in_(sorted(levels)))
    if want.graduation_years:
        years = {y + d for y in want.graduation_years for d in (-1, 0, 1)}
        stmt = stmt.where(R.graduation_year.in_(sorted(years)))
    return stmt


def _names(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return dict(rows.all())


def match_demand(
    session: Session,
    principal: Principal,
    demand_id: int,
    period: str | None,
    page: PageParams,
    settings: Settings,
) -> dict[str, Any]:
    """Cohorts ranked for a demand the caller may see."""
    demand = get_visible(session, principal, demand_id)
    enterprise = session.get(Organization, demand.enterprise_id)
    supply = resolve_supply(session, principal, period, None)
    ref = load_reference(session)
    scorer = Scorer(
        _want(demand, enterprise.district_code if enterprise else None),
        ref,
        settings.matching_weights,
    )
    ranked = sorted(
        (-scorer.points(*cohort), college, *cohort)
        for college, *cohort in session.execute(_candidates(scorer, supply))
    )
    window = ranked[page.offset : page.offset + page.limit]
    colleges = _names(session, Organization, {row[1] for row in window})
    names = load_major_names(session, {row[2] for row in window} | set(demand.major_codes))
    items = []
    for points, college, *rest in window:
        cohort: Cohort = (rest[0], rest[1], rest[2], rest[3], rest[4])
        items.append(
            {
                "college": {"id": college, "name": colleges.get(college, "")},
                **_cohort_fields(cohort, names),
                "score": score(-points),
                "reasons": explain(scorer, cohort, names),
            }
        )
    return {
        "items": items,
        "total": len(ranked),
        "limit": page.limit,
        "offset": page.offset,
        "demand_id": demand.id,
        "period": supply.period,
    }


def _cohort_fields(cohort: Cohort, names: dict[str, str]) -> dict[str, Any]:
    code, level, year, district, available = cohort
    return {
        "major_code": code,
        "major_name": names.get(code),
        "level": level,
        "graduation_year": year,
        "district_code": district,
        "available_headcount": available,
    }


# Reverse: open demands for one college.


class CollegeSupply:
    """One college's cohorts, indexed by every prefix of their major codes."""

    def __init__(self, cohorts: list[Cohort]) -> None:
        self.cohorts: dict[str, list[Cohort]] = {}
        self.by_prefix: dict[str, list[str]] = {}
        for cohort in sorted(cohorts):
            self.cohorts.setdefault(cohort[0], []).append(cohort)
        for code in self.cohorts:
            for prefix in {code[:2], code[:4], code[:6], code}:
                self.by_prefix.setdefault(prefix, []).append(code)

    def demand_ranges(self, ref: Reference) -> ColumnElement[bool]:
        """Demand codes that can relate to any of these majors, as index ranges."""
        prefixes: set[str] = set()
        exact: set[str] = set()
        for code in self.cohorts:
            prefixes.update([code[:2], *other_levels(code[:2])])
            for cluster in ref.clusters_of_class.get(code[:4], []):
                related = ref.classes_of_cluster[cluster]
                prefixes.update(related)
                exact.update(c[:2] for c in related)
        return or_(_ranges(DemandMajor.code, prefixes), DemandMajor.code.in_(sorted(exact)))

    def best(self, scorer: Scorer) -> tuple[int, Cohort] | None:
        """The best (points, cohort) for a demand; ties to the smallest cohort."""
        codes = {c for rule in scorer.rules for c in self.by_prefix.get(rule.prefix, ())}
        best: tuple[int, Cohort] | None = None
        for code in sorted(codes):
            for cohort in self.cohorts[code]:
                points = scorer.points(*cohort)
                if best is None or points > best[0]:
                    best = (points, cohort)
        return best


def _college(session: Session, principal: Principal, college_id: int) -> Organization:
    college = session.get(Organization, college_id)
    if college is None or college.org_type != OrgType.college:
        raise NotFound("No such college.")
    return permissions.ensure_visible_org(principal, college)


def _open_demands(supply: CollegeSupply, ref: Reference) -> Any:
    related = select(DemandMajor.demand_id).where(supply.demand_ranges(ref))
    return (
        select(
            Demand.id,
            Demand.major_codes,
            Demand.level_mask,
            Demand.graduation_years,
            func.coalesce(Demand.district_code, Organization.district_code),
            Demand.headcount,
        )
        .join(Organization, Organization.id == Demand.enterprise_id)
        .where(open_clause(), Demand.id.in_(related))
    )


def _rank_demands(
    session: Session, supply: CollegeSupply, settings: Settings
) -> list[tuple[int, int, Scorer, Cohort]]:
    """(−points, demand id, scorer, best cohort) for every related open demand, best first."""
    if not supply.cohorts:
        return []
    ref = load_reference(session)
    ranked = []
    for demand_id, codes, mask, years, district, headcount in session.execute(
        _open_demands(supply, ref)
    ):
        scorer = Scorer(
            Want(codes, mask, years, district, headcount), ref, settings.matching_weights
        )
        best = supply.best(scorer)
        if best is not None:
            ranked.append((-best[0], demand_id, scorer, best[1]))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return ranked


def _demand_refs(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    demands = session.scalars(select(Demand).where(Demand.id.in_(ids)))
    fields = ("id", "title", "kind", "enterprise_id", "headcount", "major_codes")
    return {
        d.id: {
            **{f: getattr(d, f) for f in fields},
            "district_code": d.district_code,
            "valid_until": d.valid_until,
        }
        for d in demands
    }


def match_college(
    session: Session,
    principal: Principal,
    college_id: int,
    period: str | None,
    page: PageParams,
    settings: Settings,
) -> dict[str, Any]:
    """Open demands ranked for one college's cohorts, each with its best-fitting cohort."""
    _college(session, principal, college_id)
    supply = resolve_supply(session, principal, period, college_id)
    stmt = _cohort_query(supply).where(R.college_id == college_id)
    college_supply = CollegeSupply([tuple(row[1:]) for row in session.execute(stmt)])
    ranked = _rank_demands(session, college_supply, settings)
    window = ranked[page.offset : page.offset + page.limit]
    refs = _demand_refs(session, [r[1] for r in window])
    codes = {r[3][0] for r in window} | {c for r in window for c in r[2].want.codes}
    names = load_major_names(session, codes)
    items = [
        {
            "demand": refs[demand_id],
            "cohort": _cohort_fields(cohort, names),
            "score": score(-points),
            "reasons": explain(scorer, cohort, names),
        }
        for points, demand_id, scorer, cohort in window
    ]
    return {
        "items": items,
        "total": len(ranked),
        "limit": page.limit,
        "offset": page.offset,
        "college_id": college_id,
        "period": supply.period,
    }

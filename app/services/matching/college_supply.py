"""One college's cohorts as reverse matching reads them: the best cohort for a demand,
and what bounds a demand's score against all of them, in SQL."""

from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Text, and_, case, cast, exists, func, or_
from sqlalchemy.orm import Session

from app.models import Demand, DemandMajor
from app.models.demand import LEVEL_BITS
from app.models.enums import MajorLevel
from app.services.matching.score import Cohort, Reference, Scorer, other_levels, place_value
from app.services.query import one_of


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

    def perfect(self, session: Session, district: Any) -> ColumnElement[bool]:
        """What a demand (on `Demand`, its place `district`) needs to score 100 % against
        one of these cohorts, in SQL: one of its codes names a major of theirs (is a prefix
        of it) at a level it wants, in its county-level district (or it wants no place),
        with at least its headcount, graduating in a year it wants. A necessary condition
        (each per level and district, not per cohort), so scoring decides."""
        groups: dict[tuple[MajorLevel, str], tuple[set[str], set[int], list[int]]] = {}
        for code, cohorts in self.cohorts.items():
            for c in cohorts:
                group = groups.setdefault((c.level, c.district_code), (set(), set(), [0]))
                group[0].update((code[:2], code[:4], code[:6], code))
                group[1].add(c.graduation_year)
                group[2][0] = max(group[2][0], c.available)
        mask, named = Demand.level_mask, func.coalesce(DemandMajor.code, "")
        alternatives = []
        for (level, place), (names, years, largest) in sorted(groups.items()):
            here = {d for d in self.ref.county if place_value(self.ref, d, place) == 100}
            alternatives.append(
                and_(
                    one_of(session, named, sorted(names)),
                    or_(mask == 0, mask.op("&")(LEVEL_BITS[level]) != 0),
                    or_(district.is_(None), one_of(session, district, sorted(here | {place}))),
                    Demand.headcount <= largest[0],
                    _wants_one_of(years),
                )
            )
        return exists().where(DemandMajor.demand_id == Demand.id, or_(*alternatives))


def _wants_one_of(years: set[int]) -> ColumnElement[bool]:
    """Demands that name no graduation year or may name one of `years`: their list's JSON
    text is empty (`[]`) or holds one of the years' digits (a necessary condition, read the
    same way on both databases)."""
    listed = func.coalesce(cast(Demand.graduation_years, Text), "")
    return or_(func.length(listed) < 5, *(listed.contains(str(y)) for y in sorted(years)))

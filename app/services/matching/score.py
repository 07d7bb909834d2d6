"""The matching score: factor values, their weighted sum and the reasons in words.

Everything is an integer until the end (values 0–100, weights in percent), so a score is
exact, the same on every database and in every process; `score = points / 10,000`.
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Cluster, ClusterMajorClass, District, Major
from app.models.demand import LEVEL_BITS
from app.models.enums import MajorLevel
from app.services import labels

FACTORS = ("major", "level", "graduation_year", "place", "coverage")

# Major closeness by relation, best first (a cohort takes the best relation it has).
CLOSENESS = {
    "within": 100,  # the major asked for, or inside the class / category asked for
    "same_class": 75,
    "other_level": 60,  # the same discipline at another level: 4601xx ↔ 6601xx ↔ 2601xx
    "same_category": 50,
    "other_level_class": 45,
    "cluster": 35,  # classes that serve one industry cluster (cluster_major_classes)
}
# Category numbers: 21–39 职业本科, 41–59 高职专科, 61–79 中职; one discipline, three levels.
LEVEL_BASE = {MajorLevel.undergraduate: 20, MajorLevel.higher: 40, MajorLevel.secondary: 60}
ADJACENT = {
    MajorLevel.secondary: {MajorLevel.higher},
    MajorLevel.higher: {MajorLevel.secondary, MajorLevel.undergraduate},
    MajorLevel.undergraduate: {MajorLevel.higher},
}
LEVEL_NAMES = labels.LEVEL


class Cohort(NamedTuple):
    """One college's graduates of one major, level and graduation year, in one district."""

    major_code: str
    level: MajorLevel
    graduation_year: int
    district_code: str
    available: int  # the graduating headcount


def level_of(code: str) -> MajorLevel | None:
    number = int(code[:2])
    for level, base in LEVEL_BASE.items():
        if base < number < base + 20:
            return level
    return None


def other_levels(code: str) -> list[str]:
    """The same discipline's code at the other two levels (category shifted by 20 or 40)."""
    own = level_of(code)
    if own is None:
        return []
    offset = int(code[:2]) - LEVEL_BASE[own]
    return [f"{base + offset:02d}{code[2:]}" for lvl, base in LEVEL_BASE.items() if lvl != own]


@dataclass(frozen=True)
class Rule:
    """Majors starting with `prefix` are `relation` to the demand's `code`."""

    value: int
    prefix: str
    relation: str
    code: str
    cluster: str | None = None


@dataclass
class Reference:
    """The reference data scoring reads (a few hundred rows), with the rules it derives."""

    clusters_of_class: dict[str, list[str]]
    classes_of_cluster: dict[str, list[str]]
    cluster_names: dict[str, str]
    county: dict[str, str]  # district → its county-level district
    city: dict[str, str | None]  # district → its city
    district_names: dict[str, str]
    catalogue: list[str]  # every major, class and category code a demand may name
    rules: dict[tuple[str, ...], list[Rule]] = field(default_factory=dict)

    def rules_for(self, codes: list[str]) -> list[Rule]:
        key = tuple(codes)
        if key not in self.rules:
            self.rules[key] = rules_for(codes, self)
        return self.rules[key]


# Reference data only changes with a release (`python -m app migrate` loads it); it is
# read again after this many seconds, so a reload is seen without a restart.
REFERENCE_TTL_SECONDS = 300.0
_cache: dict[str, tuple[float, Reference]] = {}


def load_reference(session: Session) -> Reference:
    """The reference data for this database, cached per process for `REFERENCE_TTL_SECONDS`."""
    key = f"{id(session.get_bind())}:{session.get_bind().engine.url}"
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is None or cached[0] < now:
        cached = (now + REFERENCE_TTL_SECONDS, _read_reference(session))
        _cache[key] = cached
    return cached[1]


def _read_reference(session: Session) -> Reference:
    clusters_of_class: dict[str, list[str]] = defaultdict(list)
    classes_of_cluster: dict[str, list[str]] = defaultdict(list)
    stmt = select(ClusterMajorClass.cluster_code, ClusterMajorClass.class_code).order_by(
        ClusterMajorClass.cluster_code, ClusterMajorClass.class_code
    )
    for cluster, class_code in session.execute(stmt):
        clusters_of_class[class_code].append(cluster)
        classes_of_cluster[cluster].append(class_code)
    names = dict(session.execute(select(Cluster.code, Cluster.name)).all())
    districts = {d.code: d for d in session.scalars(select(District))}

    def up(code: str, levels: tuple[str, ...]) -> str | None:
        node = districts.get(code)
        while node is not None and node.level not in levels:
            node = districts.get(node.parent_code or "")
        return node.code if node else None

    county = {code: up(code, ("county", "city", "province")) or code for code in districts}
    city = {code: up(code, ("city",)) for code in districts}
    district_names = {code: d.name for code, d in districts.items()}
    catalogue = list(session.scalars(select(Major.code).order_by(Major.code)))
    return Reference(
        dict(clusters_of_class),
        dict(classes_of_cluster),
        names,
        county,
        city,
        district_names,
        catalogue,
    )


def rules_for(codes: list[str], ref: Reference) -> list[Rule]:
    """The major relations a demand's codes define, best first."""
    rules: list[Rule] = []
    for code in codes:
        rules.append(Rule(CLOSENESS["within"], code, "within", code))
        if len(code) > 4:
            rules.append(Rule(CLOSENESS["same_class"], code[:4], "same_class", code))
        if len(code) > 2:
            rules.append(Rule(CLOSENESS["same_category"], code[:2], "same_category", code))
        for shifted in other_levels(code):
            rules.append(Rule(CLOSENESS["other_level"], shifted, "other_level", code))
            if len(code) > 4:
                rule = Rule(CLOSENESS["other_level_class"], shifted[:4], "other_level_class", code)
                rules.append(rule)
        classes = [code[:4]] if len(code) >= 4 else _classes_in(code, ref)
        for class_code in classes:
            for cluster in ref.clusters_of_class.get(class_code, []):
                for related in ref.classes_of_cluster[cluster]:
                    rules.append(Rule(CLOSENESS["cluster"], related, "cluster", code, cluster))
    return sorted(rules, key=lambda r: (-r.value, r.prefix, r.code))


def _classes_in(category: str, ref: Reference) -> list[str]:
    return sorted(c for c in ref.clusters_of_class if c.startswith(category))


@dataclass
class Want:
    """What a demand asks for, as scoring reads it."""

    codes: list[str]
    level_mask: int
    graduation_years: list[int]
    district: str | None  # the demand's, else its enterprise's
    headcount: int
    # Majors derived from the demand's occupations: major code → the occupations' names.
    via: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Scorer:
    """Scores cohorts for one demand; factor values are memoised per distinct input."""

    want: Want
    ref: Reference
    weights: dict[str, int]
    rules: list[Rule] = field(init=False)
    _memo: dict[tuple[object, ...], int] = field(default_factory=dict, init=False)
    _rule: dict[str, Rule | None] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self.rules = self.ref.rules_for(self.want.codes)

    def rule(self, code: str) -> Rule | None:
        """The best rule relating the major `code` to the demand (None: unrelated)."""
        if code not in self._rule:
            self._rule[code] = next((r for r in self.rules if code.startswith(r.prefix)), None)
        return self._rule[code]

    def major(self, code: str) -> int:
        rule = self.rule(code)
        return rule.value if rule else 0

    def level(self, level: MajorLevel) -> int:
        mask = self.want.level_mask
        if not mask or mask & LEVEL_BITS[level]:
            return 100
        return 50 if any(mask & LEVEL_BITS[a] for a in ADJACENT[level]) else 0

    def graduation_year(self, year: int) -> int:
        years = self.want.graduation_years
        if not years or year in years:
            return 100
        return 50 if min(abs(year - y) for y in years) == 1 else 0

    def place(self, district: str) -> int:
        return place_value(self.ref, self.want.district, district)

    def coverage(self, available: int) -> int:
        return min(100, available * 100 // self.want.headcount)

    def values(
        self, code: str, level: MajorLevel, year: int, district: str, available: int
    ) -> list[int]:
        return [
            self.major(code),
            self.level(level),
            self.graduation_year(year),
            self.place(district),
            self.coverage(available),
        ]

    def points(self, code: str, level: MajorLevel, year: int, district: str, available: int) -> int:
        """Σ weight × value; the per-factor parts are memoised (this runs per candidate)."""
        memo, w = self._memo, self.weights
        key: tuple[object, ...] = ("m", code, level)
        if key not in memo:
            memo[key] = w["major"] * self.major(code) + w["level"] * self.level(level)
        rest = memo[key]
        key = ("y", year)
        if key not in memo:
            memo[key] = w["graduation_year"] * self.graduation_year(year)
        rest += memo[key]
        key = ("p", district)
        if key not in memo:
            memo[key] = w["place"] * self.place(district)
        return rest + memo[key] + w["coverage"] * self.coverage(available)


def place_value(ref: Reference, wanted: str | None, district: str) -> int:
    """Same county-level district 100, same city 60, elsewhere 20; no place wanted 100."""
    if wanted is None:
        return 100
    county = ref.county
    if county.get(district, district) == county.get(wanted, wanted):
        return 100
    city = ref.city.get(district)
    return 60 if city and city == ref.city.get(wanted) else 20


def score(points: int) -> float:
    return round(points / 10_000, 4)


def load_major_names(session: Session, codes: set[str]) -> dict[str, str]:
    wanted = codes | {c[:4] for c in codes} | {c[:2] for c in codes}
    stmt = select(Major.code, Major.name).where(Major.code.in_(wanted))
    return dict(session.execute(stmt).all())


def _label(code: str, names: dict[str, str]) -> str:
    return f"{code} {names.get(code, '')}".strip()


def _major_text(
    code: str,
    rule: Rule | None,
    ref: Reference,
    names: dict[str, str],
    scorer_via: dict[str, list[str]],
) -> str:
    if rule is None:
        return f"{_label(code, names)} 与需求专业无关"
    text = _relation_text(code, rule, ref, names)
    if via := scorer_via.get(rule.code):
        asked = names.get(rule.code, rule.code)
        return f"职业对应专业：{'、'.join(via)} → {asked}；{text}"
    return text


def _relation_text(code: str, rule: Rule, ref: Reference, names: dict[str, str]) -> str:
    major = _label(code, names)
    asked = _label(rule.code, names)
    if rule.relation == "within":
        return f"专业对口：{major}" + ("" if rule.code == code else f" 属于需求的 {asked}")
    texts = {
        "same_class": f"同专业类：{major} 与需求专业 {asked} 同属 {_label(code[:4], names)}",
        "other_level": f"同一专业方向、不同层次：{major} 对应需求专业 {asked}",
        "same_category": f"同专业大类：{major} 与需求专业 {asked} 同属 {_label(code[:2], names)}",
        "other_level_class": f"同一专业类方向、不同层次：{major} 与需求专业 {asked} 相近",
    }
    if rule.relation in texts:
        return texts[rule.relation]
    cluster = ref.cluster_names.get(rule.cluster or "", rule.cluster or "")
    return f"产业集群相关：{major} 与需求专业 {asked} 同服务于「{cluster}」产业集群"


def _level_text(scorer: Scorer, level: MajorLevel, value: int) -> str:
    wanted = "、".join(
        LEVEL_NAMES[lvl] for lvl, bit in LEVEL_BITS.items() if scorer.want.level_mask & bit
    )
    if not wanted:
        return f"需求未限定层次（{LEVEL_NAMES[level]}）"
    if value == 100:
        return f"层次相符：{LEVEL_NAMES[level]}"
    return f"{'相邻层次' if value else '层次不符'}：需求{wanted}，供给{LEVEL_NAMES[level]}"


def _year_text(scorer: Scorer, year: int, value: int) -> str:
    years = "、".join(str(y) for y in scorer.want.graduation_years)
    if not years:
        return f"需求未限定毕业年份（{year}届）"
    if value == 100:
        return f"毕业年份相符：{year}届"
    return f"{'毕业年份相差一年' if value else '毕业年份不符'}：需求{years}届，供给{year}届"


def _place_text(scorer: Scorer, district: str, value: int) -> str:
    name = scorer.ref.district_names.get(district, district)
    if scorer.want.district is None:
        return f"需求未指定工作地点（生源在{name}）"
    return {100: f"同区县：{name}", 60: f"同城：{name}"}.get(value, f"异地：{name}")


def explain(scorer: Scorer, cohort: Cohort, names: dict[str, str]) -> list[dict[str, object]]:
    """The reasons of one cohort's score, one per factor, in `FACTORS` order."""
    values = scorer.values(*cohort)
    code, wanted = cohort.major_code, scorer.want.headcount
    texts = [
        _major_text(code, scorer.rule(code), scorer.ref, names, scorer.want.via),
        _level_text(scorer, cohort.level, values[1]),
        _year_text(scorer, cohort.graduation_year, values[2]),
        _place_text(scorer, cohort.district_code, values[3]),
        f"可供 {cohort.available} 人，覆盖需求 {wanted} 人的 {values[4]}%",
    ]
    return [
        {"factor": f, "weight": scorer.weights[f] / 100, "value": v / 100, "text": t}
        for f, v, t in zip(FACTORS, values, texts, strict=True)
    ]

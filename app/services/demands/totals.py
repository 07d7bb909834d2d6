"""Open demands' headcount per major, occupation and place, kept with every write.

`open_demand_totals` holds, per dimension and code, how many demands stored as `open`
count there and their headcount (as the supply–demand analytics attribute it: a major's
or an occupation's share, `-` for a demand naming no occupation; a place is the demand's
district, or `@<enterprise id>` for a demand without one, resolved when read; `codes`
counts the demands per set of major codes, which reverse matching's total reads). The
demand service counts a demand out before it changes and in afterwards, in the same
transaction. A demand past its last valid day is still stored `open` until it is
expired, so readers take those out (`open_totals`): the few that the status and
validity index finds.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
)
from sqlalchemy.orm import Session

from app.core import clock
from app.models import Demand, DemandMajor, DemandOccupation, OpenDemandTotal
from app.models.enums import DemandStatus

NONE = "-"
UPSERT = text(
    "INSERT INTO open_demand_totals (dimension, code, demands, headcount, first_code) "
    "VALUES (:dimension, :code, :demands, :headcount, :first_code) "
    "ON CONFLICT (dimension, code) DO UPDATE SET "
    "demands = open_demand_totals.demands + excluded.demands, "
    "headcount = open_demand_totals.headcount + excluded.headcount"
)


def _place(demand: Any) -> Any:
    return func.coalesce(demand.district_code, literal("@") + cast(demand.enterprise_id, String))


def tally(session: Session, demand: Demand, sign: int) -> None:
    """Count a demand stored as open in (`sign` 1) or out (-1) of the totals."""
    if demand.status != DemandStatus.open:
        return
    rows = [("place", demand.district_code or f"@{demand.enterprise_id}", demand.headcount)]
    for dimension, model in (("major", DemandMajor), ("occupation", DemandOccupation)):
        stmt = select(model.code, model.share).where(model.demand_id == demand.id)
        shares = session.execute(stmt).all()
        rows += [(dimension, code, share) for code, share in shares]
        if dimension == "occupation" and not shares:
            rows.append((dimension, NONE, demand.headcount))
        if dimension == "major" and shares:
            rows.append(("codes", code_set(code for code, _ in shares), demand.headcount))
    params = [
        {
            "dimension": d,
            "code": c,
            "demands": sign,
            "headcount": sign * h,
            "first_code": c.split()[0] if d == "codes" else None,
        }
        for d, c, h in sorted(rows)
    ]
    session.execute(UPSERT, params)


def recount(session: Session) -> None:
    """Count every demand stored as open afresh (after a bulk change of statuses)."""
    session.execute(delete(OpenDemandTotal))
    open_ = Demand.status == DemandStatus.open
    for dimension, model in (("major", DemandMajor), ("occupation", DemandOccupation)):
        stmt = (
            select(literal(dimension), model.code, func.count(), func.sum(model.share))
            .join(Demand, Demand.id == model.demand_id)
            .where(open_)
            .group_by(model.code)
        )
        _insert(session, stmt)
    named = select(DemandOccupation.demand_id).where(DemandOccupation.demand_id == Demand.id)
    rest = select(literal("occupation"), literal(NONE), func.count(), func.sum(Demand.headcount))
    _insert(session, rest.where(open_, ~named.exists()).group_by(Demand.status))
    place = _place(Demand)
    stmt = select(literal("place"), place, func.count(), func.sum(Demand.headcount))
    _insert(session, stmt.where(open_).group_by(place))
    if sets := _code_sets(session, open_):
        session.execute(UPSERT, sets)


def _insert(session: Session, stmt: Any) -> None:
    columns = ["dimension", "code", "demands", "headcount"]
    session.execute(insert(OpenDemandTotal).from_select(columns, stmt))


def code_set(codes: Iterable[str]) -> str:
    """The `codes` dimension's code: a demand's major codes, sorted, space-separated."""
    return " ".join(sorted(codes))


def _code_sets(session: Session, where: Any) -> list[dict[str, Any]]:
    """Per set of major codes, the demands matching `where` that name exactly those."""
    headcounts = dict(session.execute(select(Demand.id, Demand.headcount).where(where)).all())
    chosen = DemandMajor.demand_id.in_(select(Demand.id).where(where))
    codes: dict[int, list[str]] = defaultdict(list)
    for demand_id, code in session.execute(
        select(DemandMajor.demand_id, DemandMajor.code).where(chosen)
    ):
        codes[demand_id].append(code)
    sets: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for demand_id, named in codes.items():
        totals = sets[code_set(named)]
        totals[0] += 1
        totals[1] += headcounts[demand_id]
    return [
        {"dimension": "codes", "code": code, "demands": n, "headcount": h, "first_code": first}
        for code, (n, h) in sorted(sets.items())
        for first in [code.split()[0]]
    ]


def open_naming(session: Session, codes: set[str], catalogue: list[str]) -> int:
    """How many demands open now name one of the major `codes` (catalogue codes).

    When `codes` hold most of the catalogue, the demands naming only others are counted
    and taken from all: a set of others starts with one of them (`first_code`)."""
    t = OpenDemandTotal
    sets = t.dimension == "codes"
    others = set(catalogue).difference(codes)
    if len(others) < len(codes):
        everyone = session.scalar(select(func.sum(t.demands)).where(sets)) or 0
        stmt = select(t.code, t.demands).where(sets, t.first_code.in_(others))
        unnamed = sum(n for named, n in session.execute(stmt) if others.issuperset(named.split()))
        count = int(everyone) - unnamed
    else:
        stmt = select(t.code, t.demands).where(sets, t.demands > 0)
        count = sum(n for named, n in session.execute(stmt) if not codes.isdisjoint(named.split()))
    for row in _code_sets(session, and_(*_stale_clause())):
        if not codes.isdisjoint(row["code"].split()):
            count -= row["demands"]
    return count


def _stale_clause() -> tuple[ColumnElement[bool], ...]:
    """Demands stored as open but past their last valid day."""
    return (Demand.status == DemandStatus.open, Demand.valid_until < clock.today())


def _stale(dimension: str) -> Any:
    """Per code, the demands stored open but past their last valid day, and headcount."""
    stale = _stale_clause()
    if dimension == "place":
        place = _place(Demand)
        return select(place, func.count(), func.sum(Demand.headcount)).where(*stale).group_by(place)
    model = DemandMajor if dimension == "major" else DemandOccupation
    stmt = (  # IN, not a join: the stale demands drive it (a join may scan every code)
        select(model.code, func.count(), func.sum(model.share))
        .where(model.demand_id.in_(select(Demand.id).where(*stale)))
        .group_by(model.code)
    )
    if dimension == "major":
        return stmt
    named = select(model.demand_id).where(model.demand_id == Demand.id).exists()
    rest = select(literal(NONE), func.count(), func.sum(Demand.headcount)).where(*stale, ~named)
    return stmt.union_all(rest)


def open_counts(session: Session, dimension: str) -> dict[str, tuple[int, int]]:
    """Per code of `dimension`, the demands open now and their headcount (codes with none
    left out)."""
    t = OpenDemandTotal
    stmt = select(t.code, t.demands, t.headcount).where(t.dimension == dimension)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, demands, headcount in session.execute(stmt):
        totals[code] = [demands, headcount]
    for code, demands, headcount in session.execute(_stale(dimension)):
        if demands:
            totals[code][0] -= demands
            totals[code][1] -= int(headcount)
    return {code: (n, headcount) for code, (n, headcount) in totals.items() if n > 0}


def open_totals(session: Session, dimension: str) -> dict[str, int]:
    """Per code of `dimension`, the headcount of the demands open now (codes with none
    left out)."""
    return {code: headcount for code, (_, headcount) in open_counts(session, dimension).items()}

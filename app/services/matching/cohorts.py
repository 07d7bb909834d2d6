"""What both directions of matching share: a supply's cohorts, and how they read."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Demand, DistributionRow
from app.services.matching.score import (
    Cohort,
)
from app.services.matching.supply import Supply
from app.services.taxonomies import majors_of_occupations

R = DistributionRow


def cohort_query(supply: Supply) -> Any:
    available = func.sum(R.graduating_headcount)
    keys = (R.college_id, R.major_code, R.level, R.graduation_year, R.district_code)
    stmt = select(*keys, available.label("available")).where(supply.clause())
    return stmt.group_by(*keys).having(available > 0)


def via(session: Session, demand: Demand) -> dict[str, list[str]]:
    """For majors derived from the demand's occupations, which occupations they serve."""
    if not demand.majors_from_occupations:
        return {}
    return majors_of_occupations(session, list(demand.occupation_codes))


def names_of(session: Session, model: Any, ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    return dict(rows.all())


def cohort_fields(cohort: Cohort, names: dict[str, str]) -> dict[str, Any]:
    return {
        "major_code": cohort.major_code,
        "major_name": names.get(cohort.major_code),
        "level": cohort.level,
        "graduation_year": cohort.graduation_year,
        "district_code": cohort.district_code,
        "available_headcount": cohort.available,
    }

"""Demands that name jobs rather than majors: majors derived through the crosswalk, and
suggestions for a demand that names neither."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Demand, Major
from app.schemas.demands import SuggestedMajor, SuggestedOccupation, Suggestions
from app.services.coding.coder import get_coder
from app.services.taxonomies import majors_of_occupations


def derive_majors(session: Session, demand: Demand | None, values: dict[str, Any]) -> None:
    """Named majors are kept; without them, the majors the occupations lead to (again when
    the occupations change and the majors were derived)."""
    if values.get("major_codes"):
        values["majors_from_occupations"] = False
        return
    derived = demand is None or demand.majors_from_occupations or not demand.major_codes
    if "occupation_codes" in values and derived:
        majors = list(majors_of_occupations(session, values["occupation_codes"] or []))
        values["major_codes"] = majors
        values["majors_from_occupations"] = bool(majors)


SUGGESTED_OCCUPATIONS, SUGGESTED_MAJORS = 5, 10


def suggestions(session: Session, demand: Demand) -> Suggestions | None:
    """For a demand naming neither majors nor occupations: the occupations its title
    suggests (the job-title coder) and the majors the first three lead to."""
    if demand.major_codes or demand.occupation_codes:
        return None
    candidates = get_coder().code(demand.title, SUGGESTED_OCCUPATIONS)
    majors: dict[str, str] = {}
    for candidate in candidates[:3]:
        for code in majors_of_occupations(session, [candidate.code]):
            majors.setdefault(code, candidate.code)
    chosen = list(majors.items())[:SUGGESTED_MAJORS]
    rows = session.execute(
        select(Major.code, Major.name, Major.level).where(Major.code.in_([c for c, _ in chosen]))
    )
    found = {code: (name, level) for code, name, level in rows}
    return Suggestions(
        occupations=[SuggestedOccupation.model_validate(vars(c)) for c in candidates],
        majors=[
            SuggestedMajor(code=c, name=found[c][0], level=found[c][1], occupation_code=o)
            for c, o in chosen
            if c in found
        ],
    )

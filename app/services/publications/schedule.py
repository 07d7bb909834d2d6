"""The publishing calendar: per dataset, what was published last and what is due when."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import clock
from app.core.config import Settings
from app.models import Publication
from app.models.enums import Cadence, Dataset, Department
from app.schemas.publications import Schedule, ScheduleEntry
from app.services.distribution.periods import Period, parse_period, period_of
from app.services.permissions import DISTRIBUTION_SUPERVISORS
from app.services.publications.datasets import DatasetSpec, all_datasets


def _latest(session: Session) -> dict[Dataset, tuple[str, int, Any]]:
    """Per dataset: its latest period, that period's latest version and when it was published."""
    newest = (
        select(Publication.dataset, func.max(Publication.period).label("period"))
        .group_by(Publication.dataset)
        .subquery()
    )
    stmt = (
        select(
            Publication.dataset, Publication.period, Publication.version, Publication.published_at
        )
        .join(
            newest,
            (newest.c.dataset == Publication.dataset) & (newest.c.period == Publication.period),
        )
        .order_by(Publication.version)
    )
    return {row[0]: (row[1], row[2], row[3]) for row in session.execute(stmt)}


def next_due(
    cadence: Cadence, latest: str | None, today: date, grace_days: int
) -> tuple[Period | None, date | None, bool]:
    """(next period due, its due date, overdue) for a cadence.

    A period is due `grace_days` after it ends. When the last closed period is not yet
    published, it is the one due (and overdue once its due date has passed); otherwise
    the running period is next. Continuous datasets are never due.
    """
    if cadence == Cadence.continuous:
        return None, None, False
    current = period_of(today, cadence)
    last_closed = current.previous()
    try:
        published = parse_period(latest, cadence) if latest else None
    except ValueError:  # published under another cadence before the setting changed
        published = None
    if published is None or published < last_closed:
        due = last_closed.end + timedelta(days=grace_days)
        return last_closed, due, today > due
    upcoming = published.next() if published >= current else current
    return upcoming, upcoming.end + timedelta(days=grace_days), False


def _entry(
    spec: DatasetSpec, latest: tuple[str, int, Any] | None, settings: Settings, today: date
) -> ScheduleEntry:
    cadence = spec.cadence_in(settings)
    period, due, overdue = next_due(
        cadence, latest[0] if latest else None, today, settings.publication_grace_days
    )
    departments: list[Department] = list(
        dict.fromkeys((*DISTRIBUTION_SUPERVISORS, *spec.departments))
    )
    return ScheduleEntry(
        dataset=spec.dataset,
        title=spec.title,
        cadence=cadence,
        departments=departments,
        available=spec.source is not None,
        latest_period=latest[0] if latest else None,
        latest_version=latest[1] if latest else None,
        latest_published_at=latest[2] if latest else None,
        next_period=period.label if period else None,
        next_due_date=due,
        overdue=overdue,
    )


def get_schedule(session: Session, settings: Settings, as_of: date | None = None) -> Schedule:
    today = as_of or clock.today()
    latest = _latest(session)
    return Schedule(
        as_of=today,
        grace_days=settings.publication_grace_days,
        items=[_entry(spec, latest.get(spec.dataset), settings, today) for spec in all_datasets()],
    )

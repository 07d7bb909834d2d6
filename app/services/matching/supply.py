"""Student supply as matching and analytics read it: one period's published rows, plus
(for a college looking at itself) its current, maybe unpublished, submission."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from app.models import DistributionRow, DistributionSubmission, Publication, PublishedSubmission
from app.models.enums import Dataset, OrgType
from app.services.permissions import Principal


@dataclass(frozen=True)
class Supply:
    """Which rows count as supply: a period, its latest publication, a college's own rows."""

    period: str | None
    publication_id: int | None
    own_college_id: int | None = None
    own_submission_id: int | None = None

    def clause(self) -> ColumnElement[bool]:
        """WHERE clause on DistributionRow (period first, so the period indexes serve it)."""
        parts: list[ColumnElement[bool]] = []
        if self.publication_id is not None:
            published: ColumnElement[bool] = DistributionRow.submission_id.in_(
                select(PublishedSubmission.submission_id).where(
                    PublishedSubmission.publication_id == self.publication_id
                )
            )
            if self.own_college_id is not None:
                published = and_(published, DistributionRow.college_id != self.own_college_id)
            parts.append(published)
        if self.own_submission_id is not None:
            parts.append(DistributionRow.submission_id == self.own_submission_id)
        if self.period is None or not parts:
            return false()
        return and_(DistributionRow.period == self.period, or_(*parts))


def _publication(session: Session, period: str | None) -> Any:
    """The latest publication (id, period) of `period`, or of the latest period published
    when it is None; None when there is none."""
    stmt = select(Publication.id, Publication.period).where(
        Publication.dataset == Dataset.student_distribution
    )
    if period is not None:
        stmt = stmt.where(Publication.period == period)
    stmt = stmt.order_by(Publication.period.desc(), Publication.version.desc()).limit(1)
    return session.execute(stmt).first()


def _own_submission(session: Session, college_id: int, period: str | None) -> Any:
    stmt = select(DistributionSubmission.id, DistributionSubmission.period).where(
        DistributionSubmission.college_id == college_id, DistributionSubmission.is_current
    )
    if period is not None:
        stmt = stmt.where(DistributionSubmission.period == period)
    return session.execute(stmt.order_by(DistributionSubmission.period.desc()).limit(1)).first()


def resolve_supply(
    session: Session, principal: Principal | None, period: str | None, college_id: int | None
) -> Supply:
    """The supply for `period` (default: the latest published one).

    When the caller is the college `college_id` (or any college, for college_id None), its
    current submission replaces its published rows; with nothing published yet, its own
    latest period is the default.
    """
    latest = _publication(session, period)
    chosen = latest.period if latest else period
    publication = latest.id if latest else None
    own = None
    if principal is not None and principal.org_type == OrgType.college:
        if college_id is None or principal.org_id == college_id:
            own = principal.org_id
    if own is None:
        return Supply(chosen, publication)
    submission = _own_submission(session, own, chosen)
    if chosen is None and submission is not None:
        chosen = submission.period  # nothing is published: no publication of it either
    return Supply(chosen, publication, own, submission.id if submission else None)

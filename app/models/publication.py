from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import Base, str_enum
from app.models.enums import Dataset


class Publication(Base):
    """A frozen, versioned snapshot of one dataset for one period.

    Its rows are copied into `publication_rows` when it is made, so later edits of the
    source never change it; `sha256` is the digest of its canonical CSV export.
    """

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("dataset", "period", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[Dataset] = mapped_column(str_enum(Dataset, "dataset"))
    period: Mapped[str] = mapped_column(String(16))
    version: Mapped[int]
    columns: Mapped[list[str]] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    published_at: Mapped[datetime] = mapped_column(default=clock.now)
    published_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    published_by_username: Mapped[str | None] = mapped_column(String(64))
    published_by_organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL")
    )
    published_by_organization_name: Mapped[str | None] = mapped_column(String(200))

    @property
    def published_by(self) -> dict[str, Any]:
        return {
            "user_id": self.published_by_user_id,
            "username": self.published_by_username,
            "organization_id": self.published_by_organization_id,
            "organization_name": self.published_by_organization_name,
        }


class PublicationRow(Base):
    """One frozen row of a publication, in export order, with its natural key for diffs."""

    __tablename__ = "publication_rows"
    __table_args__ = (UniqueConstraint("publication_id", "key"),)

    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True
    )
    row_index: Mapped[int] = mapped_column(primary_key=True)  # 1-based, the CSV data row
    key: Mapped[str] = mapped_column(String(200))
    row_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the row's canonical cells
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class PublishedSubmission(Base):
    """Which college submissions a student distribution publication froze.

    Lets `GET /student-distributions` filter published rows with indexed SQL.
    """

    __tablename__ = "published_submissions"
    __table_args__ = (Index("ix_published_submissions_submission_id", "submission_id"),)

    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("distribution_submissions.id", ondelete="RESTRICT"), primary_key=True
    )


class PublishedSupply(Base):
    """A student distribution publication's graduating headcount per major and district.

    Written with the publication (it never changes afterwards), so the supply–demand
    analytics read a few thousand sums instead of every published row.
    """

    __tablename__ = "published_supply"

    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True
    )
    major_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    graduating_headcount: Mapped[int]


class PublishedCohorts(Base):
    """A student distribution publication's cohorts per major, level and graduation year.

    A cohort is what matching ranks: one college's graduates of one major, level,
    graduation year and district (those with any). Written with the publication, so a
    forward match counts its candidates and bounds their scores from a few hundred rows
    and ranks only the cohorts whose bound can reach the page.
    """

    __tablename__ = "published_cohorts"

    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), primary_key=True
    )
    major_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(32), primary_key=True)
    graduation_year: Mapped[int] = mapped_column(primary_key=True)
    cohorts: Mapped[int]
    max_available: Mapped[int]  # the largest cohort's graduating headcount

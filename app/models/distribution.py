from datetime import datetime

from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.models.base import BIG_ID, Base, str_enum
from app.models.enums import MajorLevel, SubmissionSource


class DistributionSubmission(Base):
    """One version of a college's student distribution for a half-year period.

    A new submission becomes current and the one it replaces stays readable as history;
    submissions and their rows are never updated, so publications can point at them.
    """

    __tablename__ = "distribution_submissions"
    __table_args__ = (
        UniqueConstraint("college_id", "period", "version"),
        # What a row's foreign key refers to: its submission with the college and period
        # the row repeats (an index, not a constraint: SQLite adds it without rebuilding
        # the table, whose rebuild would cascade to its rows).
        Index(
            "ix_distribution_submissions_id_college_id_period",
            "id",
            "college_id",
            "period",
            unique=True,
        ),
        Index("ix_distribution_submissions_period_is_current", "period", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a college with submissions is suspended, never deleted (history and publications).
    college_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(6))  # YYYYH1 or YYYYH2
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(default=True)
    source: Mapped[SubmissionSource] = mapped_column(str_enum(SubmissionSource, "source"))
    filename: Mapped[str | None] = mapped_column(String(255))
    row_count: Mapped[int]
    headcount: Mapped[int]
    graduating_headcount: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_by: Mapped[str | None] = mapped_column(String(200))  # username, or the API key's


class DistributionRow(Base):
    """A cohort: students of one major, level and enrolment year at one college."""

    __tablename__ = "distribution_rows"
    __table_args__ = (
        UniqueConstraint("submission_id", "major_code", "level", "enrollment_year"),
        # One key for the submission and the college and period copied from it: the copies
        # always agree, and the submission's own key to its college (RESTRICT) covers the
        # row's. One lookup per inserted row instead of two (PostgreSQL runs a query per
        # row and key, even in a COPY).
        ForeignKeyConstraint(
            ["submission_id", "college_id", "period"],
            [
                "distribution_submissions.id",
                "distribution_submissions.college_id",
                "distribution_submissions.period",
            ],
            ondelete="CASCADE",
        ),
        # Covering for matching's candidates and the supply analytics (index-only scans).
        Index(
            "ix_distribution_rows_cohort",
            "period",
            "major_code",
            "level",
            "graduation_year",
            "college_id",
            "district_code",
            "submission_id",
            "graduating_headcount",
        ),
        Index("ix_distribution_rows_period_graduation_year", "period", "graduation_year"),
        # One college's cohorts (reverse matching, a college's indicators).
        Index("ix_distribution_rows_college_id_period", "college_id", "period"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    submission_id: Mapped[int]
    # Copied from the submission so that filters need no join.
    college_id: Mapped[int]
    period: Mapped[str] = mapped_column(String(6))
    major_code: Mapped[str] = mapped_column(String(8), ForeignKey("majors.code"))
    level: Mapped[MajorLevel] = mapped_column(str_enum(MajorLevel, "level"))
    enrollment_year: Mapped[int]
    graduation_year: Mapped[int]
    headcount: Mapped[int]
    graduating_headcount: Mapped[int]
    district_code: Mapped[str] = mapped_column(String(12), ForeignKey("districts.code"))

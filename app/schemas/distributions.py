from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

from app.core.errors import ProblemError
from app.models.enums import MajorLevel, SubmissionSource
from app.schemas.common import HALF_YEAR_PATTERN, MAX_ID, ORMModel, Page

PeriodQuery = Annotated[
    str | None, Query(pattern=HALF_YEAR_PATTERN, description="`YYYYH1` or `YYYYH2`")
]
# Literals named with `TypeAliasType` are one component schema each in the OpenAPI document,
# however many fields and parameters use them, and so have a name in generated clients.
DistributionView = TypeAliasType("DistributionView", Literal["published", "submitted"])
DistributionGroupBy = TypeAliasType(
    "DistributionGroupBy", Literal["category", "class", "major", "college", "district"]
)


class DistributionRowIn(BaseModel):
    """A cohort: students of one major, level and enrolment year."""

    model_config = ConfigDict(extra="forbid")

    major_code: str = Field(max_length=8, examples=["460103"])
    level: MajorLevel
    enrollment_year: int = Field(examples=[2024])
    graduation_year: int = Field(examples=[2027])
    headcount: int = Field(examples=[120])
    graduating_headcount: int | None = Field(None, description="Defaults to headcount")
    district_code: str | None = Field(
        None, max_length=12, description="Defaults to the college's district"
    )


class DistributionSubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[DistributionRowIn] = Field(max_length=20_000)


class DistributionRowRead(ORMModel):
    period: str
    college_id: int
    major_code: str
    level: MajorLevel
    enrollment_year: int
    graduation_year: int
    headcount: int
    graduating_headcount: int
    district_code: str


class SubmissionRead(ORMModel):
    """One version of a college's submission for a period."""

    id: int
    college_id: int
    period: str
    version: int
    is_current: bool
    source: SubmissionSource
    filename: str | None
    row_count: int
    headcount: int
    graduating_headcount: int
    submitted_at: datetime
    submitted_by: str | None


class ImportReport(BaseModel):
    """What an import did, or (dry run) would do."""

    dry_run: bool
    valid: bool
    source: SubmissionSource
    row_count: int = Field(description="Data rows read (blank lines skipped)")
    error_count: int
    errors: list[ProblemError] = Field(description="Every problem found, with its row number")
    submission: SubmissionRead | None = None


class DistributionFilters(BaseModel):
    """The query parameters of `GET /student-distributions` and its summary (unknown ones
    are ignored)."""

    period: str | None = Field(None, pattern=HALF_YEAR_PATTERN, description="`YYYYH1` or `YYYYH2`")
    college_id: int | None = Field(None, ge=1, le=MAX_ID)
    major_code: str | None = Field(None, pattern=r"^\d{6}K?$")
    major_prefix: str | None = Field(
        None, pattern=r"^\d{1,6}K?$", description="Category (2), class (4) ..."
    )
    level: MajorLevel | None = None
    district_code: str | None = Field(None, max_length=12)
    graduation_year: int | None = Field(None, ge=1900, le=2200)
    view: DistributionView | None = Field(
        None,
        description="`published`: the latest publication of each period (anyone); "
        "`submitted`: current submissions (a college its own, `education`, `hr` and "
        "platform admins all). Default: `submitted` for those callers, `published` "
        "for everyone else",
    )


class SummaryRow(BaseModel):
    key: str
    name: str | None
    headcount: int | None
    graduating_headcount: int | None
    suppressed: bool = Field(False, description="Counts hidden: the cell is below the minimum")


class DistributionSummary(Page[SummaryRow]):
    """One page of the groups (`total`: how many groups), in key order."""

    group_by: DistributionGroupBy
    period: str | None = Field(description="The period summarised (default: the latest)")
    view: DistributionView = Field(description="The view summarised (the default resolved)")

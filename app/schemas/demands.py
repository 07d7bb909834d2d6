from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from typing_extensions import TypeAliasType

from app.models.enums import CloseReason, DemandKind, DemandStatus, MajorLevel, ResponseStatus
from app.schemas.common import (
    MAX_ID,
    DistrictCode,
    MajorCode,
    NotBool,
    OneLine,
    ORMModel,
    Page,
    Title,
    UpdateSchema,
)

MajorCode6 = Annotated[str, StringConstraints(pattern=r"^\d{6}K?$")]
OccupationCode = Annotated[str, StringConstraints(pattern=r"^\d-\d{2}-\d{2}-\d{2}$")]
ExternalId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$")
]
Certificate = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine
]
Year = Annotated[int, Field(ge=2000, le=2100), NotBool]
Salary = Annotated[int, Field(ge=0, le=1_000_000, description="Yuan per month"), NotBool]
Headcount = Annotated[int, Field(ge=1, le=100_000), NotBool]


class DemandFields(BaseModel):
    """The fields an enterprise writes; every field optional (PATCH)."""

    model_config = ConfigDict(extra="forbid")

    kind: DemandKind | None = None
    title: Title | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    major_codes: Annotated[list[MajorCode], Field(min_length=1, max_length=20)] | None = Field(
        None, description="Catalogue codes of any depth (2, 4 or 6 digits)", examples=[["4601"]]
    )
    occupation_codes: Annotated[list[OccupationCode], Field(max_length=10)] | None = Field(
        None,
        description="Occupations (职业分类大典 codes); without major_codes, the majors are "
        "those the occupations lead to",
        examples=[["6-18-01-01"]],
    )
    levels: Annotated[list[MajorLevel], Field(max_length=3)] | None = Field(
        None, description="Wanted levels; empty: any level"
    )
    headcount: Headcount | None = None
    graduation_years: Annotated[list[Year], Field(max_length=10)] | None = Field(
        None, description="Wanted graduation years; empty: any year"
    )
    district_code: DistrictCode | None = Field(
        None, description="Where the work is (default: the enterprise's district)"
    )
    certificates: Annotated[list[Certificate], Field(max_length=20)] | None = None
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    valid_until: date | None = Field(
        None, description="Last day the demand is open (business time zone)"
    )
    external_id: ExternalId | None = Field(
        None, description="The enterprise's own id: unique per enterprise (409 when reused)"
    )


class DemandCreate(DemandFields):
    kind: DemandKind
    title: Title
    major_codes: Annotated[list[MajorCode], Field(min_length=1, max_length=20)] | None = Field(
        None,
        description="Catalogue codes of any depth (2, 4 or 6 digits); may be left out when "
        "occupation_codes name the jobs, or to get suggestions for the title",
        examples=[["460103", "4602"]],
    )
    headcount: Headcount
    valid_until: date | None = Field(
        None,
        description="Last day the demand is open (a date in the business time zone, "
        "`BUSINESS_TIMEZONE`, default Asia/Shanghai); default: `DEMAND_DEFAULT_VALIDITY_DAYS` "
        "(90 unless configured) days after today",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "employment",
                    "title": "数控设备操作工",
                    "major_codes": ["460103", "4602"],
                    "levels": ["higher"],
                    "headcount": 12,
                    "graduation_years": [2026],
                    "district_code": "371002",
                    "salary_min": 5000,
                    "salary_max": 8000,
                    "valid_until": "2026-12-31",
                    "external_id": "HR-2026-017",
                }
            ]
        },
    )


class DemandUpdate(DemandFields, UpdateSchema):
    """Changed fields only; a closed demand cannot change."""

    clearable = frozenset(
        {
            "description",
            "occupation_codes",
            "levels",
            "graduation_years",
            "district_code",
            "certificates",
            "salary_min",
            "salary_max",
            "external_id",
        }
    )


# `CloseReason` but `expired`, which only the platform sets.
CloseReasonIn = TypeAliasType(
    "CloseReasonIn", Literal["filled_via_platform", "filled_elsewhere", "cancelled"]
)


class DemandClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    close_reason: CloseReasonIn = Field(description="`expired` is set by the platform only")
    hired_count: Annotated[int, Field(ge=0, le=100_000), NotBool] = Field(
        0, description="People hired for the demand (at least 1 when filled via the platform)"
    )
    note: Annotated[str, Field(max_length=500)] | None = Field(
        None, description="Why (required when the industry bureau closes another's demand)"
    )


class DemandRead(ORMModel):
    id: int
    enterprise_id: int
    external_id: str | None
    kind: DemandKind
    status: DemandStatus = Field(
        validation_alias="effective_status",
        description="A demand past `valid_until` reads `closed` (`close_reason` `expired`)",
    )
    title: str
    description: str | None
    major_codes: list[str]
    majors_from_occupations: bool = Field(
        description="The majors were not named but derived from `occupation_codes`"
    )
    occupation_codes: list[str]
    levels: list[MajorLevel]
    headcount: int
    graduation_years: list[int]
    district_code: str | None
    certificates: list[str]
    salary_min: int | None
    salary_max: int | None
    valid_until: date
    accepted_headcount: int
    close_reason: CloseReason | None = Field(validation_alias="effective_close_reason")
    hired_count: int | None
    close_note: str | None
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None


class SuggestedOccupation(BaseModel):
    code: str
    name: str
    level: int
    score: float
    reasons: list[str]


class SuggestedMajor(BaseModel):
    code: str
    name: str
    level: MajorLevel
    occupation_code: str = Field(description="The suggested occupation it leads to")


class Suggestions(BaseModel):
    """What the title suggests, to confirm with a PATCH of `occupation_codes` (or
    `major_codes`): the demand cannot be opened before it names one or the other."""

    occupations: list[SuggestedOccupation] = Field(description="At most 5, best first")
    majors: list[SuggestedMajor] = Field(
        description="At most 10: the majors the first 3 occupations lead to"
    )


class DemandCreated(DemandRead):
    suggestions: Suggestions | None = Field(
        None, description="Only when the demand names neither majors nor occupations"
    )


class DemandFilters(BaseModel):
    """`GET /demands`'s query parameters (unknown ones are ignored)."""

    kind: DemandKind | None = None
    status: DemandStatus | None = Field(
        None, description="Default: open demands, plus every one of your own"
    )
    major_prefix: str | None = Field(
        None,
        pattern=r"^\d{2}(\d{2}(\d{2}K?)?)?$",
        description="Demands asking for majors under this code, or for a code above it",
    )
    level: MajorLevel | None = Field(None, description="Demands open to this level")
    district_code: str | None = Field(None, pattern=r"^\d{6,12}$")
    enterprise_id: int | None = Field(None, ge=1, le=MAX_ID)
    q: str | None = Field(None, min_length=1, max_length=100, description="In titles")


class ResponseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    major_code: MajorCode6 = Field(examples=["460103"])
    headcount: Headcount
    note: Annotated[str, Field(max_length=2000)] | None = None


class ResponseRead(ORMModel):
    id: int
    demand_id: int
    college_id: int
    major_code: str
    headcount: int
    note: str | None
    status: ResponseStatus
    created_at: datetime
    answered_at: datetime | None


# Matching

MatchFactor = TypeAliasType(
    "MatchFactor", Literal["major", "level", "graduation_year", "place", "coverage"]
)


class Reason(BaseModel):
    """One factor of a score: `weight × value` summed over the factors is the score."""

    factor: MatchFactor
    weight: float = Field(description="The factor's weight (0–1, from the settings)")
    value: float = Field(description="How well this factor fits (0–1)")
    text: str = Field(description="The reason in words")


class CollegeRef(BaseModel):
    id: int
    name: str


class Cohort(BaseModel):
    major_code: str
    major_name: str | None
    level: MajorLevel
    graduation_year: int
    district_code: str
    available_headcount: int = Field(description="Expected graduates of the cohort")


class CohortMatch(Cohort):
    """A college's cohort ranked for a demand."""

    college: CollegeRef
    score: float = Field(ge=0, le=1)
    reasons: list[Reason]


class MatchPage(Page[CohortMatch]):
    demand_id: int
    period: str | None = Field(description="The supply's period (default: the latest published)")


class DemandRef(BaseModel):
    id: int
    title: str
    kind: DemandKind
    enterprise_id: int
    headcount: int
    major_codes: list[str]
    district_code: str | None
    valid_until: date


class DemandMatch(BaseModel):
    """An open demand ranked for a college, with the college's cohort that fits it best."""

    demand: DemandRef
    cohort: Cohort
    score: float = Field(ge=0, le=1)
    reasons: list[Reason]


class DemandMatchPage(Page[DemandMatch]):
    college_id: int
    period: str | None

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from typing_extensions import TypeAliasType

from app.schemas.common import Page

SupplyDemandGroupBy = TypeAliasType(
    "SupplyDemandGroupBy",
    Literal["category", "class", "major", "cluster", "district", "occupation"],
)


class SupplyDemandRow(BaseModel):
    key: str = Field(description="Code of the group (`-`: none)")
    name: str | None
    supply: int = Field(description="Graduating headcount")
    demand: int = Field(description="Open headcount attributed to the group")
    gap: int = Field(description="supply − demand")
    ratio: float | None = Field(description="supply ÷ demand (null without demand)")


class SupplyDemand(Page[SupplyDemandRow]):
    """One page of the groups (`total`: how many groups), in key order; `total_supply` and
    `total_demand` are over every group."""

    group_by: SupplyDemandGroupBy
    period: str | None = Field(description="The supply's period (default: latest published)")
    total_supply: int
    total_demand: int


class SubmissionTimeliness(BaseModel):
    period: str
    first_submitted_at: datetime
    due_date: date
    on_time: bool


class CollegeIndicators(BaseModel):
    """The cooperation indicators the platform can compute today."""

    college_id: int
    name: str
    responses_offered: int
    headcount_offered: int
    responses_accepted: int
    headcount_accepted: int
    cooperation_projects: int = Field(description="Published cooperation projects it is part of")
    partner_enterprises: int = Field(
        description="Enterprises of its published cooperation projects or that accepted its "
        "responses, each counted once"
    )
    social_service_projects: int = Field(description="Its published social service projects")
    social_service_capacity: int = Field(description="Their places, added up")
    hires_via_platform: int = Field(
        description="Hires of demands closed `filled_via_platform`, shared by accepted headcount"
    )
    trainings_enrolled: int = Field(description="Trainings (not cancelled) it is enrolled in")
    training_seats: int = Field(description="Seats it holds in trainings not cancelled")
    training_seats_completed: int = Field(
        description="Of those seats, trainees recorded as having completed the training"
    )
    submissions: list[SubmissionTimeliness]
    submissions_on_time: int
    published_period: str | None
    published_headcount: int
    published_graduating_headcount: int


class OverviewCounts(BaseModel):
    enterprises: int = Field(description="Approved enterprises")
    colleges: int = Field(description="Approved colleges")
    open_demands: int
    open_headcount: int
    supply: int = Field(description="Graduating headcount, latest published period")


class DistrictOverview(OverviewCounts):
    district_code: str = Field(description="County-level district (`-`: none known)")
    name: str


class Overview(BaseModel):
    period: str | None
    city: OverviewCounts
    districts: list[DistrictOverview]

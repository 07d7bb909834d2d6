from datetime import date
from typing import Annotated

from pydantic import Field

from app.models.enums import CooperationKind
from app.schemas.common import IdValue, MajorCode, Title, UpdateSchema
from app.schemas.feeds import FeedFilters, FeedInput, FeedItemRead, LongText, SortedUnique

EnterpriseIds = Annotated[list[IdValue], Field(min_length=1, max_length=50), SortedUnique]
CollegeIds = Annotated[list[IdValue], Field(min_length=1, max_length=50), SortedUnique]
MajorCodes = Annotated[list[MajorCode], Field(max_length=50), SortedUnique]


class CooperationProjectCreate(FeedInput):
    kind: CooperationKind
    title: Title
    description: LongText | None = None
    enterprise_ids: EnterpriseIds = Field(description="Organisations of type `enterprise`")
    college_ids: CollegeIds = Field(description="Organisations of type `college`")
    major_codes: MajorCodes = Field([], description="Majors, classes or categories")
    start_date: date
    end_date: date | None = Field(None, description="Not before `start_date`")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "order_class",
                    "title": "海洋食品加工订单班",
                    "enterprise_ids": [12],
                    "college_ids": [7],
                    "major_codes": ["490104"],
                    "start_date": "2027-09-01",
                    "end_date": "2030-06-30",
                }
            ]
        }
    }


class CooperationProjectUpdate(FeedInput, UpdateSchema):
    clearable = frozenset({"description", "end_date"})

    kind: CooperationKind | None = None
    title: Title | None = None
    description: LongText | None = None
    enterprise_ids: EnterpriseIds | None = None
    college_ids: CollegeIds | None = None
    major_codes: MajorCodes | None = None
    start_date: date | None = None
    end_date: date | None = None


class CooperationProjectFilters(FeedFilters):
    kind: CooperationKind | None = None
    enterprise_id: IdValue | None = None
    college_id: IdValue | None = None
    major_code: MajorCode | None = Field(None, description="A major, or its class or category")
    start_date_from: date | None = None
    end_date_to: date | None = None


class CooperationProjectRead(FeedItemRead):
    kind: CooperationKind
    title: str
    description: str | None
    enterprise_ids: list[int]
    college_ids: list[int]
    major_codes: list[str]
    start_date: date
    end_date: date | None

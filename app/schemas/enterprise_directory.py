from pydantic import Field

from app.models.enums import EnterpriseSize, IntegrationLevel
from app.schemas.common import DistrictCode, IdValue, Title, UpdateSchema
from app.schemas.feeds import (
    ClusterCode,
    FeedFilters,
    FeedInput,
    FeedItemRead,
    IndustryCode,
    LongText,
)
from app.schemas.organizations import CreditCode


class EnterpriseCreate(FeedInput):
    """A directory entry; one per unified social credit code."""

    name: Title
    credit_code: CreditCode = Field(description="统一社会信用代码, verified per GB 32100-2015")
    industry_code: IndustryCode = Field(description="GB/T 4754-2017 code")
    district_code: DistrictCode = Field(description="A Weihai district or development zone")
    cluster_code: ClusterCode | None = None
    size: EnterpriseSize
    integration_level: IntegrationLevel = Field(
        IntegrationLevel.none, description="产教融合型企业 recognition level"
    )
    description: LongText | None = None
    organization_id: IdValue | None = Field(None, description="The enterprise's account, if any")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "威海海洋生物科技有限公司",
                    "credit_code": "91371002MA00000018",
                    "industry_code": "1361",
                    "district_code": "371002",
                    "cluster_code": "C05",
                    "size": "medium",
                    "integration_level": "municipal",
                }
            ]
        }
    }


class EnterpriseUpdate(FeedInput, UpdateSchema):
    clearable = frozenset({"cluster_code", "description", "organization_id"})

    name: Title | None = None
    credit_code: CreditCode | None = None
    industry_code: IndustryCode | None = None
    district_code: DistrictCode | None = None
    cluster_code: ClusterCode | None = None
    size: EnterpriseSize | None = None
    integration_level: IntegrationLevel | None = None
    description: LongText | None = None
    organization_id: IdValue | None = None


class EnterpriseFilters(FeedFilters):
    credit_code: str | None = Field(None, min_length=18, max_length=18)
    industry_code: IndustryCode | None = Field(
        None, description="A GB/T 4754 code, or a prefix of codes"
    )
    district_code: DistrictCode | None = Field(None, description="A district, or a town under it")
    cluster_code: ClusterCode | None = None
    size: EnterpriseSize | None = None
    integration_level: IntegrationLevel | None = None
    organization_id: IdValue | None = None


class EnterpriseRead(FeedItemRead):
    name: str
    credit_code: str
    industry_code: str
    district_code: str
    cluster_code: str | None
    size: EnterpriseSize
    integration_level: IntegrationLevel
    description: str | None
    organization_id: int | None

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints
from typing_extensions import TypeAliasType

from app.models.enums import Department, OrgStatus, OrgType, Role
from app.schemas.common import DistrictCode, ORMModel

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
Username = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_.@-]{3,64}$")
]
Password = Annotated[str, Field(min_length=8, max_length=128)]
CreditCode = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=18, max_length=18)
]


class OrganizationFilters(BaseModel):
    """`GET /organizations`'s query parameters (unknown ones are ignored)."""

    org_type: OrgType | None = None
    status: OrgStatus | None = Field(
        None, description="Default `approved`; others for platform admins and supervisors"
    )
    district_code: str | None = Field(None, max_length=12)
    q: str | None = Field(None, min_length=1, max_length=100)


class OrganizationBase(BaseModel):
    name: Name
    district_code: DistrictCode | None = None
    credit_code: CreditCode | None = Field(
        None, description="统一社会信用代码 (required for enterprises), verified per GB 32100-2015"
    )
    address: Annotated[str, Field(max_length=300)] | None = None
    website: Annotated[str, Field(max_length=300)] | None = None
    contact_name: Annotated[str, Field(max_length=100)] | None = None
    contact_phone: Annotated[str, Field(max_length=40)] | None = None
    contact_email: EmailStr | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None


class OrganizationCreate(OrganizationBase):
    """An organisation created by a platform admin (starts `approved`)."""

    org_type: OrgType
    department: Department | None = Field(None, description="Required for `government`")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "name": "威海市工业和信息化局",
                    "org_type": "government",
                    "department": "industry",
                    "district_code": "371000",
                }
            ]
        }
    }


# The organisations that register themselves (government ones are created by an admin).
RegistrationOrgType = TypeAliasType(
    "RegistrationOrgType",
    Literal[OrgType.enterprise, OrgType.college, OrgType.training_institution],
)


class RegistrationOrganization(OrganizationBase):
    org_type: RegistrationOrgType


class RegistrationUser(BaseModel):
    username: Username
    password: Password
    display_name: Annotated[str, Field(max_length=100)] | None = None


class RegistrationCreate(BaseModel):
    """Self-registration of an enterprise, college or training institution and its first admin."""

    organization: RegistrationOrganization
    user: RegistrationUser

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "organization": {
                        "name": "威海海洋生物科技有限公司",
                        "org_type": "enterprise",
                        "credit_code": "91371000MA3C00001X",
                        "district_code": "371002",
                    },
                    "user": {"username": "hysw_admin", "password": "a-long-passphrase"},
                }
            ]
        }
    }


class OrganizationRead(ORMModel):
    """An organisation's public fields."""

    id: int
    name: str
    org_type: OrgType
    department: Department | None
    district_code: str | None
    credit_code: str | None
    status: OrgStatus
    address: str | None
    website: str | None
    description: str | None
    created_at: datetime
    approved_at: datetime | None


class OrganizationPrivate(OrganizationRead):
    """Public fields plus the contact details, for the organisation itself and supervisors."""

    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None


class UserCreate(BaseModel):
    username: Username
    password: Password
    role: Role = Role.member
    display_name: Annotated[str, Field(max_length=100)] | None = None


class UserRead(ORMModel):
    id: int
    username: str
    display_name: str | None
    organization_id: int | None
    role: Role
    is_platform_admin: bool
    is_active: bool
    created_at: datetime


class RegistrationRead(BaseModel):
    organization: OrganizationPrivate
    user: UserRead


class ApiKeyCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ApiKeyRead(ORMModel):
    id: int
    organization_id: int
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret: shown this once, store it now")

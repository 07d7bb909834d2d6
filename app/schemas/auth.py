from pydantic import BaseModel

from app.models.enums import Role
from app.schemas.organizations import OrganizationPrivate, UserRead


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    """The caller: its user (absent for an API key), organisation and roles."""

    user: UserRead | None
    organization: OrganizationPrivate | None
    roles: list[str]
    role: Role | None
    is_platform_admin: bool
    auth_method: str

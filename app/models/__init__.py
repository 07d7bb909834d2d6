"""All tables, imported here so that Alembic and the app see the whole metadata."""

from app.models.api_key import ApiKey
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.cooperation_project import (
    CooperationProject,
    CooperationProjectCollege,
    CooperationProjectEnterprise,
    CooperationProjectMajor,
)
from app.models.directory_entry import DirectoryEntry
from app.models.event import Event
from app.models.login_failure import LoginFailure
from app.models.organization import Organization
from app.models.search_term import SearchTerm
from app.models.social_service_project import (
    SocialServiceProject,
    SocialServiceProjectCertificate,
    SocialServiceProjectTargetGroup,
)
from app.models.taxonomy import (
    Certificate,
    Cluster,
    ClusterIndustry,
    ClusterMajorClass,
    District,
    Industry,
    Major,
)
from app.models.tech_project import TechProject
from app.models.user import User

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Certificate",
    "Cluster",
    "ClusterIndustry",
    "ClusterMajorClass",
    "CooperationProject",
    "CooperationProjectCollege",
    "CooperationProjectEnterprise",
    "CooperationProjectMajor",
    "DirectoryEntry",
    "District",
    "Event",
    "Industry",
    "LoginFailure",
    "Major",
    "Organization",
    "SearchTerm",
    "SocialServiceProject",
    "SocialServiceProjectCertificate",
    "SocialServiceProjectTargetGroup",
    "TechProject",
    "User",
]

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
from app.models.demand import Demand, DemandMajor, DemandOccupation, OpenDemandTotal
from app.models.demand_response import DemandResponse
from app.models.dispatch_cursor import DispatchCursor
from app.models.distribution import DistributionRow, DistributionSubmission
from app.models.enterprise_directory import EnterpriseDirectoryEntry
from app.models.event import Event
from app.models.feed import FeedCount
from app.models.login_failure import LoginFailure
from app.models.organization import Organization
from app.models.publication import (
    Publication,
    PublicationRow,
    PublishedCohorts,
    PublishedSubmission,
    PublishedSupply,
)
from app.models.search_term import SearchTerm, SearchTermCount
from app.models.social_service_project import (
    SocialServiceProject,
    SocialServiceProjectCertificate,
    SocialServiceProjectTargetGroup,
)
from app.models.subscription import Subscription
from app.models.taxonomy import (
    Certificate,
    Cluster,
    ClusterIndustry,
    ClusterMajorClass,
    District,
    Industry,
    Major,
    MajorOccupation,
    Occupation,
)
from app.models.tech_project import TechProject
from app.models.training import Training, TrainingEnrollment
from app.models.user import User
from app.models.webhook_delivery import WebhookDelivery

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Certificate",
    "Cluster",
    "ClusterIndustry",
    "ClusterMajorClass",
    "DispatchCursor",
    "FeedCount",
    "CooperationProject",
    "CooperationProjectCollege",
    "CooperationProjectEnterprise",
    "CooperationProjectMajor",
    "EnterpriseDirectoryEntry",
    "Demand",
    "DemandMajor",
    "DemandOccupation",
    "DemandResponse",
    "District",
    "DistributionRow",
    "DistributionSubmission",
    "Event",
    "Industry",
    "LoginFailure",
    "Major",
    "MajorOccupation",
    "Occupation",
    "OpenDemandTotal",
    "Organization",
    "Publication",
    "PublicationRow",
    "PublishedCohorts",
    "PublishedSubmission",
    "PublishedSupply",
    "Subscription",
    "SearchTerm",
    "SearchTermCount",
    "SocialServiceProject",
    "SocialServiceProjectCertificate",
    "SocialServiceProjectTargetGroup",
    "TechProject",
    "Training",
    "TrainingEnrollment",
    "User",
    "WebhookDelivery",
]

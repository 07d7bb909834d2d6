"""All tables, imported here so that Alembic and the app see the whole metadata."""

from app.models.api_key import ApiKey
from app.models.audit import AuditEvent
from app.models.base import Base
from app.models.demand import Demand, DemandMajor
from app.models.demand_response import DemandResponse
from app.models.distribution import DistributionRow, DistributionSubmission
from app.models.event import Event
from app.models.login_failure import LoginFailure
from app.models.organization import Organization
from app.models.publication import Publication, PublicationRow, PublishedSubmission
from app.models.taxonomy import (
    Certificate,
    Cluster,
    ClusterIndustry,
    ClusterMajorClass,
    District,
    Industry,
    Major,
)
from app.models.user import User

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Certificate",
    "Cluster",
    "ClusterIndustry",
    "ClusterMajorClass",
    "Demand",
    "DemandMajor",
    "DemandResponse",
    "District",
    "DistributionRow",
    "DistributionSubmission",
    "Event",
    "Industry",
    "LoginFailure",
    "Major",
    "Organization",
    "Publication",
    "PublicationRow",
    "PublishedSubmission",
    "User",
]

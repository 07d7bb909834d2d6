"""Closed vocabularies of the public contract (docs/api.md), shared by models and schemas."""

from enum import StrEnum


class OrgType(StrEnum):
    government = "government"
    enterprise = "enterprise"
    college = "college"
    training_institution = "training_institution"


class Department(StrEnum):
    education = "education"
    hr = "hr"
    tech = "tech"
    industry = "industry"
    finance = "finance"
    development = "development"
    other = "other"


class OrgStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    suspended = "suspended"


class Role(StrEnum):
    admin = "admin"
    member = "member"


class MajorLevel(StrEnum):
    secondary = "secondary"
    higher = "higher"
    undergraduate = "undergraduate"


class MajorKind(StrEnum):
    category = "category"
    class_ = "class"
    major = "major"


class IndustryLevel(StrEnum):
    section = "section"
    division = "division"
    group = "group"
    class_ = "class"


class Dataset(StrEnum):
    """The datasets the departments publish as frozen, versioned snapshots."""

    student_distribution = "student_distribution"
    social_service_projects = "social_service_projects"
    enterprise_directory = "enterprise_directory"
    cooperation_projects = "cooperation_projects"
    tech_projects = "tech_projects"


class Cadence(StrEnum):
    half_yearly = "half_yearly"
    quarterly = "quarterly"
    monthly = "monthly"
    continuous = "continuous"


class SubmissionSource(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class DeliveryStatus(StrEnum):
    """One try of a webhook delivery."""

    pending = "pending"  # due at `due_at`
    sending = "sending"  # claimed by a worker until `lease_until`
    succeeded = "succeeded"
    failed = "failed"


class FeedStatus(StrEnum):
    """The publishing workflow of the government feeds: withdrawn items may be re-published."""

    draft = "draft"
    published = "published"
    withdrawn = "withdrawn"


class TechProjectKind(StrEnum):
    tech_info = "tech_info"
    school_locality_project = "school_locality_project"


class EnterpriseSize(StrEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


class IntegrationLevel(StrEnum):
    """产教融合型企业: the level at which the enterprise is recognised, if any."""

    none = "none"
    municipal = "municipal"
    provincial = "provincial"
    national = "national"


class CooperationKind(StrEnum):
    order_class = "order_class"
    modern_apprenticeship = "modern_apprenticeship"
    enterprise_apprenticeship = "enterprise_apprenticeship"
    industry_college = "industry_college"
    training_base = "training_base"
    tech_service = "tech_service"
    other = "other"


class TargetGroup(StrEnum):
    transferred_workers = "transferred_workers"
    unenrolled_graduates = "unenrolled_graduates"
    veterans = "veterans"
    migrant_workers = "migrant_workers"
    unemployed = "unemployed"
    sme_employees = "sme_employees"
    disabled = "disabled"


class DemandKind(StrEnum):
    employment = "employment"
    internship = "internship"
    apprenticeship = "apprenticeship"
    order_class = "order_class"
    pre_job_training = "pre_job_training"


class DemandStatus(StrEnum):
    draft = "draft"
    open = "open"
    paused = "paused"
    closed = "closed"


class CloseReason(StrEnum):
    filled_via_platform = "filled_via_platform"
    filled_elsewhere = "filled_elsewhere"
    cancelled = "cancelled"
    expired = "expired"


class ResponseStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"


class TrainingStatus(StrEnum):
    """A training is public from creation; cancelled ones stay readable."""

    scheduled = "scheduled"
    cancelled = "cancelled"

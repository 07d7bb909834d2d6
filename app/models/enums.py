"""Closed vocabularies of the public contract (API.md), shared by models and schemas."""

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

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

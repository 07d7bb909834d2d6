"""Social service projects (`/social-service-projects`): skills training by colleges and
training institutions, published by the education or HR bureau."""

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.i18n import t
from app.models import (
    Certificate,
    SocialServiceProject,
    SocialServiceProjectCertificate,
    SocialServiceProjectTargetGroup,
)
from app.schemas.common import PageParams
from app.schemas.social_service_projects import (
    SocialServiceProjectCreate,
    SocialServiceProjectFilters,
    SocialServiceProjectRead,
)
from app.services import permissions
from app.services.checks import Problems
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal
from app.services.query import Paged


def _check(session: Session, problems: Problems, item: SocialServiceProject | None) -> None:
    problems.exist(session, "certificates", Certificate.name, t("证书", "certificate"))
    problems.period()


FEED = Feed(
    resource="social_service_project",
    label=t("社会服务项目", "social service project"),
    model=SocialServiceProject,
    create=SocialServiceProjectCreate,
    read=SocialServiceProjectRead,
    policy=permissions.SOCIAL_SERVICE_PROJECTS,
    text_fields=("title", "description"),
    check=_check,
)


def list_social_service_projects(
    session: Session,
    principal: Principal | None,
    page: PageParams,
    filters: SocialServiceProjectFilters,
) -> Paged[SocialServiceProject]:
    project = SocialServiceProject
    clauses: list[ColumnElement[bool]] = []
    if filters.target_group:
        group = SocialServiceProjectTargetGroup
        clauses.append(
            project.id.in_(
                select(group.project_id).where(group.target_group == filters.target_group)
            )
        )
    if filters.certificate:
        cert = SocialServiceProjectCertificate
        clauses.append(
            project.id.in_(select(cert.project_id).where(cert.certificate == filters.certificate))
        )
    if filters.capacity_min is not None:
        clauses.append(project.capacity >= filters.capacity_min)
    if filters.start_date_from:
        clauses.append(project.start_date >= filters.start_date_from)
    if filters.end_date_to:
        clauses.append(project.end_date <= filters.end_date_to)
    return list_items(session, principal, FEED, page, filters, clauses)

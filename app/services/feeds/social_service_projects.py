"""Social service projects (`/social-service-projects`): skills training by colleges and
training institutions, published by the education or HR bureau."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.i18n import t
from app.models import (
    Certificate,
    SocialServiceProject,
    SocialServiceProjectCertificate,
    SocialServiceProjectTargetGroup,
)
from app.models.enums import TargetGroup
from app.schemas.common import PageParams
from app.schemas.feeds import FeedFilters
from app.schemas.social_service_projects import (
    SocialServiceProjectCreate,
    SocialServiceProjectRead,
)
from app.services import permissions
from app.services.checks import Problems
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal


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
    common: FeedFilters,
    *,
    target_group: TargetGroup | None,
    certificate: str | None,
    capacity_min: int | None,
    start_date_from: date | None,
    end_date_to: date | None,
) -> dict[str, Any]:
    project = SocialServiceProject
    filters: list[ColumnElement[bool]] = []
    if target_group:
        group = SocialServiceProjectTargetGroup
        filters.append(
            project.id.in_(select(group.project_id).where(group.target_group == target_group))
        )
    if certificate:
        cert = SocialServiceProjectCertificate
        filters.append(
            project.id.in_(select(cert.project_id).where(cert.certificate == certificate))
        )
    if capacity_min is not None:
        filters.append(project.capacity >= capacity_min)
    if start_date_from:
        filters.append(project.start_date >= start_date_from)
    if end_date_to:
        filters.append(project.end_date <= end_date_to)
    return list_items(session, principal, FEED, page, common, filters)

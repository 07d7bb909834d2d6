"""Tech projects (`/tech-projects`): posted and published by the tech bureau."""

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from app.core.i18n import t
from app.models import Cluster, TechProject
from app.models.enums import TechProjectKind
from app.schemas.common import PageParams
from app.schemas.feeds import FeedFilters
from app.schemas.tech_projects import TechProjectCreate, TechProjectRead
from app.services import permissions
from app.services.checks import Problems
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal


def _check(session: Session, problems: Problems, item: TechProject | None) -> None:
    problems.exist(session, "cluster_code", Cluster.code, t("产业集群", "cluster"))
    problems.not_past("deadline")


FEED = Feed(
    resource="tech_project",
    label=t("科技项目", "tech project"),
    model=TechProject,
    create=TechProjectCreate,
    read=TechProjectRead,
    policy=permissions.TECH_PROJECTS,
    text_fields=("title", "summary", "description"),
    check=_check,
)


def list_tech_projects(
    session: Session,
    principal: Principal | None,
    page: PageParams,
    common: FeedFilters,
    *,
    kind: TechProjectKind | None,
    cluster_code: str | None,
    deadline_from: date | None,
    deadline_to: date | None,
) -> dict[str, Any]:
    filters: list[ColumnElement[bool]] = []
    if kind:
        filters.append(TechProject.kind == kind)
    if cluster_code:
        filters.append(TechProject.cluster_code == cluster_code)
    if deadline_from:
        filters.append(TechProject.deadline >= deadline_from)
    if deadline_to:
        filters.append(TechProject.deadline <= deadline_to)
    return list_items(session, principal, FEED, page, common, filters)

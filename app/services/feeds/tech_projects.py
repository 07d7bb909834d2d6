"""Tech projects (`/tech-projects`): posted and published by the tech bureau."""

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from app.core.i18n import t
from app.models import Cluster, TechProject
from app.schemas.common import PageParams
from app.schemas.tech_projects import TechProjectCreate, TechProjectFilters, TechProjectRead
from app.services import permissions
from app.services.checks import Problems
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal
from app.services.query import Paged


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
    filters: TechProjectFilters,
) -> Paged[TechProject]:
    clauses: list[ColumnElement[bool]] = []
    if filters.kind:
        clauses.append(TechProject.kind == filters.kind)
    if filters.cluster_code:
        clauses.append(TechProject.cluster_code == filters.cluster_code)
    if filters.deadline_from:
        clauses.append(TechProject.deadline >= filters.deadline_from)
    if filters.deadline_to:
        clauses.append(TechProject.deadline <= filters.deadline_to)
    return list_items(session, principal, FEED, page, filters, clauses)

"""Cooperation projects (`/cooperation-projects`): kept and published by the industry
bureau; colleges and enterprises propose drafts of their own."""

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.core.i18n import t
from app.models import (
    CooperationProject,
    CooperationProjectCollege,
    CooperationProjectEnterprise,
    CooperationProjectMajor,
    Major,
)
from app.models.enums import OrgType
from app.schemas.common import PageParams
from app.schemas.cooperation_projects import (
    CooperationProjectCreate,
    CooperationProjectFilters,
    CooperationProjectRead,
)
from app.services import permissions
from app.services.checks import Problems
from app.services.feeds.workflow import Feed, list_items
from app.services.permissions import Principal
from app.services.query import Paged, code_prefix


def _check(session: Session, problems: Problems, item: CooperationProject | None) -> None:
    problems.organizations(session, "enterprise_ids", OrgType.enterprise)
    problems.organizations(session, "college_ids", OrgType.college)
    problems.exist(session, "major_codes", Major.code, t("专业代码", "major code"))
    problems.period()


FEED = Feed(
    resource="cooperation_project",
    label=t("合作项目", "cooperation project"),
    model=CooperationProject,
    create=CooperationProjectCreate,
    read=CooperationProjectRead,
    policy=permissions.COOPERATION_PROJECTS,
    text_fields=("title", "description"),
    check=_check,
)


def list_cooperation_projects(
    session: Session,
    principal: Principal | None,
    page: PageParams,
    filters: CooperationProjectFilters,
) -> Paged[CooperationProject]:
    """`major_code` matches at any depth: 46 finds projects for any major of category 46."""
    project = CooperationProject
    clauses: list[ColumnElement[bool]] = []
    if filters.kind:
        clauses.append(project.kind == filters.kind)
    if filters.enterprise_id is not None:
        link = CooperationProjectEnterprise
        clauses.append(
            project.id.in_(
                select(link.project_id).where(link.organization_id == filters.enterprise_id)
            )
        )
    if filters.college_id is not None:
        college = CooperationProjectCollege
        clauses.append(
            project.id.in_(
                select(college.project_id).where(college.organization_id == filters.college_id)
            )
        )
    if filters.major_code:
        major = CooperationProjectMajor
        clauses.append(
            project.id.in_(
                select(major.project_id).where(code_prefix(major.major_code, filters.major_code))
            )
        )
    if filters.start_date_from:
        clauses.append(project.start_date >= filters.start_date_from)
    if filters.end_date_to:
        clauses.append(project.end_date <= filters.end_date_to)
    return list_items(session, principal, FEED, page, filters, clauses)

"""Who may do what: the one place where roles, departments and ownership are checked.

Routes declare the caller they need with the typed dependencies of `app.api.deps`,
which call these functions; services call them for checks that need the item.
"""

from dataclasses import dataclass
from typing import Literal

from app.core.errors import Forbidden, Unauthorized
from app.core.i18n import t
from app.models import Organization, User
from app.models.enums import Department, OrgStatus, OrgType, Role
from app.services import labels

# The department that approves and supervises each kind of self-registered organisation.
RESPONSIBLE_DEPARTMENT: dict[OrgType, Department] = {
    OrgType.enterprise: Department.industry,
    OrgType.college: Department.education,
    OrgType.training_institution: Department.hr,
}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: a signed-in user, or an organisation's API key."""

    user: User | None
    organization: Organization | None
    auth_method: Literal["token", "api_key"]

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.user and self.user.is_platform_admin)

    @property
    def org_id(self) -> int | None:
        return self.organization.id if self.organization else None

    @property
    def org_type(self) -> OrgType | None:
        return self.organization.org_type if self.organization else None

    @property
    def department(self) -> Department | None:
        return self.organization.department if self.organization else None

    @property
    def role(self) -> Role | None:
        # An API key acts with member rights: it writes the organisation's data
        # but cannot manage its users or keys.
        return self.user.role if self.user else Role.member

    @property
    def roles(self) -> list[str]:
        roles = ["platform_admin"] if self.is_platform_admin else []
        if self.organization:
            roles.append(f"org_{self.role}")
            roles.append(self.organization.org_type.value)
            if self.department:
                roles.append(f"department:{self.department.value}")
        return roles

    def is_department(self, *departments: Department) -> bool:
        return (
            self.org_type == OrgType.government
            and self.department in departments
            and self.organization is not None
            and self.organization.status == OrgStatus.approved
        )


def require_principal(principal: Principal | None) -> Principal:
    if principal is None:
        raise Unauthorized()
    return principal


def ensure_can_write(principal: Principal) -> None:
    """Only approved organisations write; a pending one may sign in and read."""
    if principal.is_platform_admin:
        return
    org = principal.organization
    if org is None or org.status != OrgStatus.approved:
        raise Forbidden(
            t(
                "本单位尚未通过审核，只能查看，不能提交或修改。",
                "Your organisation is not approved yet; it can read but not write.",
            ),
            code="organization_not_approved",
        )


def ensure_platform_admin(principal: Principal) -> None:
    if not principal.is_platform_admin:
        raise Forbidden(t("仅平台管理员可以执行此操作。", "Only a platform admin may do this."))


def ensure_department(principal: Principal, *departments: Department) -> None:
    if principal.is_platform_admin or principal.is_department(*departments):
        return
    names = ", ".join(d.value for d in departments)
    raise Forbidden(
        t(
            f"仅{labels.names(labels.DEPARTMENT, departments)}可以执行此操作。",
            f"Only the department(s) {names} may do this.",
        )
    )


def ensure_org_type(principal: Principal, *org_types: OrgType) -> None:
    if principal.org_type not in org_types:
        names = ", ".join(o.value for o in org_types)
        raise Forbidden(
            t(
                f"仅{labels.names(labels.ORG_TYPE, org_types)}可以执行此操作。",
                f"Only organisations of type {names} may do this.",
            )
        )


def ensure_organization(principal: Principal) -> None:
    """The caller acts for an organisation (platform admins may have none)."""
    if principal.organization is None:
        raise Forbidden(
            t("须以单位身份执行此操作。", "Only an organisation may do this."),
            code="organization_required",
        )


def ensure_org_admin(principal: Principal, org_id: int, *, allow_platform_admin: bool) -> None:
    """The caller is a signed-in admin of organisation `org_id` (or a platform admin)."""
    if allow_platform_admin and principal.is_platform_admin:
        return
    if (
        principal.auth_method != "token"
        or principal.org_id != org_id
        or principal.role != Role.admin
    ):
        raise Forbidden(
            t("仅本单位管理员可以执行此操作。", "Only an admin of this organisation may do this.")
        )
    ensure_can_write(principal)


def supervised_types(principal: Principal | None) -> list[OrgType]:
    """The organisation types the caller supervises: every type for platform admins, the
    types a department is responsible for."""
    if principal is None:
        return []
    if principal.is_platform_admin:
        return list(OrgType)
    return [o for o, dept in RESPONSIBLE_DEPARTMENT.items() if principal.is_department(dept)]


def ensure_can_approve(principal: Principal, org: Organization) -> None:
    if org.org_type not in supervised_types(principal):
        raise Forbidden(
            t(
                "仅平台管理员或主管部门可以执行此操作。",
                "Only a platform admin or the responsible department may do this.",
            )
        )


# Student distribution: colleges submit their own; the supervising departments read them all.
DISTRIBUTION_SUPERVISORS = (Department.education, Department.hr)
EVERY_COLLEGE: Literal["every"] = "every"


def submissions_read_by(principal: Principal | None) -> Literal["every"] | int | None:
    """Whose student-distribution submissions (and cooperation indicators) the caller reads,
    the one rule for both: every college's (`EVERY_COLLEGE`) for education, hr and platform
    admins; a college its own (its id); nobody else any (None)."""
    if principal is None:
        return None
    if principal.is_platform_admin or principal.is_department(*DISTRIBUTION_SUPERVISORS):
        return EVERY_COLLEGE
    if principal.org_type == OrgType.college:
        return principal.org_id
    return None


def ensure_own_college(principal: Principal, college_id: int) -> None:
    """Only the college itself (its users or API key) submits its student distribution."""
    if principal.org_type != OrgType.college or principal.org_id != college_id:
        raise Forbidden(
            t(
                "院校只能报送本校的学生分布数据。",
                "A college submits only its own student distribution.",
            )
        )
    ensure_can_write(principal)


def ensure_can_publish(principal: Principal, owners: tuple[Department, ...]) -> None:
    """education and hr publish every dataset; each owner department publishes its own."""
    ensure_department(principal, *DISTRIBUTION_SUPERVISORS, *owners)


@dataclass(frozen=True)
class FeedPolicy:
    """Who may do what with one government feed (docs/api.md "Government feeds").

    `editors` (departments) create and change any item of the feed; `authors`
    (organisation types) create items of their own and change them while they are
    not published; `publishers` (departments) publish and withdraw, and see every draft.
    Platform admins may do everything.
    """

    publishers: tuple[Department, ...]
    editors: tuple[Department, ...] = ()
    authors: tuple[OrgType, ...] = ()


TECH_PROJECTS = FeedPolicy(publishers=(Department.tech,), editors=(Department.tech,))
ENTERPRISE_DIRECTORY = FeedPolicy(publishers=(Department.industry,), editors=(Department.industry,))
COOPERATION_PROJECTS = FeedPolicy(
    publishers=(Department.industry,),
    editors=(Department.industry,),
    authors=(OrgType.college, OrgType.enterprise),
)
SOCIAL_SERVICE_PROJECTS = FeedPolicy(
    publishers=(Department.education, Department.hr),
    authors=(OrgType.college, OrgType.training_institution),
)


def sees_all_drafts(principal: Principal | None, policy: FeedPolicy) -> bool:
    """Platform admins, the publishers and the editors see every item of the feed."""
    if principal is None:
        return False
    return principal.is_platform_admin or principal.is_department(
        *policy.publishers, *policy.editors
    )


def ensure_feed_author(principal: Principal, policy: FeedPolicy) -> None:
    """The caller may create items in the feed."""
    if principal.is_platform_admin or principal.is_department(*policy.editors):
        return
    if policy.authors and principal.org_type in policy.authors:
        return
    raise Forbidden(t("本单位不能在此发布条目。", "Your organisation may not create items here."))


def ensure_can_edit(
    principal: Principal, policy: FeedPolicy, owner_id: int | None, published: bool
) -> None:
    """Editors change any item; an author changes its own items while they are not published."""
    if principal.is_platform_admin or principal.is_department(*policy.editors):
        return
    if principal.org_type in policy.authors and owner_id == principal.org_id:
        if not published:
            return
        raise Forbidden(
            t(
                "该条目已发布，如需修改，请先由发布部门撤回。",
                "The item is published: ask the publishing department to withdraw it first.",
            ),
            code="item_published",
        )
    raise Forbidden(
        t(
            "仅条目所属单位或主管部门可以修改。",
            "Only the item's owner or the responsible department may change it.",
        )
    )


# Demands: enterprises write their own; the industry bureau moderates (closes) any of them.
DEMAND_MODERATORS = (Department.industry,)


def can_moderate_demands(principal: Principal | None) -> bool:
    return principal is not None and (
        principal.is_platform_admin or principal.is_department(*DEMAND_MODERATORS)
    )


def owns_demand(principal: Principal | None, enterprise_id: int) -> bool:
    return (
        principal is not None
        and principal.org_type == OrgType.enterprise
        and principal.org_id == enterprise_id
    )


def ensure_demand_owner(principal: Principal, enterprise_id: int) -> None:
    """Only the enterprise itself (its users or API key) changes its demand."""
    if not owns_demand(principal, enterprise_id):
        raise Forbidden(
            t(
                "仅发布该需求的企业可以执行此操作。",
                "Only the enterprise that posted the demand may do this.",
            )
        )
    ensure_can_write(principal)


def ensure_can_close_demand(principal: Principal, enterprise_id: int) -> None:
    if can_moderate_demands(principal):
        return
    ensure_demand_owner(principal, enterprise_id)


def ensure_can_read_college_analytics(principal: Principal, college_id: int) -> None:
    """A college's cooperation indicators: whoever reads its submissions (the college,
    education, hr and platform admins)."""
    if submissions_read_by(principal) not in (EVERY_COLLEGE, college_id):
        raise Forbidden(
            t(
                "仅该院校、教育局、人社局和平台管理员可以查看。",
                "Only the college, education, hr and platform admins see these.",
            )
        )


# Trainings: hr and education run them, so do colleges, and enterprises for their own demands.
TRAINING_DEPARTMENTS = (Department.hr, Department.education)
TRAINING_AUTHORS = (OrgType.college, OrgType.enterprise)


def ensure_training_author(principal: Principal) -> None:
    """The caller's organisation may create trainings (an enterprise only for its own
    demand, which `ensure_can_link_demand` checks once the demand is known)."""
    if principal.is_department(*TRAINING_DEPARTMENTS) or principal.org_type in TRAINING_AUTHORS:
        return
    raise Forbidden(
        t(
            "仅人社局、教育局、院校和企业可以创建培训。",
            "Only hr, education, colleges and enterprises create trainings.",
        )
    )


def ensure_can_link_demand(principal: Principal, enterprise_id: int) -> None:
    """An enterprise links a training only to its own demand; the others to any they see."""
    if principal.org_type == OrgType.enterprise and principal.org_id != enterprise_id:
        raise Forbidden(
            t(
                "企业只能将培训关联到本企业的需求。",
                "An enterprise links a training only to its own demands.",
            )
        )


def ensure_training_owner(principal: Principal, owner_id: int) -> None:
    """The organisation that created the training (and platform admins) change it."""
    if principal.is_platform_admin:
        return
    if principal.org_id != owner_id:
        raise Forbidden(
            t(
                "仅创建该培训的单位可以执行此操作。",
                "Only the organisation that created the training may do this.",
            )
        )
    ensure_can_write(principal)


def ensure_enrolling_college(principal: Principal, college_id: int) -> None:
    """A college enrols, changes and releases only its own seats."""
    if principal.org_type != OrgType.college or principal.org_id != college_id:
        raise Forbidden(
            t(
                "院校只能报名、变更或退还本校的名额。",
                "A college enrols, changes and releases only its own seats.",
            )
        )
    ensure_can_write(principal)


def ensure_can_record_completion(principal: Principal, owner_id: int, college_id: int) -> None:
    """The training's owner (or a platform admin), or the enrolled college."""
    if principal.org_type == OrgType.college and principal.org_id == college_id:
        ensure_can_write(principal)
        return
    ensure_training_owner(principal, owner_id)

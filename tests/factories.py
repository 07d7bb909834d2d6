"""Small factories that arrange data directly in the database, and sign-in helpers."""

import itertools
from datetime import date, timedelta
from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.core import clock
from app.core.db import transaction
from app.core.security import new_api_key
from app.models import ApiKey, Organization, User
from app.models.enums import Department, OrgStatus, OrgType, Role
from app.services.credit_code import make_credit_code

PASSWORD = "test-password-1"
# Argon2 is slow on purpose; a hash made with the cheapest parameters verifies fast.
_PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
_seq = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return make_credit_code("91", "371002", f"MA{n:06d}")


def make_org(
    db: sessionmaker[Session], org_type: OrgType = OrgType.enterprise, **overrides: Any
) -> Organization:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"测试{org_type.value}{n}",
        "org_type": org_type,
        "district_code": "371002",
        "status": OrgStatus.approved,
        "approved_at": clock.now(),
        "credit_code": credit_code(n) if org_type == OrgType.enterprise else None,
        **overrides,
    }
    with transaction(db) as session:
        org = Organization(**values)
        session.add(org)
    return org


def make_department(db: sessionmaker[Session], department: Department, **kw: Any) -> Organization:
    return make_org(db, OrgType.government, department=department, **kw)


def make_user(
    db: sessionmaker[Session], org: Organization | None, role: Role = Role.admin, **overrides: Any
) -> User:
    values: dict[str, Any] = {
        "username": f"user{next(_seq)}",
        "password_hash": _PASSWORD_HASH,
        "organization_id": org.id if org else None,
        "role": role,
        **overrides,
    }
    with transaction(db) as session:
        user = User(**values)
        session.add(user)
    return user


def make_admin(db: sessionmaker[Session]) -> User:
    return make_user(db, None, is_platform_admin=True)


def login(client: TestClient, user: User) -> dict[str, str]:
    """Bearer headers for `user` (signed in through the real endpoint)."""
    response = client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def key_headers(db: sessionmaker[Session], org: Organization) -> dict[str, str]:
    """API-key headers for `org`: acts like a member, without a (slow, Argon2) sign-in."""
    secret, prefix, key_hash = new_api_key()
    with transaction(db) as session:
        session.add(ApiKey(organization_id=org.id, name="test", prefix=prefix, key_hash=key_hash))
    return {"X-API-Key": secret}


def org_headers(
    client: TestClient,
    db: sessionmaker[Session],
    org_type: OrgType = OrgType.enterprise,
    role: Role = Role.admin,
    **org_overrides: Any,
) -> tuple[Organization, dict[str, str]]:
    """A fresh organisation with one user, and that user's auth headers."""
    org = make_org(db, org_type, **org_overrides)
    return org, login(client, make_user(db, org, role))


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert response.headers.get("x-request-id")
    if code:
        assert body["code"] == code, body
    return body


# Student distribution: majors of each level, and valid cohorts for the current half-year.
def listed(
    client: TestClient, path: str, item_id: int, headers: dict[str, str], **params: Any
) -> bool:
    """Whether the item is on the first 200 of the list at `path` (which must answer 200)."""
    page = client.get(path, params={"limit": 200, **params}, headers=headers)
    assert page.status_code == 200, page.text
    return item_id in [i["id"] for i in page.json()["items"]]


SECONDARY_MAJOR = "610101"  # 种子生产技术
HIGHER_MAJOR = "460307"  # 工业过程自动化技术
HIGHER_MAJOR_2 = "420801"  # 环境监测技术
UNDERGRADUATE_MAJOR = "280101"  # 化妆品工程技术


def current_period(today: date | None = None) -> str:
    today = today or clock.today()
    return f"{today.year}H{1 if today.month <= 6 else 2}"


def previous_period(period: str) -> str:
    year, half = int(period[:4]), period[-1]
    return f"{year}H1" if half == "2" else f"{year - 1}H2"


def cohort(period: str, major_code: str = HIGHER_MAJOR, **overrides: Any) -> dict[str, Any]:
    """A valid row for `period`: a cohort in its final year (enrolled 3 years before)."""
    year = int(period[:4])
    graduation = year if period.endswith("H1") else year + 1
    level = {"2": "undergraduate", "4": "higher", "5": "higher"}.get(major_code[0], "secondary")
    length = 4 if level == "undergraduate" else 3
    return {
        "major_code": major_code,
        "level": level,
        "enrollment_year": graduation - length,
        "graduation_year": graduation,
        "headcount": 40,
        "graduating_headcount": 38,
        **overrides,
    }


def college_headers(
    client: TestClient, db: sessionmaker[Session], **overrides: Any
) -> tuple[Organization, dict[str, str]]:
    return org_headers(client, db, OrgType.college, **overrides)


def department_headers(
    client: TestClient, db: sessionmaker[Session], department: Department
) -> tuple[Organization, dict[str, str]]:
    org = make_department(db, department)
    return org, login(client, make_user(db, org))


# Government feeds ---------------------------------------------------------------

FEED_PATHS = {
    "tech_project": "/api/v1/tech-projects",
    "enterprise_directory": "/api/v1/enterprises",
    "cooperation_project": "/api/v1/cooperation-projects",
    "social_service_project": "/api/v1/social-service-projects",
}
# Who normally owns each feed's items: a department, or an organisation type.
FEED_OWNERS: dict[str, Department | OrgType] = {
    "tech_project": Department.tech,
    "enterprise_directory": Department.industry,
    "cooperation_project": OrgType.college,
    "social_service_project": OrgType.training_institution,
}
FEED_PUBLISHERS = {
    "tech_project": Department.tech,
    "enterprise_directory": Department.industry,
    "cooperation_project": Department.industry,
    "social_service_project": Department.education,
}


def feed_payload(db: sessionmaker[Session], resource: str, **overrides: Any) -> dict[str, Any]:
    """A valid create body for `resource` (making the organisations it names)."""
    n = next(_seq)
    if resource == "tech_project":
        body: dict[str, Any] = {
            "kind": "school_locality_project",
            "title": f"海参精深加工技术攻关{n}",
            "summary": "面向海洋生物与健康食品产业集群征集校地合作团队",
            "cluster_code": "C05",
            "deadline": "2099-12-31",
            "contact": "市科技局",
        }
    elif resource == "enterprise_directory":
        body = {
            "name": f"威海海洋生物科技有限公司{n}",
            "credit_code": credit_code(n),
            "industry_code": "1361",
            "district_code": "371002",
            "cluster_code": "C05",
            "size": "medium",
            "integration_level": "municipal",
            "description": "海洋食品精深加工",
        }
    elif resource == "cooperation_project":
        body = {
            "kind": "order_class",
            "title": f"海洋食品加工订单班{n}",
            "description": "校企共建订单班",
            "enterprise_ids": [make_org(db, OrgType.enterprise).id],
            "college_ids": [make_org(db, OrgType.college).id],
            "major_codes": ["4901"],
            "start_date": "2027-09-01",
            "end_date": "2030-06-30",
        }
    else:
        body = {
            "title": f"退役军人工业机器人操作培训班{n}",
            "description": "面向退役军人的技能培训",
            "target_groups": ["veterans"],
            "capacity": 40,
            "start_date": "2027-03-01",
            "end_date": "2027-04-30",
            "certificates": ["工业机器人操作与运维职业技能等级证书"],
        }
    return {**body, **overrides}


def feed_owner(
    client: TestClient, db: sessionmaker[Session], resource: str
) -> tuple[Organization, dict[str, str]]:
    """An organisation that may create `resource` items, and its headers."""
    owner = FEED_OWNERS[resource]
    if isinstance(owner, Department):
        org = make_department(db, owner)
    else:
        org = make_org(db, owner)
    return org, key_headers(db, org)


def feed_publisher(
    client: TestClient, db: sessionmaker[Session], resource: str
) -> tuple[Organization, dict[str, str]]:
    org = make_department(db, FEED_PUBLISHERS[resource])
    return org, key_headers(db, org)


def make_feed_item(
    client: TestClient,
    db: sessionmaker[Session],
    resource: str,
    *,
    publish: bool = False,
    **overrides: Any,
) -> tuple[dict[str, Any], dict[str, str]]:
    """An item created through the API by a fresh owner (and published when asked);
    returns the item and its owner's headers."""
    _, headers = feed_owner(client, db, resource)
    path = FEED_PATHS[resource]
    response = client.post(path, json=feed_payload(db, resource, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()
    if publish:
        _, publisher = feed_publisher(client, db, resource)
        response = client.post(f"{path}/{item['id']}/publish", headers=publisher)
        assert response.status_code == 200, response.text
        item = response.json()
    return item, headers


# Demands: a valid body, and published supply for matching.
def demand_body(**overrides: Any) -> dict[str, Any]:
    today = clock.today()
    return {
        "kind": "employment",
        "title": "数控设备操作工",
        "major_codes": [HIGHER_MAJOR],
        "headcount": 10,
        "valid_until": date(today.year + 1, 6, 30).isoformat(),
        **overrides,
    }


def post_demand(
    client: TestClient, headers: dict[str, str], *, open_: bool = True, **overrides: Any
) -> dict[str, Any]:
    """A demand of the caller's enterprise, opened unless `open_` is False."""
    response = client.post("/api/v1/demands", json=demand_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    demand: dict[str, Any] = response.json()
    if open_:
        opened = client.post(f"/api/v1/demands/{demand['id']}/open", headers=headers)
        assert opened.status_code == 200, opened.text
        demand = opened.json()
    return demand


def submit_distribution(
    client: TestClient,
    college: Organization,
    headers: dict[str, str],
    rows: list[dict[str, Any]],
    period: str | None = None,
) -> None:
    period = period or current_period()
    url = f"/api/v1/colleges/{college.id}/student-distributions/{period}"
    response = client.put(url, json={"rows": rows}, headers=headers)
    assert response.status_code == 200, response.text


def publish_distribution(
    client: TestClient, headers: dict[str, str], period: str | None = None
) -> None:
    body = {"dataset": "student_distribution", "period": period or current_period()}
    response = client.post("/api/v1/publications", json=body, headers=headers)
    assert response.status_code == 201, response.text


# Trainings: a valid body starting next month, and one created through the API.
def training_body(**overrides: Any) -> dict[str, Any]:
    start = (clock.now() + timedelta(days=30)).replace(microsecond=0)
    return {
        "title": "数控设备操作岗前培训",
        "description": "入职前集中培训",
        "start_at": start.isoformat(),
        "end_at": (start + timedelta(days=5)).isoformat(),
        "district_code": "371002",
        "capacity": 20,
        **overrides,
    }


def post_training(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/trainings", json=training_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    training: dict[str, Any] = response.json()
    return training

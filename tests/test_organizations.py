"""Organisations, registration, approval, users: who may and who may not."""

import pytest

from app.models.enums import Department, OrgStatus, OrgType, Role
from tests.factories import (
    PASSWORD,
    assert_problem,
    credit_code,
    login,
    make_admin,
    make_department,
    make_org,
    make_user,
)

ORGS = "/api/v1/organizations"


def registration(org_type="enterprise", username="newcomer", **org):
    organization = {
        "name": "威海新来科技有限公司",
        "org_type": org_type,
        "district_code": "371002",
        **org,
    }
    if org_type == "enterprise":
        organization.setdefault("credit_code", credit_code())
    return {"organization": organization, "user": {"username": username, "password": PASSWORD}}


def register(client, **kw):
    response = client.post("/api/v1/registrations", json=registration(**kw))
    assert response.status_code == 201, response.text
    return response.json()


def caller(client, db, kind):
    """Auth headers for a kind of caller named in the permission matrix."""
    if kind == "anonymous":
        return {}
    if kind == "platform_admin":
        return login(client, make_admin(db))
    if kind in Department.__members__:
        return login(client, make_user(db, make_department(db, Department(kind))))
    return login(client, make_user(db, make_org(db, OrgType(kind))))


ALL_CALLERS = [
    "anonymous",
    "platform_admin",
    "education",
    "hr",
    "tech",
    "industry",
    "enterprise",
    "college",
    "training_institution",
]


@pytest.mark.parametrize("who", ALL_CALLERS)
def test_only_platform_admin_creates_organisations(client, db, who):
    body = {"name": "威海市财政局", "org_type": "government", "department": "finance"}
    response = client.post(ORGS, json=body, headers=caller(client, db, who))
    if who == "platform_admin":
        assert response.status_code == 201
        assert response.json()["status"] == "approved"
    else:
        assert_problem(response, 401 if who == "anonymous" else 403)


@pytest.mark.parametrize(
    ("org_type", "approver"),
    [("enterprise", "industry"), ("college", "education"), ("training_institution", "hr")],
)
@pytest.mark.parametrize("who", ALL_CALLERS)
def test_registration_is_approved_only_by_the_right_department(client, db, org_type, approver, who):
    created = register(client, org_type=org_type)
    org_id = created["organization"]["id"]
    assert created["organization"]["status"] == "pending"
    assert created["user"]["role"] == "admin"
    response = client.post(f"{ORGS}/{org_id}/approve", headers=caller(client, db, who))
    if who in (approver, "platform_admin"):
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "approved"
    elif who == "anonymous":
        assert_problem(response, 401)
    else:
        # Callers who do not supervise it may not even see a pending organisation.
        assert_problem(response, 404)


def test_pending_organisation_signs_in_but_cannot_write(client, db):
    created = register(client)
    org_id = created["organization"]["id"]
    response = client.post(
        "/api/v1/auth/token", data={"username": "newcomer", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["organization"]["status"] == "pending"
    assert client.get(f"{ORGS}/{org_id}", headers=headers).status_code == 200
    response = client.post(f"{ORGS}/{org_id}/api-keys", json={"name": "k"}, headers=headers)
    assert_problem(response, 403, "organization_not_approved")
    response = client.post(
        f"{ORGS}/{org_id}/users", headers=headers, json={"username": "second", "password": PASSWORD}
    )
    assert_problem(response, 403, "organization_not_approved")


def test_pending_organisations_are_hidden_from_the_public(client, db):
    org_id = register(client)["organization"]["id"]
    assert_problem(client.get(f"{ORGS}/{org_id}"), 404)
    assert client.get(ORGS).json()["total"] == 0
    industry = caller(client, db, "industry")
    listed = client.get(ORGS, params={"status": "pending"}, headers=industry).json()
    assert [o["id"] for o in listed["items"]] == [org_id]
    education = caller(client, db, "education")
    assert client.get(ORGS, params={"status": "pending"}, headers=education).json()["total"] == 0
    assert client.get(ORGS, params={"status": "pending"}).json()["total"] == 0


def test_public_list_and_filters(client, db):
    make_org(db, OrgType.enterprise, name="威海甲乙丙公司", district_code="371082")
    make_org(db, OrgType.college, name="威海某职业学院")
    make_org(db, OrgType.enterprise, status=OrgStatus.suspended)
    all_orgs = client.get(ORGS).json()
    assert all_orgs["total"] == 2 and all_orgs["limit"] == 20 and all_orgs["offset"] == 0
    assert "contact_phone" not in all_orgs["items"][0]
    assert client.get(ORGS, params={"org_type": "college"}).json()["total"] == 1
    assert client.get(ORGS, params={"district_code": "371082"}).json()["total"] == 1
    assert client.get(ORGS, params={"q": "甲乙"}).json()["total"] == 1
    assert client.get(ORGS, params={"q": "%"}).json()["total"] == 0
    page = client.get(ORGS, params={"limit": 1, "offset": 1}).json()
    assert len(page["items"]) == 1 and page["total"] == 2


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"offset": -1}, {"org_type": "bank"}, {"status": "gone"}],
)
def test_list_rejects_bad_parameters(client, params):
    assert_problem(client.get(ORGS, params=params), 422, "validation_error")


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("914403001922038216", True),  # a real, valid code
        ("9144030071526726XG", True),
        ("914403001922038217", False),  # GB 32100 check digit wrong
        ("914403001922038I16", False),  # I is not in the alphabet
        ("91440300192203821", False),  # 17 characters
        ("9144030019220382160", False),  # 19 characters
        ("91440300192203920X", False),  # GB 11714 check digit wrong
    ],
)
def test_credit_codes_are_verified(client, code, ok):
    response = client.post("/api/v1/registrations", json=registration(credit_code=code))
    if ok:
        assert response.status_code == 201, response.text
    else:
        body = assert_problem(response, 422, "validation_error")
        assert any("credit_code" in e["loc"] for e in body["errors"])


def test_credit_code_is_unique(client, db):
    code = credit_code()
    pending = register(client, credit_code=code)
    response = client.post(
        "/api/v1/registrations", json=registration(credit_code=code.lower(), username="another")
    )
    body = assert_problem(response, 409, "duplicate_credit_code")
    # A pending organisation is not named to an anonymous caller; its supervisor learns it.
    assert "existing_id" not in body
    again = registration(credit_code=code, username="third")["organization"]
    response = client.post(
        "/api/v1/organizations", json=again, headers=caller(client, db, "platform_admin")
    )
    assert (
        assert_problem(response, 409, "duplicate_credit_code")["existing_id"]
        == pending["organization"]["id"]
    )
    approved = make_org(db)
    response = client.post(
        "/api/v1/registrations",
        json=registration(credit_code=approved.credit_code, username="fourth"),
    )
    assert assert_problem(response, 409, "duplicate_credit_code")["existing_id"] == approved.id


def test_registration_validation(client):
    assert_problem(client.post("/api/v1/registrations", json={}), 422)
    gov = registration()
    gov["organization"]["org_type"] = "government"
    assert_problem(client.post("/api/v1/registrations", json=gov), 422)
    missing = registration()
    del missing["organization"]["credit_code"]
    assert_problem(client.post("/api/v1/registrations", json=missing), 422)
    bad_district = registration(district_code="110101")
    body = assert_problem(client.post("/api/v1/registrations", json=bad_district), 422)
    assert body["errors"][0]["loc"] == ["body", "organization", "district_code"]
    short = registration()
    short["user"]["password"] = "short"
    assert_problem(client.post("/api/v1/registrations", json=short), 422)


def test_duplicate_username(client):
    register(client)
    response = client.post("/api/v1/registrations", json=registration(username="newcomer"))
    assert_problem(response, 409, "duplicate_username")


def test_admin_created_organisation_validation(client, db):
    headers = caller(client, db, "platform_admin")
    no_department = {"name": "威海市某局", "org_type": "government"}
    assert_problem(client.post(ORGS, json=no_department, headers=headers), 422)
    college_with_department = {"name": "某学院", "org_type": "college", "department": "hr"}
    assert_problem(client.post(ORGS, json=college_with_department, headers=headers), 422)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("platform_admin", 201),
        ("own_admin", 201),
        ("own_member", 403),
        ("other_admin", 403),
        ("industry", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_create_users(client, db, who, status):
    org = make_org(db)
    headers = {
        "platform_admin": lambda: login(client, make_admin(db)),
        "own_admin": lambda: login(client, make_user(db, org, Role.admin)),
        "own_member": lambda: login(client, make_user(db, org, Role.member)),
        "other_admin": lambda: login(client, make_user(db, make_org(db), Role.admin)),
        "industry": lambda: caller(client, db, "industry"),
        "anonymous": lambda: {},
    }[who]()
    response = client.post(
        f"{ORGS}/{org.id}/users",
        headers=headers,
        json={"username": f"new_{who}", "password": PASSWORD, "role": "member"},
    )
    assert response.status_code == status, response.text
    if status == 201:
        assert response.json()["organization_id"] == org.id
        login_response = client.post(
            "/api/v1/auth/token", data={"username": f"new_{who}", "password": PASSWORD}
        )
        assert login_response.status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("own_admin", 201),
        ("own_member", 403),
        ("platform_admin", 403),
        ("other_admin", 403),
        ("api_key", 403),
        ("anonymous", 401),
    ],
)
def test_who_may_create_api_keys(client, db, who, status):
    org = make_org(db)
    own_admin = login(client, make_user(db, org, Role.admin))
    headers = {
        "own_admin": lambda: own_admin,
        "own_member": lambda: login(client, make_user(db, org, Role.member)),
        "platform_admin": lambda: login(client, make_admin(db)),
        "other_admin": lambda: login(client, make_user(db, make_org(db), Role.admin)),
        "api_key": lambda: {
            "X-API-Key": client.post(
                f"{ORGS}/{org.id}/api-keys", json={"name": "first"}, headers=own_admin
            ).json()["key"]
        },
        "anonymous": lambda: {},
    }[who]()
    response = client.post(f"{ORGS}/{org.id}/api-keys", json={"name": "k"}, headers=headers)
    assert response.status_code == status, response.text


def test_api_key_validation_and_unknown_ids(client, db):
    org = make_org(db)
    headers = login(client, make_user(db, org, Role.admin))
    assert_problem(
        client.post(f"{ORGS}/{org.id}/api-keys", json={"name": ""}, headers=headers), 422
    )
    assert_problem(client.delete(f"{ORGS}/{org.id}/api-keys/999999", headers=headers), 404)
    assert_problem(
        client.post(
            f"{ORGS}/999999/users",
            headers=login(client, make_admin(db)),
            json={"username": "xx_user", "password": PASSWORD},
        ),
        404,
    )


def test_suspension_blocks_existing_tokens(client, db):
    org = make_org(db)
    headers = login(client, make_user(db, org))
    industry = caller(client, db, "industry")
    assert client.post(f"{ORGS}/{org.id}/suspend", headers=industry).status_code == 200
    assert_problem(client.get("/api/v1/auth/me", headers=headers), 403, "organization_suspended")


def test_approval_writes_audit_and_event(client, db):
    from sqlalchemy import select

    from app.models import AuditEvent, Event

    org_id = register(client)["organization"]["id"]
    headers = caller(client, db, "industry")
    assert client.post(f"{ORGS}/{org_id}/approve", headers=headers).status_code == 200
    assert_problem(client.post(f"{ORGS}/{org_id}/approve", headers=headers), 409)
    with db() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        events = session.scalars(select(Event).where(Event.resource_id == str(org_id))).all()
    assert actions == ["organization.register", "organization.approved"]
    assert [e.type for e in events] == ["organization.approved"]
    assert events[0].data["status"] == "approved"

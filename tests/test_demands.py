"""Demands: writing, validation, life cycle, expiry, visibility, moderation, events."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.core import clock
from app.models import AuditEvent, Demand, DemandMajor, Event
from app.models.enums import Department, OrgStatus, OrgType
from app.services.demands.service import expire_demands
from app.services.webhooks.dispatcher import housekeeping
from tests.factories import (
    HIGHER_MAJOR,
    assert_problem,
    college_headers,
    demand_body,
    department_headers,
    key_headers,
    login,
    make_admin,
    make_org,
    make_user,
    org_headers,
    post_demand,
)

DEMANDS = "/api/v1/demands"


def test_create_open_read_and_list(client, db):
    enterprise, headers = org_headers(client, db)
    body = demand_body(
        major_codes=["4603", HIGHER_MAJOR, "46"],
        levels=["higher", "higher"],
        graduation_years=[2027, 2026],
        district_code="371003",
        certificates=["数控车铣加工职业技能等级证书"],
        salary_min=5000,
        salary_max=8000,
        external_id="HR-1",
        headcount=10,
    )
    created = client.post(DEMANDS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    demand = created.json()
    assert demand["status"] == "draft" and demand["enterprise_id"] == enterprise.id
    assert demand["levels"] == ["higher"] and demand["graduation_years"] == [2026, 2027]
    assert demand["accepted_headcount"] == 0 and demand["close_reason"] is None
    # Drafts: the owner sees them, nobody else does.
    assert client.get(f"{DEMANDS}/{demand['id']}", headers=headers).status_code == 200
    assert_problem(client.get(f"{DEMANDS}/{demand['id']}"), 404)
    assert client.get(DEMANDS).json()["total"] == 0
    assert client.get(DEMANDS, headers=headers).json()["total"] == 1

    opened = client.post(f"{DEMANDS}/{demand['id']}/open", headers=headers).json()
    assert opened["status"] == "open" and opened["opened_at"]
    assert client.get(f"{DEMANDS}/{demand['id']}").json()["status"] == "open"
    assert [d["id"] for d in client.get(DEMANDS).json()["items"]] == [demand["id"]]
    with db() as session:
        shares = dict(session.execute(select(DemandMajor.code, DemandMajor.share)).all())
        events = session.scalars(select(Event.type)).all()
        actions = session.scalars(select(AuditEvent.action)).all()
    # 10 over three codes: 4 + 3 + 3, the remainder to the first code in catalogue order.
    assert shares == {"46": 4, "4603": 3, HIGHER_MAJOR: 3}
    assert events == ["demand.opened"]
    assert {"demand.create", "demand.opened"} <= set(actions)


def test_an_api_key_posts_for_its_enterprise(client, db):
    enterprise, headers = org_headers(client, db)
    key = client.post(
        f"/api/v1/organizations/{enterprise.id}/api-keys", json={"name": "hr"}, headers=headers
    ).json()["key"]
    demand = post_demand(client, {"X-API-Key": key})
    assert demand["enterprise_id"] == enterprise.id and demand["status"] == "open"


def test_who_may_post(client, db):
    _, college = college_headers(client, db)
    _, industry = department_headers(client, db, Department.industry)
    _, pending = org_headers(client, db, status=OrgStatus.pending, approved_at=None)
    assert_problem(client.post(DEMANDS, json=demand_body()), 401)
    assert_problem(client.post(DEMANDS, json=demand_body(), headers=college), 403)
    assert_problem(client.post(DEMANDS, json=demand_body(), headers=industry), 403)
    assert_problem(
        client.post(DEMANDS, json=demand_body(), headers=pending), 403, "organization_not_approved"
    )
    admin = login(client, make_admin(db))
    assert_problem(client.post(DEMANDS, json=demand_body(), headers=admin), 403)


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"major_codes": ["999999"]}, ["body", "major_codes", 0]),
        ({"major_codes": [HIGHER_MAJOR, "4699"]}, ["body", "major_codes", 1]),
        ({"major_codes": ["46010"]}, ["body", "major_codes", 0]),
        ({"major_codes": []}, ["body", "major_codes"]),
        ({"headcount": 0}, ["body", "headcount"]),
        ({"headcount": 10**12}, ["body", "headcount"]),
        ({"salary_min": 9000, "salary_max": 5000}, ["body", "salary_max"]),
        ({"salary_min": -1}, ["body", "salary_min"]),
        ({"salary_max": 2**40}, ["body", "salary_max"]),
        ({"district_code": "999999"}, ["body", "district_code"]),
        ({"district_code": "abc"}, ["body", "district_code"]),
        ({"levels": ["doctorate"]}, ["body", "levels", 0]),
        ({"graduation_years": [1800]}, ["body", "graduation_years", 0]),
        ({"kind": "volunteering"}, ["body", "kind"]),
        ({"title": " "}, ["body", "title"]),
        ({"valid_until": "2001-01-01"}, ["body", "valid_until"]),
        ({"valid_until": "2999-01-01"}, ["body", "valid_until"]),
        ({"valid_until": "tomorrow"}, ["body", "valid_until"]),
        ({"external_id": "x" * 101}, ["body", "external_id"]),
        ({"certificates": [""]}, ["body", "certificates", 0]),
        ({"unknown_field": 1}, ["body", "unknown_field"]),
    ],
)
def test_every_field_is_validated(client, db, overrides, loc):
    _, headers = org_headers(client, db)
    response = client.post(DEMANDS, json=demand_body(**overrides), headers=headers)
    body = assert_problem(response, 422, "validation_error")
    assert loc in [e["loc"] for e in body["errors"]], body["errors"]


def test_external_id_is_unique_per_enterprise(client, db):
    _, headers = org_headers(client, db)
    _, other = org_headers(client, db)
    first = post_demand(client, headers, open_=False, external_id="JOB-7")
    again = client.post(DEMANDS, json=demand_body(external_id="JOB-7"), headers=headers)
    body = assert_problem(again, 409, "duplicate_external_id")
    assert body["existing_id"] == first["id"] and str(first["id"]) in body["detail"]
    assert again.headers["location"] == f"/api/v1/demands/{first['id']}"
    # Another enterprise may use the same id; the retry created nothing.
    post_demand(client, other, open_=False, external_id="JOB-7")
    with db() as session:
        assert len(session.scalars(select(Demand.id)).all()) == 2
    second = post_demand(client, headers, open_=False, external_id="JOB-8")
    patch = client.patch(
        f"{DEMANDS}/{second['id']}", json={"external_id": "JOB-7"}, headers=headers
    )
    assert_problem(patch, 409, "duplicate_external_id")


def test_life_cycle_and_events(client, db):
    _, headers = org_headers(client, db)
    demand = post_demand(client, headers)
    url = f"{DEMANDS}/{demand['id']}"
    assert_problem(client.post(f"{url}/open", headers=headers), 409, "demand_status_conflict")
    assert_problem(client.post(f"{url}/resume", headers=headers), 409)
    changed = client.patch(url, json={"headcount": 12, "title": "新标题"}, headers=headers)
    assert changed.status_code == 200 and changed.json()["headcount"] == 12
    paused = client.post(f"{url}/pause", headers=headers).json()
    assert paused["status"] == "paused"
    # Once opened, a demand is public news: the public reads it paused (as the event says).
    assert client.get(url).json()["status"] == "paused"
    assert client.post(f"{url}/resume", headers=headers).json()["status"] == "open"
    closed = client.post(
        f"{url}/close", json={"close_reason": "filled_elsewhere", "hired_count": 3}, headers=headers
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed" and closed.json()["hired_count"] == 3
    assert_problem(client.patch(url, json={"headcount": 2}, headers=headers), 409)
    again = client.post(f"{url}/close", json={"close_reason": "cancelled"}, headers=headers)
    assert_problem(again, 409)
    with db() as session:
        events = session.scalars(select(Event.type).order_by(Event.id)).all()
    assert events == [
        "demand.opened",
        "demand.updated",
        "demand.paused",
        "demand.resumed",
        "demand.closed",
    ]


def test_close_body_is_checked(client, db):
    _, headers = org_headers(client, db)
    url = f"{DEMANDS}/{post_demand(client, headers)['id']}/close"
    for body, loc in [
        ({"close_reason": "expired"}, ["body", "close_reason"]),
        ({"close_reason": "cancelled", "hired_count": -1}, ["body", "hired_count"]),
        ({"close_reason": "cancelled", "hired_count": 2**40}, ["body", "hired_count"]),
        ({"close_reason": "filled_via_platform", "hired_count": 0}, ["body", "hired_count"]),
        ({}, ["body", "close_reason"]),
    ]:
        problem = assert_problem(client.post(url, json=body, headers=headers), 422)
        assert loc in [e["loc"] for e in problem["errors"]]


def test_patch_validates_the_merged_demand(client, db):
    _, headers = org_headers(client, db)
    demand = post_demand(client, headers, salary_min=3000, salary_max=5000)
    url = f"{DEMANDS}/{demand['id']}"
    problem = assert_problem(client.patch(url, json={"salary_min": 6000}, headers=headers), 422)
    assert problem["errors"][0]["loc"] == ["body", "salary_max"]
    assert_problem(client.patch(url, json={"major_codes": ["12"]}, headers=headers), 422)
    assert_problem(client.patch(url, json={"title": None}, headers=headers), 422)
    ok = client.patch(url, json={"major_codes": ["4601", "4602"], "levels": None}, headers=headers)
    assert ok.status_code == 200 and ok.json()["levels"] == []
    with db() as session:
        codes = session.scalars(select(DemandMajor.code).order_by(DemandMajor.code)).all()
    assert codes == ["4601", "4602"]


def test_only_the_owner_changes_a_demand(client, db):
    _, owner = org_headers(client, db)
    _, other = org_headers(client, db)
    _, college = college_headers(client, db)
    open_demand = post_demand(client, owner)
    draft = post_demand(client, owner, open_=False)
    for url in (f"{DEMANDS}/{open_demand['id']}", f"{DEMANDS}/{draft['id']}"):
        expected = 404 if url.endswith(str(draft["id"])) else 403
        assert_problem(client.patch(url, json={"headcount": 3}, headers=other), expected)
        assert_problem(client.post(f"{url}/pause", headers=college), expected)
        assert_problem(client.post(f"{url}/open", headers=other), expected)
        body = {"close_reason": "cancelled"}
        assert_problem(client.post(f"{url}/close", json=body, headers=other), expected)
        assert_problem(client.patch(url, json={"headcount": 3}), 401)


def test_industry_bureau_moderates(client, db):
    _, owner = org_headers(client, db)
    _, industry = department_headers(client, db, Department.industry)
    _, education = department_headers(client, db, Department.education)
    demand = post_demand(client, owner)
    draft = post_demand(client, owner, open_=False)
    url = f"{DEMANDS}/{demand['id']}/close"
    assert_problem(client.post(url, json={"close_reason": "cancelled"}, headers=education), 403)
    no_note = client.post(url, json={"close_reason": "cancelled"}, headers=industry)
    assert_problem(no_note, 422)
    body = {"close_reason": "cancelled", "note": "虚假招聘信息"}
    closed = client.post(url, json=body, headers=industry)
    assert closed.status_code == 200 and closed.json()["close_note"] == "虚假招聘信息"
    # The bureau sees closed demands, never another's drafts.
    assert client.get(f"{DEMANDS}/{demand['id']}", headers=industry).status_code == 200
    assert_problem(client.get(f"{DEMANDS}/{draft['id']}", headers=industry), 404)
    moderation = client.post(f"{DEMANDS}/{draft['id']}/close", json=body, headers=industry)
    assert_problem(moderation, 404)
    assert_problem(client.patch(f"{DEMANDS}/{demand['id']}", json={}, headers=industry), 403)


def _backdate(db, demand_id: int, days: int = 1) -> None:
    with db() as session:
        session.execute(
            update(Demand)
            .where(Demand.id == demand_id)
            .values(valid_until=clock.today() - timedelta(days=days))
        )
        session.commit()


def test_expired_demands_read_as_closed_and_are_settled(client, db, app):
    _, headers = org_headers(client, db)
    demand = post_demand(client, headers)
    live = post_demand(client, headers)
    _backdate(db, demand["id"], days=2)
    public = client.get(f"{DEMANDS}/{demand['id']}", headers=headers).json()
    assert (public["status"], public["close_reason"]) == ("closed", "expired")
    # Once opened, public for good: anyone reads it closed; the default list shows open ones.
    assert client.get(f"{DEMANDS}/{demand['id']}").json()["status"] == "closed"
    assert [d["id"] for d in client.get(DEMANDS).json()["items"]] == [live["id"]]
    closed = client.get(DEMANDS, params={"status": "closed"}, headers=headers).json()
    assert [d["id"] for d in closed["items"]] == [demand["id"]]
    # The worker's housekeeping stores it, once, with its event.
    assert housekeeping(db) == 1
    assert housekeeping(db) == 0
    with db() as session:
        assert expire_demands(session) == 0
        stored = session.get(Demand, demand["id"])
        assert (stored.status, stored.close_reason) == ("closed", "expired")
        events = session.scalars(select(Event.type).order_by(Event.id)).all()
    assert events[-1] == "demand.closed"
    reopen = client.post(f"{DEMANDS}/{demand['id']}/open", headers=headers)
    assert_problem(reopen, 409)


def test_an_expired_draft_cannot_open(client, db):
    _, headers = org_headers(client, db)
    draft = post_demand(client, headers, open_=False)
    _backdate(db, draft["id"])
    problem = assert_problem(client.post(f"{DEMANDS}/{draft['id']}/open", headers=headers), 422)
    assert problem["errors"][0]["loc"] == ["valid_until"]


def test_list_filters(client, db):
    enterprise, headers = org_headers(client, db)
    _, other = org_headers(client, db)
    a = post_demand(client, headers, major_codes=["460103"], levels=["higher"], title="焊工岗位")
    b = post_demand(client, other, major_codes=["46"], kind="internship", district_code="371082")
    c = post_demand(client, other, major_codes=["510201"], levels=["secondary"], title="软件测试")

    def ids(**params):
        response = client.get(DEMANDS, params=params)
        assert response.status_code == 200, response.text
        return sorted(d["id"] for d in response.json()["items"])

    assert ids() == sorted([a["id"], b["id"], c["id"]])
    assert ids(kind="internship") == [b["id"]]
    assert ids(major_prefix="4601") == sorted([a["id"], b["id"]])  # "46" covers 4601
    assert ids(major_prefix="51") == [c["id"]]
    assert ids(level="higher") == sorted([a["id"], b["id"]])  # b names no level: any
    assert ids(district_code="371082") == [b["id"]]
    assert ids(enterprise_id=enterprise.id) == [a["id"]]
    assert ids(q="焊工") == [a["id"]]
    assert ids(status="draft") == []
    for bad in (
        {"major_prefix": "4"},
        {"major_prefix": "4%"},
        {"enterprise_id": 2**31},
        {"level": "x"},
        {"status": "gone"},
        {"limit": 201},
        {"district_code": "1; drop"},
    ):
        assert_problem(client.get(DEMANDS, params=bad), 422)
    for bad_id in ("0", str(2**31), "abc"):
        assert_problem(client.get(f"{DEMANDS}/{bad_id}"), 422)


def test_a_suspended_enterprise_cannot_write(client, db):
    enterprise, headers = org_headers(client, db)
    demand = post_demand(client, headers)
    from app.core.db import transaction
    from app.models import Organization

    with transaction(db) as session:
        session.get(Organization, enterprise.id).status = OrgStatus.suspended
    problem = client.patch(f"{DEMANDS}/{demand['id']}", json={"headcount": 2}, headers=headers)
    assert_problem(problem, 403)


def test_member_users_write_too(client, db):
    enterprise, _ = org_headers(client, db)
    member = login(client, make_user(db, enterprise, role="member"))
    assert post_demand(client, member)["enterprise_id"] == enterprise.id
    assert OrgType.enterprise == enterprise.org_type


@pytest.mark.parametrize("field", ["title", "major_codes", "headcount", "valid_until", "kind"])
def test_update_cannot_null_a_required_field(client, db, field):
    _, headers = org_headers(client, db)
    demand = post_demand(client, headers)
    response = client.patch(f"{DEMANDS}/{demand['id']}", json={field: None}, headers=headers)
    assert_problem(response, 422)


def test_update_null_list_means_empty(client, db):
    _, headers = org_headers(client, db)
    demand = post_demand(client, headers, levels=["higher"])
    response = client.patch(f"{DEMANDS}/{demand['id']}", json={"levels": None}, headers=headers)
    assert response.status_code == 200 and response.json()["levels"] == []


def test_closing_a_draft_never_makes_it_public(client, db):
    """A draft closed before it was opened stays the enterprise's own: other callers do not
    read it in the event feed (as GET answers them 404), the owner does."""
    _enterprise, headers = org_headers(client, db)
    _other, other_headers = org_headers(client, db)
    draft = post_demand(client, headers, open_=False, title="秘密草稿需求")
    closed = client.post(
        f"{DEMANDS}/{draft['id']}/close", json={"close_reason": "cancelled"}, headers=headers
    )
    assert closed.status_code == 200, closed.text
    assert_problem(client.get(f"{DEMANDS}/{draft['id']}", headers=other_headers), 404)
    seen_by_other = client.get("/api/v1/events", headers=other_headers).json()["items"]
    assert all(e["resource"]["id"] != draft["id"] for e in seen_by_other), seen_by_other
    own = client.get("/api/v1/events", headers=headers).json()["items"]
    assert [e["type"] for e in own if e["resource"]["id"] == draft["id"]] == ["demand.closed"]


def test_a_demand_without_validity_or_place_takes_the_documented_defaults(client, db, freeze_clock):
    """`valid_until` left out: DEMAND_DEFAULT_VALIDITY_DAYS (90) days after today in the
    business time zone; `district_code` left out: the enterprise's, stored and read back."""
    freeze_clock("2027-06-30T16:30:00Z")  # already 2027-07-01 in Shanghai
    enterprise, headers = org_headers(client, db, district_code="371003")
    body = demand_body()
    del body["valid_until"]
    created = client.post(DEMANDS, json=body, headers=headers)
    assert created.status_code == 201, created.text
    demand = created.json()
    assert demand["valid_until"] == "2027-09-29"  # 2027-07-01 + 90 days
    assert demand["district_code"] == "371003"
    again = client.get(f"{DEMANDS}/{demand['id']}", headers=headers).json()
    assert (again["valid_until"], again["district_code"]) == ("2027-09-29", "371003")
    listed = client.get(DEMANDS, params={"district_code": "371003"}, headers=headers).json()
    assert [d["id"] for d in listed["items"]] == [demand["id"]]
    with db() as session:
        assert session.get(Demand, demand["id"]).district_code == "371003"
    # An explicit null is the same as leaving it out; a named place and day are kept.
    named = client.post(
        DEMANDS, json=demand_body(valid_until=None, external_id="E-2"), headers=headers
    ).json()
    assert named["valid_until"] == "2027-09-29" and named["district_code"] == "371003"
    chosen = demand_body(valid_until="2027-08-01", district_code="371002", external_id="E-3")
    kept = client.post(DEMANDS, json=chosen, headers=headers).json()
    assert (kept["valid_until"], kept["district_code"]) == ("2027-08-01", "371002")
    assert_problem(
        client.post(DEMANDS, json=demand_body(valid_until="2027-06-30"), headers=headers), 422
    )


def test_the_default_validity_is_configurable(database_url, freeze_clock):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.conftest import settings_for

    freeze_clock("2027-01-10T12:00:00+08:00")
    app = create_app(settings_for(database_url, demand_default_validity_days=30))
    try:
        with TestClient(app) as client:
            enterprise = make_org(app.state.sessionmaker, OrgType.enterprise)
            headers = key_headers(app.state.sessionmaker, enterprise)
            body = demand_body(external_id="CFG-1")
            del body["valid_until"]
            created = client.post(DEMANDS, json=body, headers=headers)
            assert created.status_code == 201, created.text
            assert created.json()["valid_until"] == "2027-02-09"
    finally:
        app.state.engine.dispose()

"""Trainings: the workflow, who may do what, validation, seat accounting, completion,
events, the college indicator, and the seat limit under concurrent enrolments."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

import pytest
from sqlalchemy import select, update

from app.core import clock
from app.models import AuditEvent, Event, Training, TrainingEnrollment
from app.models.enums import Department, OrgStatus, OrgType, Role
from tests.factories import (
    assert_problem,
    key_headers,
    login,
    make_admin,
    make_department,
    make_org,
    make_user,
    post_demand,
    post_training,
    training_body,
)
from tests.live_server import reseat_race, seat_race, serving

TRAININGS = "/api/v1/trainings"


def org_key(db, org_type: OrgType = OrgType.college, **overrides: Any):
    org = make_org(db, org_type, **overrides)
    return org, key_headers(db, org)


def department_key(db, department: Department):
    org = make_department(db, department)
    return org, key_headers(db, org)


def enrol(client, training_id: int, college, headers, seats: int = 1):
    body = {"college_id": college.id, "seats": seats}
    return client.post(f"{TRAININGS}/{training_id}/enrollments", json=body, headers=headers)


def started(db, training_id: int) -> None:
    """Move the training's start into the past (it cannot be created so)."""
    with db() as session, session.begin():
        session.execute(
            update(Training)
            .where(Training.id == training_id)
            .values(start_at=clock.now() - timedelta(hours=1))
        )


def events(db) -> list[tuple[str, bool, int | None]]:
    with db() as session:
        rows = session.execute(
            select(Event.type, Event.public, Event.organization_id).order_by(Event.id)
        )
        return [tuple(r) for r in rows]


# The workflow -------------------------------------------------------------------------


def test_create_read_list_change_and_cancel(client, db):
    hr, headers = department_key(db, Department.hr)
    created = client.post(TRAININGS, json=training_body(capacity=30), headers=headers)
    assert created.status_code == 201, created.text
    training = created.json()
    assert training["owner_organization_id"] == hr.id and training["status"] == "scheduled"
    assert (training["capacity"], training["seats_taken"], training["seats_available"]) == (
        30,
        0,
        30,
    )
    assert training["demand_id"] is None and training["enterprise_id"] is None
    assert training["start_at"].endswith("Z") or "+00:00" in training["start_at"]
    # Public at once: anonymous callers read and list it.
    url = f"{TRAININGS}/{training['id']}"
    assert client.get(url).json() == training
    assert [t["id"] for t in client.get(TRAININGS).json()["items"]] == [training["id"]]

    changed = client.patch(url, json={"title": "岗前安全培训", "capacity": 25}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "岗前安全培训" and changed.json()["capacity"] == 25
    # An unchanged PATCH changes nothing and announces nothing.
    assert client.patch(url, json={"capacity": 25}, headers=headers).status_code == 200

    cancelled = client.post(f"{url}/cancel", json={"reason": "场地调整"}, headers=headers)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_at"]
    assert cancelled.json()["cancel_reason"] == "场地调整"
    # Cancelled trainings stay readable, and take no more changes.
    assert client.get(url).json()["status"] == "cancelled"
    assert_problem(client.post(f"{url}/cancel", headers=headers), 409, "already_cancelled")
    assert_problem(client.patch(url, json={"title": "再改"}, headers=headers), 409)
    college, college_h = org_key(db)
    assert_problem(enrol(client, training["id"], college, college_h), 409, "training_cancelled")

    assert events(db) == [
        ("training.created", True, hr.id),
        ("training.updated", True, hr.id),
        ("training.cancelled", True, hr.id),
    ]
    with db() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        data = session.scalars(select(Event.data).order_by(Event.id.desc())).first()
    assert actions == ["training.create", "training.update", "training.cancel"]
    assert data == client.get(url).json()


def test_cancel_without_a_body(client, db):
    _, headers = department_key(db, Department.education)
    training = post_training(client, headers)
    response = client.post(f"{TRAININGS}/{training['id']}/cancel", headers=headers)
    assert response.status_code == 200 and response.json()["cancel_reason"] is None


# Who may create, link a demand, change ----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (Department.hr, 201),
        (Department.education, 201),
        (OrgType.college, 201),
        (Department.tech, 403),
        (Department.industry, 403),
        (Department.finance, 403),
        (OrgType.training_institution, 403),
        (OrgType.enterprise, 422),  # may, for its own demand only: demand_id is missing
    ],
)
def test_who_may_create(client, db, who, status):
    if isinstance(who, Department):
        _, headers = department_key(db, who)
    else:
        _, headers = org_key(db, who)
    response = client.post(TRAININGS, json=training_body(), headers=headers)
    assert response.status_code == status, response.text


def test_anonymous_pending_and_admins_may_not_create(client, db):
    assert_problem(client.post(TRAININGS, json=training_body()), 401)
    _, pending = org_key(db, status=OrgStatus.pending, approved_at=None)
    response = client.post(TRAININGS, json=training_body(), headers=pending)
    assert_problem(response, 403, "organization_not_approved")
    # A training belongs to an organisation; a platform admin has none.
    admin = login(client, make_admin(db))
    assert_problem(client.post(TRAININGS, json=training_body(), headers=admin), 403)


def test_an_enterprise_links_its_own_demand(client, db):
    enterprise, headers = org_key(db, OrgType.enterprise)
    demand = post_demand(client, headers, kind="pre_job_training")
    training = post_training(client, headers, demand_id=demand["id"])
    assert training["enterprise_id"] == enterprise.id and training["demand_id"] == demand["id"]
    assert training["owner_organization_id"] == enterprise.id

    # Another enterprise's open demand is visible, but not its to link.
    _, other = org_key(db, OrgType.enterprise)
    response = client.post(TRAININGS, json=training_body(demand_id=demand["id"]), headers=other)
    assert_problem(response, 403)
    # Its own draft: not while it is a draft (trainings are public).
    draft = post_demand(client, headers, open_=False)
    body = assert_problem(
        client.post(TRAININGS, json=training_body(demand_id=draft["id"]), headers=headers), 422
    )
    assert body["errors"][0]["loc"] == ["body", "demand_id"]
    # A wrong enterprise_id next to the demand.
    response = client.post(
        TRAININGS,
        json=training_body(demand_id=demand["id"], enterprise_id=enterprise.id + 1000),
        headers=headers,
    )
    assert ["body", "enterprise_id"] in [e["loc"] for e in assert_problem(response, 422)["errors"]]


def test_others_link_demands_they_see(client, db):
    enterprise, owner = org_key(db, OrgType.enterprise)
    demand = post_demand(client, owner)
    draft = post_demand(client, owner, open_=False)
    _, hr = department_key(db, Department.hr)
    _, college = org_key(db)
    for headers in (hr, college):
        training = post_training(client, headers, demand_id=demand["id"])
        assert training["enterprise_id"] == enterprise.id
        # Another's draft is not found, as the demand itself would not be.
        for missing in (draft["id"], 2**31 - 1):
            response = client.post(
                TRAININGS, json=training_body(demand_id=missing), headers=headers
            )
            body = assert_problem(response, 422)
            assert body["errors"][0]["type"] == "unknown_reference"
    # Without a demand, the enterprise must be an approved enterprise.
    training = post_training(client, hr, enterprise_id=enterprise.id)
    assert training["enterprise_id"] == enterprise.id
    not_enterprise, _ = org_key(db)
    for enterprise_id in (not_enterprise.id, 2**31 - 1):
        response = client.post(
            TRAININGS, json=training_body(enterprise_id=enterprise_id), headers=hr
        )
        assert assert_problem(response, 422)["errors"][0]["loc"] == ["body", "enterprise_id"]


def test_who_may_change_and_cancel(client, db):
    college, owner = org_key(db)
    training = post_training(client, owner)
    url = f"{TRAININGS}/{training['id']}"
    _, other_college = org_key(db)
    _, hr = department_key(db, Department.hr)
    _, enterprise = org_key(db, OrgType.enterprise)
    for headers in (other_college, hr, enterprise):
        assert_problem(client.patch(url, json={"title": "别人改"}, headers=headers), 403)
        assert_problem(client.post(f"{url}/cancel", headers=headers), 403)
    assert_problem(client.patch(url, json={"title": "匿名改"}), 401)
    assert_problem(client.post(f"{url}/cancel"), 401)
    admin = login(client, make_admin(db))
    assert client.patch(url, json={"title": "平台改"}, headers=admin).status_code == 200
    for bad in ("0", "2147483648", "x"):
        assert_problem(client.patch(f"{TRAININGS}/{bad}", json={}, headers=owner), 422)
        assert_problem(client.get(f"{TRAININGS}/{bad}"), 422)
    assert_problem(client.patch(f"{TRAININGS}/2147483647", json={}, headers=owner), 404)
    assert_problem(client.get(f"{TRAININGS}/2147483647"), 404)
    assert_problem(client.post(f"{TRAININGS}/2147483647/cancel", headers=owner), 404)
    assert client.post(f"{url}/cancel", headers=admin).status_code == 200


# Validation --------------------------------------------------------------------------

LATER = (clock.now() + timedelta(days=60)).replace(microsecond=0)


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"end_at": LATER.isoformat(), "start_at": (LATER + timedelta(hours=1)).isoformat()},
         ["body", "end_at"]),
        ({"end_at": LATER.isoformat(), "start_at": LATER.isoformat()}, ["body", "end_at"]),
        ({"start_at": LATER.isoformat(), "end_at": (LATER + timedelta(days=400)).isoformat()},
         ["body", "end_at"]),
        ({"start_at": (clock.now() - timedelta(days=1)).isoformat()}, ["body", "start_at"]),
        ({"start_at": "2027-03-01T09:00:00"}, ["body", "start_at"]),  # no offset
        ({"start_at": "2027-03-01"}, ["body", "start_at"]),
        ({"end_at": "9999-12-31T23:59:59+08:00"}, ["body", "end_at"]),
        ({"start_at": "0001-01-01T00:00:00+08:00"}, ["body", "start_at"]),
        ({"capacity": 0}, ["body", "capacity"]),
        ({"capacity": 10_001}, ["body", "capacity"]),
        ({"capacity": 2**63}, ["body", "capacity"]),
        ({"capacity": "many"}, ["body", "capacity"]),
        ({"district_code": "999999"}, ["body", "district_code"]),
        ({"district_code": "370000"}, ["body", "district_code"]),  # the province, not Weihai
        ({"district_code": "abc"}, ["body", "district_code"]),
        ({"title": " "}, ["body", "title"]),
        ({"title": "x" * 201}, ["body", "title"]),
        ({"title": "岗前\x00培训"}, ["body", "title"]),
        ({"demand_id": 0}, ["body", "demand_id"]),
        ({"demand_id": 2**31}, ["body", "demand_id"]),
        ({"enterprise_id": -1}, ["body", "enterprise_id"]),
        ({"seats_taken": 5}, ["body", "seats_taken"]),
        ({"status": "cancelled"}, ["body", "status"]),
    ],
)  # fmt: skip
def test_every_field_is_validated(client, db, overrides, loc):
    _, headers = department_key(db, Department.hr)
    response = client.post(TRAININGS, json=training_body(**overrides), headers=headers)
    body = assert_problem(response, 422, "validation_error")
    assert loc in [e["loc"] for e in body["errors"]], body["errors"]


def test_changes_are_validated(client, db):
    _, headers = department_key(db, Department.hr)
    training = post_training(client, headers)
    url = f"{TRAININGS}/{training['id']}"
    start = training["start_at"]
    for patch, loc in [
        ({"end_at": start}, ["body", "end_at"]),
        ({"start_at": training["end_at"]}, ["body", "end_at"]),
        ({"title": None}, ["body", "title"]),
        ({"capacity": None}, ["body", "capacity"]),
        ({"capacity": 10_001}, ["body", "capacity"]),
        ({"district_code": "371099"}, ["body", "district_code"]),
        ({"start_at": "2020-01-01T00:00:00+08:00"}, ["body", "start_at"]),
        ({"demand_id": 1}, ["body", "demand_id"]),
    ]:
        body = assert_problem(client.patch(url, json=patch, headers=headers), 422)
        assert loc in [e["loc"] for e in body["errors"]], (patch, body["errors"])
    assert client.get(url).json() == training


# Enrolments and seats ------------------------------------------------------------------


def test_seat_accounting(client, db):
    owner, owner_h = department_key(db, Department.hr)
    training = post_training(client, owner_h, capacity=5)
    tid = training["id"]
    a, a_h = org_key(db)
    b, b_h = org_key(db)

    first = enrol(client, tid, a, a_h, seats=3)
    assert first.status_code == 201, first.text
    enrollment = first.json()
    assert (enrollment["college_id"], enrollment["seats"]) == (a.id, 3)
    assert enrollment["training_id"] == tid and enrollment["completed"] is None
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 3

    body = assert_problem(enrol(client, tid, b, b_h, seats=3), 409, "training_full")
    assert "仅剩 2 个" in body["detail"]
    assert enrol(client, tid, b, b_h, seats=2).status_code == 201
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_available"] == 0
    # One enrolment per college and training.
    again = assert_problem(enrol(client, tid, a, a_h, seats=1), 409, "already_enrolled")
    assert again["existing_id"] == enrollment["id"]
    assert f"报名记录 {enrollment['id']}" in again["detail"]
    # The capacity cannot go below what is taken; exactly that is fine.
    url = f"{TRAININGS}/{tid}"
    patch = client.patch(url, json={"capacity": 4}, headers=owner_h)
    assert_problem(patch, 409, "capacity_below_seats_taken")
    assert client.patch(url, json={"capacity": 5}, headers=owner_h).status_code == 200

    # Release, and enrol again with another number.
    released = client.delete(f"{url}/enrollments/{enrollment['id']}", headers=a_h)
    assert released.status_code == 204 and released.content == b""
    assert client.get(url).json()["seats_taken"] == 2
    assert_problem(client.delete(f"{url}/enrollments/{enrollment['id']}", headers=a_h), 404)
    assert enrol(client, tid, a, a_h, seats=3).status_code == 201
    assert client.get(url).json()["seats_taken"] == 5
    assert client.patch(url, json={"capacity": 10}, headers=owner_h).json()["seats_available"] == 5

    with db() as session:
        assert session.scalar(select(Training.seats_taken).where(Training.id == tid)) == 5
        rows = session.execute(select(TrainingEnrollment.college_id, TrainingEnrollment.seats))
        assert sorted(rows.all()) == sorted([(a.id, 3), (b.id, 2)])
    # The enrolment events go to the training's owner only, with the enrolment.
    enrolment_events = [e for e in events(db) if e[0] in ("training.enrolled", "training.released")]
    assert enrolment_events == [
        ("training.enrolled", False, owner.id),
        ("training.enrolled", False, owner.id),
        ("training.released", False, owner.id),
        ("training.enrolled", False, owner.id),
    ]
    with db() as session:
        data = session.scalars(select(Event.data).where(Event.type == "training.released")).one()
    assert data["id"] == tid and data["seats_taken"] == 2
    assert data["enrollment"]["id"] == enrollment["id"] and data["enrollment"]["seats"] == 3


def test_who_may_enrol(client, db):
    _, owner = department_key(db, Department.education)
    training = post_training(client, owner, capacity=5)
    tid = training["id"]
    college, college_h = org_key(db)
    other, _ = org_key(db)
    enterprise, enterprise_h = org_key(db, OrgType.enterprise)
    hr, hr_h = department_key(db, Department.hr)
    pending, pending_h = org_key(db, status=OrgStatus.pending, approved_at=None)

    assert_problem(enrol(client, tid, college, {}), 401)
    assert_problem(enrol(client, tid, other, college_h), 403)  # another college's id
    assert_problem(enrol(client, tid, enterprise, enterprise_h), 403)
    assert_problem(enrol(client, tid, hr, hr_h), 403)
    assert_problem(enrol(client, tid, pending, pending_h), 403, "organization_not_approved")
    admin = login(client, make_admin(db))
    assert_problem(enrol(client, tid, college, admin), 403)
    for seats in (0, 6, 10_001, 2**40):
        assert_problem(enrol(client, tid, college, college_h, seats=seats), 422)
    url = f"{TRAININGS}/{tid}/enrollments"
    for body in ({}, {"college_id": college.id}, {"seats": 1}, {"college_id": 0, "seats": 1},
                 {"college_id": college.id, "seats": 1, "completed": 1}):  # fmt: skip
        assert_problem(client.post(url, json=body, headers=college_h), 422)
    assert_problem(enrol(client, 2**31 - 1, college, college_h), 404)
    assert_problem(enrol(client, 0, college, college_h), 422)
    # Once the training starts, enrolments no longer change.
    enrollment = enrol(client, tid, college, college_h).json()
    started(db, tid)
    later, later_h = org_key(db)
    assert_problem(enrol(client, tid, later, later_h), 409, "training_started")
    release = client.delete(f"{url}/{enrollment['id']}", headers=college_h)
    assert_problem(release, 409, "training_started")
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 1


def test_who_may_release(client, db):
    _, owner = department_key(db, Department.hr)
    tid = post_training(client, owner)["id"]
    other_tid = post_training(client, owner)["id"]
    college, college_h = org_key(db)
    _, other_h = org_key(db)
    eid = enrol(client, tid, college, college_h, seats=2).json()["id"]
    url = f"{TRAININGS}/{tid}/enrollments/{eid}"
    assert_problem(client.delete(url), 401)
    # Another college does not see the enrolment; its owner and an admin see it, unchanged.
    assert_problem(client.delete(url, headers=other_h), 404)
    for headers in (owner, login(client, make_admin(db))):
        assert_problem(client.delete(url, headers=headers), 403)
    # An enrolment is found through its own training only.
    assert_problem(
        client.delete(f"{TRAININGS}/{other_tid}/enrollments/{eid}", headers=college_h), 404
    )
    assert_problem(client.delete(f"{TRAININGS}/{tid}/enrollments/0", headers=college_h), 422)
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 2
    assert client.delete(url, headers=college_h).status_code == 204


def change(client, training_id: int, enrollment_id: int, headers, seats: Any):
    url = f"{TRAININGS}/{training_id}/enrollments/{enrollment_id}"
    return client.patch(url, json={"seats": seats}, headers=headers)


def test_a_college_changes_its_seats_up_and_down(client, db):
    owner, owner_h = department_key(db, Department.hr)
    tid = post_training(client, owner_h, capacity=10)["id"]
    a, a_h = org_key(db)
    b, b_h = org_key(db)
    mine = enrol(client, tid, a, a_h, seats=3).json()["id"]
    theirs = enrol(client, tid, b, b_h, seats=5).json()["id"]

    def taken() -> int:
        return client.get(f"{TRAININGS}/{tid}").json()["seats_taken"]

    up = change(client, tid, mine, a_h, 5)
    assert up.status_code == 200, up.text
    assert (up.json()["id"], up.json()["seats"], taken()) == (mine, 5, 10)
    body = assert_problem(change(client, tid, mine, a_h, 6), 409, "training_full")
    assert "仅剩 0 个" in body["detail"]
    # more than the training has in all is a bad request, as when enrolling
    beyond = assert_problem(change(client, tid, mine, a_h, 11), 422)
    assert beyond["errors"][0]["loc"] == ["body", "seats"] and "共有 10 个名额" in beyond["detail"]
    assert change(client, tid, theirs, b_h, 2).json()["seats"] == 2
    assert taken() == 7
    assert change(client, tid, mine, a_h, 6).json()["seats"] == 6
    assert change(client, tid, mine, a_h, 6).json()["seats"] == 6  # the same: no change
    assert taken() == 8
    with db() as session:
        assert session.scalar(select(Training.seats_taken).where(Training.id == tid)) == 8
        rows = session.execute(select(TrainingEnrollment.college_id, TrainingEnrollment.seats))
        assert sorted(rows.all()) == sorted([(a.id, 6), (b.id, 2)])
        data = session.scalars(
            select(Event.data).where(Event.type == "training.seats_changed").order_by(Event.id)
        ).all()
        audits = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "training.change_seats")
        ).all()
    changes = [e for e in events(db) if e[0] == "training.seats_changed"]
    assert changes == [("training.seats_changed", False, owner.id)] * 4
    assert [(d["seats_taken"], d["enrollment"]["seats"]) for d in data] == [
        (10, 5), (7, 2), (8, 6), (8, 6)
    ]  # fmt: skip
    assert audits[0] == {"enrollment_id": mine, "seats": [3, 5]}


def test_changing_seats_refuses_bad_input(client, db):
    _, owner = department_key(db, Department.hr)
    tid = post_training(client, owner, capacity=10)["id"]
    other_tid = post_training(client, owner)["id"]
    college, college_h = org_key(db)
    eid = enrol(client, tid, college, college_h, seats=2).json()["id"]
    for seats in (0, -1, True, False, 1.5, "three", None, 10_001, 2**40):
        problem = assert_problem(change(client, tid, eid, college_h, seats), 422)
        assert problem["errors"][0]["loc"] == ["body", "seats"], seats
    url = f"{TRAININGS}/{tid}/enrollments/{eid}"
    for body in ({}, {"seats": 2, "college_id": college.id}, [2]):
        assert_problem(client.patch(url, json=body, headers=college_h), 422)
    assert_problem(change(client, other_tid, eid, college_h, 3), 404)  # not its training
    assert_problem(change(client, tid, 2**31 - 1, college_h, 3), 404)
    assert_problem(change(client, tid, 0, college_h, 3), 422)
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 2


def test_who_may_change_seats(client, db):
    _, owner = department_key(db, Department.education)
    tid = post_training(client, owner, capacity=10)["id"]
    college, college_h = org_key(db)
    _, other_h = org_key(db)
    _, enterprise_h = org_key(db, OrgType.enterprise)
    eid = enrol(client, tid, college, college_h, seats=2).json()["id"]
    assert_problem(change(client, tid, eid, {}, 3), 401)
    admin = login(client, make_admin(db))
    # Another college's enrolment is hidden (404); who sees it but did not enrol: 403.
    assert_problem(change(client, tid, eid, other_h, 3), 404)
    for headers in (enterprise_h, owner, admin):
        assert_problem(change(client, tid, eid, headers, 3), 403)
    member = login(client, make_user(db, college, Role.member))
    assert change(client, tid, eid, member, 3).status_code == 200
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 3
    # Not once the training has started, nor after it was cancelled.
    started(db, tid)
    assert_problem(change(client, tid, eid, college_h, 1), 409, "training_started")
    cancelled = post_training(client, owner)["id"]
    other_eid = enrol(client, cancelled, college, college_h).json()["id"]
    assert client.post(f"{TRAININGS}/{cancelled}/cancel", headers=owner).status_code == 200
    assert_problem(change(client, cancelled, other_eid, college_h, 2), 409, "training_cancelled")
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 3


def test_who_sees_the_enrolments(client, db):
    owner_org, owner = org_key(db, OrgType.enterprise)
    demand = post_demand(client, owner)
    tid = post_training(client, owner, demand_id=demand["id"])["id"]
    a, a_h = org_key(db)
    b, b_h = org_key(db)
    _, c_h = org_key(db)
    enrol(client, tid, a, a_h, seats=2)
    enrol(client, tid, b, b_h, seats=1)
    url = f"{TRAININGS}/{tid}/enrollments"

    def colleges(headers: dict[str, str]) -> list[int]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.text
        return [e["college_id"] for e in response.json()["items"]]

    everyone = [a.id, b.id]
    assert colleges(owner) == everyone
    for department in (Department.hr, Department.education):
        assert colleges(department_key(db, department)[1]) == everyone
    assert colleges(login(client, make_admin(db))) == everyone
    assert colleges(a_h) == [a.id] and colleges(b_h) == [b.id] and colleges(c_h) == []
    for forbidden in (
        org_key(db, OrgType.enterprise)[1],
        department_key(db, Department.tech)[1],
        department_key(db, Department.industry)[1],
        org_key(db, OrgType.training_institution)[1],
    ):
        assert_problem(client.get(url, headers=forbidden), 403)
    assert_problem(client.get(url), 401)
    assert_problem(client.get(f"{TRAININGS}/2147483647/enrollments", headers=owner), 404)
    assert_problem(client.get(url, params={"limit": 201}, headers=owner), 422)
    assert client.get(url, params={"limit": 1}, headers=owner).json()["total"] == 2


def test_completion(client, db):
    owner_org, owner = department_key(db, Department.hr)
    tid = post_training(client, owner)["id"]
    college, college_h = org_key(db)
    _, other_h = org_key(db)
    eid = enrol(client, tid, college, college_h, seats=4).json()["id"]
    url = f"{TRAININGS}/{tid}/enrollments/{eid}/completion"
    body = {"completed": 3}
    assert_problem(client.post(url, json=body, headers=owner), 409, "training_not_started")
    started(db, tid)

    assert_problem(client.post(url, json=body), 401)
    assert_problem(client.post(url, json=body, headers=other_h), 404)  # not its enrolment
    education = department_key(db, Department.education)[1]  # sees it, may not record it
    assert_problem(client.post(url, json=body, headers=education), 403)
    for bad in (
        {"completed": 5},
        {"completed": -1},
        {"completed": 2**40},
        {},
        {"completed": "three"},
    ):
        response = client.post(url, json=bad, headers=owner)
        assert_problem(response, 422)
    assert_problem(
        client.post(
            f"{TRAININGS}/{tid}/enrollments/2147483647/completion", json=body, headers=owner
        ),
        404,
    )

    recorded = client.post(url, json=body, headers=owner)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["completed"] == 3 and recorded.json()["completed_at"]
    # The college may record it too; the new number replaces the old.
    assert client.post(url, json={"completed": 4}, headers=college_h).json()["completed"] == 4
    listed = client.get(f"{TRAININGS}/{tid}/enrollments", headers=college_h).json()
    assert listed["items"][0]["completed"] == 4
    # News for the other side each time.
    completed = [e for e in events(db) if e[0] == "training.completed"]
    assert completed == [
        ("training.completed", False, college.id),
        ("training.completed", False, owner_org.id),
    ]
    with db() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "training.complete")
        ).all()
    assert len(actions) == 2


# Lists ---------------------------------------------------------------------------------


def test_list_filters(client, db):
    enterprise, owner = org_key(db, OrgType.enterprise)
    demand = post_demand(client, owner)
    _, hr = department_key(db, Department.hr)
    soon = (clock.now() + timedelta(days=10)).replace(microsecond=0)
    late = soon + timedelta(days=40)
    a = post_training(
        client, owner, demand_id=demand["id"], title="焊接岗前培训", start_at=soon.isoformat(),
        end_at=(soon + timedelta(days=1)).isoformat(),
    )  # fmt: skip
    b = post_training(
        client, hr, title="数控岗前培训", district_code="371003", start_at=late.isoformat(),
        end_at=(late + timedelta(days=1)).isoformat(),
    )  # fmt: skip
    middle = soon + timedelta(days=5)
    c = post_training(
        client, hr, title="电工培训_100%", start_at=middle.isoformat(),
        end_at=(middle + timedelta(days=1)).isoformat(),
    )  # fmt: skip
    client.post(f"{TRAININGS}/{c['id']}/cancel", headers=hr)

    def ids(**params: Any) -> list[int]:
        response = client.get(TRAININGS, params=params)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert ids() == [a["id"], c["id"], b["id"]]  # soonest start first
    assert ids(demand_id=demand["id"]) == [a["id"]]
    assert ids(enterprise_id=enterprise.id) == [a["id"]]
    assert ids(district_code="371003") == [b["id"]]
    assert ids(status="scheduled") == [a["id"], b["id"]]
    assert ids(status="cancelled") == [c["id"]]
    assert ids(starts_after=middle.isoformat()) == [c["id"], b["id"]]
    assert ids(starts_before=middle.isoformat()) == [a["id"]]
    assert ids(starts_after=soon.isoformat(), starts_before=late.isoformat()) == [a["id"], c["id"]]
    assert ids(q="岗前") == [a["id"], b["id"]]
    assert ids(q="_100%") == [c["id"]] and ids(q="%") == [c["id"]]
    assert ids(limit=1, offset=1) == [c["id"]]
    for bad in (
        {"demand_id": 0},
        {"enterprise_id": 2**31},
        {"district_code": "abc"},
        {"status": "open"},
        {"starts_after": "2027-01-01T00:00:00"},  # no offset
        {"starts_before": "0001-01-01T00:00:00+08:00"},
        {"starts_after": "tomorrow"},
        {"q": ""},
        {"q": "x" * 101},
        {"q": "岗\x01前"},
        {"limit": 0},
        {"offset": -1},
    ):
        assert_problem(client.get(TRAININGS, params=bad), 422)


# The college indicator -----------------------------------------------------------------


def test_college_indicator_counts_training_seats(client, db):
    _, owner = department_key(db, Department.hr)
    college, college_h = org_key(db)
    first, second, dropped = (post_training(client, owner)["id"] for _ in range(3))
    e1 = enrol(client, first, college, college_h, seats=4).json()["id"]
    enrol(client, second, college, college_h, seats=2)
    enrol(client, dropped, college, college_h, seats=5)
    client.post(f"{TRAININGS}/{dropped}/cancel", headers=owner)
    started(db, first)
    url = f"{TRAININGS}/{first}/enrollments/{e1}/completion"
    assert client.post(url, json={"completed": 3}, headers=owner).status_code == 200

    result = client.get(f"/api/v1/analytics/colleges/{college.id}", headers=college_h)
    assert result.status_code == 200, result.text
    data = result.json()
    assert data["trainings_enrolled"] == 2  # the cancelled one is not counted
    assert (data["training_seats"], data["training_seats_completed"]) == (6, 3)
    other, other_h = org_key(db)
    empty = client.get(f"/api/v1/analytics/colleges/{other.id}", headers=other_h).json()
    assert (empty["trainings_enrolled"], empty["training_seats"]) == (0, 0)


# Concurrency ------------------------------------------------------------------------------


def test_concurrent_enrolments_never_exceed_capacity(client, db):
    """60 colleges ask for a seat each at once, through the app in-process (both backends)."""
    _, owner = department_key(db, Department.hr)
    tid = post_training(client, owner, capacity=20)["id"]
    colleges = [org_key(db) for _ in range(60)]
    barrier = Barrier(len(colleges))

    def ask(college_and_headers: tuple[Any, dict[str, str]]) -> tuple[int, str | None]:
        college, headers = college_and_headers
        barrier.wait()
        response = enrol(client, tid, college, headers)
        return response.status_code, response.json().get("code")

    with ThreadPoolExecutor(max_workers=len(colleges)) as pool:
        answers = list(pool.map(ask, colleges))
    assert answers.count((201, None)) == 20, answers
    assert answers.count((409, "training_full")) == 40, answers
    with db() as session:
        assert session.scalar(select(Training.seats_taken).where(Training.id == tid)) == 20
        count = session.scalars(select(TrainingEnrollment.id)).all()
    assert len(count) == 20


def test_one_college_enrols_and_releases_once_however_often_it_asks(client, db):
    """Retries at once: one enrolment (the others 409 `already_enrolled`), one release."""
    _, owner = department_key(db, Department.hr)
    tid = post_training(client, owner, capacity=20)["id"]
    college, headers = org_key(db)
    barrier = Barrier(10)

    def at_once(call: Any) -> Any:
        def run(_n: int) -> Any:
            barrier.wait()
            return call()

        with ThreadPoolExecutor(max_workers=10) as pool:
            return list(pool.map(run, range(10)))

    answers = at_once(lambda: enrol(client, tid, college, headers, seats=2))
    codes = sorted((r.status_code, r.json().get("code")) for r in answers)
    assert codes == [(201, None)] + [(409, "already_enrolled")] * 9, codes
    eid = next(r.json()["id"] for r in answers if r.status_code == 201)
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 2

    url = f"{TRAININGS}/{tid}/enrollments/{eid}"
    statuses = sorted(r.status_code for r in at_once(lambda: client.delete(url, headers=headers)))
    assert statuses == [204] + [404] * 9
    assert client.get(f"{TRAININGS}/{tid}").json()["seats_taken"] == 0


def test_a_live_server_on_sqlite_keeps_the_seat_limit(database_url, tmp_path):
    """60 colleges ask for the last 20 seats at once over HTTP, one server on an SQLite file:
    exactly 20 get one, the others are told it is full; nothing fails or times out."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL run is in test_multiprocess.py (two processes)")
    url = f"sqlite:///{tmp_path / 'live.db'}"
    log = tmp_path / "serve.log"
    with serving(url, log) as base:
        race = seat_race(base, url, colleges=60, capacity=20)
    assert race.answers.count((201, None)) == 20, race.answers
    assert race.answers.count((409, "training_full")) == 40, race.answers
    assert (race.seats_taken, race.enrollments) == (20, 20)
    assert "database is locked" not in log.read_text()
    assert " 500 " not in log.read_text()


def test_concurrent_seat_changes_never_overbook(database_url, tmp_path):
    """Over HTTP, all at once: 5 colleges give seats back while 5 others ask for more of a
    full training. Every decrease is served; an increase only when the seats it needs were
    freed already, so the stored count always equals the enrolments' seats and never
    exceeds the capacity (on PostgreSQL with two server processes)."""
    on_sqlite = database_url.startswith("sqlite")
    url = f"sqlite:///{tmp_path / 'live.db'}" if on_sqlite else database_url
    with serving(url, tmp_path / "serve.log", workers=1 if on_sqlite else 2) as base:
        race = reseat_race(base, url, capacity=20, held=[2] * 10, wanted=[1] * 5 + [4] * 5)
    downs, ups = race.answers[:5], race.answers[5:]
    assert downs == [(200, None)] * 5, race.answers
    won = ups.count((200, None))
    assert won + ups.count((409, "training_full")) == 5, race.answers
    assert won <= 2  # 5 seats freed, 2 wanted by each
    assert race.seats_taken == race.enrolled_seats == 20 - 5 + 2 * won
    assert " 500 " not in (tmp_path / "serve.log").read_text()


def test_openapi_documents_the_trainings(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get", "post"} <= paths[TRAININGS].keys()
    assert {"get", "patch"} <= paths[f"{TRAININGS}/{{training_id}}"].keys()
    assert "post" in paths[f"{TRAININGS}/{{training_id}}/cancel"]
    assert {"get", "post"} <= paths[f"{TRAININGS}/{{training_id}}/enrollments"].keys()
    assert "delete" in paths[f"{TRAININGS}/{{training_id}}/enrollments/{{enrollment_id}}"]
    completion = f"{TRAININGS}/{{training_id}}/enrollments/{{enrollment_id}}/completion"
    assert "post" in paths[completion]
    one = f"{TRAININGS}/{{training_id}}/enrollments/{{enrollment_id}}"
    assert {"patch", "delete"} <= paths[one].keys()
    schema = paths[one]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/EnrollmentUpdate"}

"""Colleges' responses to demands and the enterprise's answers."""

from sqlalchemy import select

from app.models import Event
from app.models.enums import Department
from tests.factories import (
    HIGHER_MAJOR,
    assert_problem,
    college_headers,
    department_headers,
    org_headers,
    post_demand,
)


def url(demand_id: int) -> str:
    return f"/api/v1/demands/{demand_id}/responses"


OFFER = {"major_code": HIGHER_MAJOR, "headcount": 6, "note": "数控专业应届生"}


def test_offer_accept_decline(client, db):
    enterprise, owner = org_headers(client, db)
    college, college_h = college_headers(client, db)
    other_college, other_h = college_headers(client, db)
    demand = post_demand(client, owner)
    first = client.post(url(demand["id"]), json=OFFER, headers=college_h)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "pending" and first.json()["college_id"] == college.id
    second = client.post(url(demand["id"]), json={**OFFER, "headcount": 3}, headers=other_h)
    rid, rid2 = first.json()["id"], second.json()["id"]

    assert client.get(url(demand["id"]), headers=owner).json()["total"] == 2
    own = client.get(url(demand["id"]), headers=college_h).json()["items"]
    assert [r["id"] for r in own] == [rid]

    accepted = client.post(f"{url(demand['id'])}/{rid}/accept", headers=owner)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    declined = client.post(f"{url(demand['id'])}/{rid2}/decline", headers=owner)
    assert declined.json()["status"] == "declined"
    again = client.post(f"{url(demand['id'])}/{rid}/decline", headers=owner)
    assert_problem(again, 409, "already_answered")
    shown = client.get(f"/api/v1/demands/{demand['id']}").json()
    assert shown["accepted_headcount"] == 6

    with db() as session:
        events = session.scalars(
            select(Event).where(Event.type.like("response.%")).order_by(Event.id)
        ).all()
    summary = [(e.type, e.organization_id, e.public) for e in events]
    assert summary == [
        ("response.created", enterprise.id, False),
        ("response.created", enterprise.id, False),
        ("response.accepted", college.id, False),
        ("response.declined", other_college.id, False),
    ]
    assert events[0].data["college_id"] == college.id


def test_only_open_demands_take_responses(client, db):
    _, owner = org_headers(client, db)
    _, college_h = college_headers(client, db)
    draft = post_demand(client, owner, open_=False)
    assert_problem(client.post(url(draft["id"]), json=OFFER, headers=college_h), 404)
    demand = post_demand(client, owner)
    client.post(f"/api/v1/demands/{demand['id']}/pause", headers=owner)
    paused = client.post(url(demand["id"]), json=OFFER, headers=college_h)
    assert_problem(paused, 409, "demand_not_open")
    client.post(f"/api/v1/demands/{demand['id']}/resume", headers=owner)
    offer = client.post(url(demand["id"]), json=OFFER, headers=college_h).json()
    body = {"close_reason": "cancelled"}
    client.post(f"/api/v1/demands/{demand['id']}/close", json=body, headers=owner)
    _, industry = department_headers(client, db, Department.industry)
    # A closed demand takes no responses and no answers; the bureau still sees its responses.
    closed = client.post(url(demand["id"]), json=OFFER, headers=college_h)
    assert_problem(closed, 409, "demand_not_open")
    accept = client.post(f"{url(demand['id'])}/{offer['id']}/accept", headers=owner)
    assert_problem(accept, 409, "demand_not_open")
    assert client.get(url(demand["id"]), headers=industry).json()["total"] == 1


def test_who_may_respond_and_answer(client, db):
    _, owner = org_headers(client, db)
    _, other_enterprise = org_headers(client, db)
    _, college_h = college_headers(client, db)
    _, education = department_headers(client, db, Department.education)
    demand = post_demand(client, owner)
    assert_problem(client.post(url(demand["id"]), json=OFFER), 401)
    assert_problem(client.post(url(demand["id"]), json=OFFER, headers=owner), 403)
    assert_problem(client.post(url(demand["id"]), json=OFFER, headers=education), 403)
    offer = client.post(url(demand["id"]), json=OFFER, headers=college_h).json()
    answer = f"{url(demand['id'])}/{offer['id']}/accept"
    assert_problem(client.post(answer, headers=college_h), 403)
    assert_problem(client.post(answer, headers=other_enterprise), 403)
    assert_problem(client.post(answer), 401)
    assert_problem(client.get(url(demand["id"]), headers=other_enterprise), 403)
    assert_problem(client.get(url(demand["id"]), headers=education), 403)
    assert_problem(client.get(url(demand["id"])), 401)
    assert_problem(client.post(f"{url(demand['id'])}/999999/accept", headers=owner), 404)
    other = post_demand(client, owner)
    assert_problem(client.post(f"{url(other['id'])}/{offer['id']}/accept", headers=owner), 404)
    assert_problem(client.get(url(999999), headers=owner), 404)


def test_offers_are_validated(client, db):
    _, owner = org_headers(client, db)
    _, college_h = college_headers(client, db)
    demand = post_demand(client, owner)
    for body, loc in [
        ({**OFFER, "major_code": "4601"}, ["body", "major_code"]),
        ({**OFFER, "major_code": "999999"}, ["body", "major_code"]),
        ({**OFFER, "headcount": 0}, ["body", "headcount"]),
        ({**OFFER, "headcount": 2**40}, ["body", "headcount"]),
        ({**OFFER, "note": "x" * 2001}, ["body", "note"]),
        ({"headcount": 3}, ["body", "major_code"]),
    ]:
        problem = assert_problem(client.post(url(demand["id"]), json=body, headers=college_h), 422)
        assert loc in [e["loc"] for e in problem["errors"]], problem
    assert_problem(client.post(url(2**31), json=OFFER, headers=college_h), 422)

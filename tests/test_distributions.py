"""Student distribution submissions by JSON: validation, replacement, history, who may."""

from sqlalchemy import func, select

from app.models import DistributionRow, DistributionSubmission, Event
from app.models.enums import Department, OrgStatus, OrgType
from tests.factories import (
    HIGHER_MAJOR,
    HIGHER_MAJOR_2,
    SECONDARY_MAJOR,
    UNDERGRADUATE_MAJOR,
    assert_problem,
    cohort,
    college_headers,
    current_period,
    department_headers,
    login,
    make_admin,
    org_headers,
    previous_period,
)

P = current_period()


def url(college_id: int, period: str = P) -> str:
    return f"/api/v1/colleges/{college_id}/student-distributions/{period}"


def valid_rows(period: str = P) -> list[dict]:
    return [
        cohort(period, HIGHER_MAJOR),
        cohort(period, HIGHER_MAJOR_2, headcount=25, graduating_headcount=None),
        cohort(period, SECONDARY_MAJOR, district_code="371003"),
        cohort(period, UNDERGRADUATE_MAJOR, headcount=0, graduating_headcount=0),
    ]


def count_rows(db) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(DistributionRow))


def test_submit_by_json(client, db):
    college, headers = college_headers(client, db)
    response = client.put(url(college.id), json={"rows": valid_rows()}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == 1 and body["is_current"] and body["source"] == "json"
    assert body["row_count"] == 4
    assert body["headcount"] == 40 + 25 + 40 + 0
    assert body["graduating_headcount"] == 38 + 25 + 38 + 0  # default: headcount
    with db() as session:
        rows = session.scalars(select(DistributionRow).order_by(DistributionRow.major_code)).all()
        assert {r.district_code for r in rows} == {"371002", "371003"}  # default: the college's
        event = session.scalars(select(Event)).one()
    assert event.type == "student_distribution.submitted"
    assert event.public is False and event.organization_id == college.id


def test_previous_period_is_open(client, db):
    college, headers = college_headers(client, db)
    previous = previous_period(P)
    response = client.put(
        url(college.id, previous), json={"rows": valid_rows(previous)}, headers=headers
    )
    assert response.status_code == 200, response.text


def test_every_bad_row_is_reported_and_nothing_changes(client, db):
    college, headers = college_headers(client, db)
    client.put(url(college.id), json={"rows": valid_rows()}, headers=headers)
    year = int(P[:4])
    rows = [
        cohort(P),  # row 1 fine
        cohort(P, "999999"),  # unknown major
        cohort(P, SECONDARY_MAJOR, level="higher"),  # code does not match level
        cohort(P, headcount=10, graduating_headcount=11),  # more graduating than enrolled
        cohort(P, enrollment_year=year + 1),  # enrols after the period
        cohort(P, HIGHER_MAJOR_2, graduation_year=year - 3),  # graduated already
        cohort(P),  # duplicate of row 1
        cohort(P, HIGHER_MAJOR_2, district_code="999999"),  # unknown district
        cohort(P, UNDERGRADUATE_MAJOR, enrollment_year=year - 12),  # 12+ years of study
    ]
    response = client.put(url(college.id), json={"rows": rows}, headers=headers)
    body = assert_problem(response, 422, "invalid_rows")
    failing = sorted({e["row"] for e in body["errors"]})
    assert failing == [2, 3, 4, 5, 6, 7, 8, 9]
    dup = next(e for e in body["errors"] if e["row"] == 7)
    assert dup["type"] == "duplicate" and "第 1 行" in dup["msg"]
    assert all(e["loc"][:3] == ["body", "rows", e["row"] - 1] for e in body["errors"])
    assert count_rows(db) == 4  # the earlier submission is untouched
    history = client.get(url(college.id) + "/history", headers=headers).json()
    assert history["total"] == 1 and history["items"][0]["is_current"]


def test_types_and_shapes_are_checked(client, db):
    college, headers = college_headers(client, db)
    for body in (
        {"rows": [{**cohort(P), "headcount": "many"}]},
        {"rows": [{**cohort(P), "headcount": 1.5}]},
        {"rows": [{**cohort(P), "level": "doctorate"}]},
        {"rows": [{**cohort(P), "unknown": 1}]},
        {"rows": "nope"},
        {},
    ):
        assert_problem(client.put(url(college.id), json=body, headers=headers), 422)
    assert_problem(client.put(url(college.id), json={"rows": []}, headers=headers), 422)
    rows = [cohort(P, headcount=-5, graduating_headcount=0)]
    body = assert_problem(client.put(url(college.id), json={"rows": rows}, headers=headers), 422)
    assert body["errors"][0]["row"] == 1
    assert count_rows(db) == 0


def test_period_rules(client, db):
    college, headers = college_headers(client, db)
    rows = {"rows": valid_rows()}
    for bad in ("2026H3", "2026-H1", "26H1", "2026h1"):
        assert_problem(client.put(url(college.id, bad), json=rows, headers=headers), 422)
    year = int(P[:4])
    future = f"{year + 1}H1"
    body = assert_problem(client.put(url(college.id, future), json=rows, headers=headers), 422)
    assert body["code"] == "period_not_open"
    old = previous_period(previous_period(P))
    body = assert_problem(client.put(url(college.id, old), json=rows, headers=headers), 422)
    assert body["code"] == "period_closed"


def test_new_submission_replaces_and_keeps_history(client, db):
    college, headers = college_headers(client, db)
    client.put(url(college.id), json={"rows": valid_rows()}, headers=headers)
    second = client.put(url(college.id), json={"rows": [cohort(P, headcount=99)]}, headers=headers)
    assert second.json()["version"] == 2
    history = client.get(url(college.id) + "/history", headers=headers).json()
    assert [(s["version"], s["is_current"]) for s in history["items"]] == [(2, True), (1, False)]
    old = client.get(url(college.id) + "/history/1/rows", headers=headers).json()
    assert old["total"] == 4
    new = client.get(url(college.id) + "/history/2/rows", headers=headers).json()
    assert [r["headcount"] for r in new["items"]] == [99]
    assert_problem(client.get(url(college.id) + "/history/3/rows", headers=headers), 404)
    _, edu = department_headers(client, db, Department.education)
    listed = client.get(
        "/api/v1/student-distributions", params={"view": "submitted"}, headers=edu
    ).json()
    assert [r["headcount"] for r in listed["items"]] == [99]  # current submissions only


def test_only_the_college_itself_submits(client, db):
    college, _ = college_headers(client, db)
    other, other_headers = college_headers(client, db)
    _, enterprise = org_headers(client, db, OrgType.enterprise)
    _, edu = department_headers(client, db, Department.education)
    _, pending = college_headers(client, db, status=OrgStatus.pending)
    rows = {"rows": valid_rows()}
    assert_problem(client.put(url(college.id), json=rows), 401)
    assert_problem(client.put(url(college.id), json=rows, headers=other_headers), 403)
    assert_problem(client.put(url(college.id), json=rows, headers=enterprise), 403)
    assert_problem(client.put(url(college.id), json=rows, headers=edu), 403)
    assert_problem(client.put(url(college.id), json=rows, headers=pending), 403)
    assert_problem(client.put(url(999999), json=rows, headers=other_headers), 403)
    assert count_rows(db) == 0
    assert client.put(url(other.id), json=rows, headers=other_headers).status_code == 200


def test_an_api_key_submits_for_its_college(client, db):
    college, headers = college_headers(client, db)
    created = client.post(
        f"/api/v1/organizations/{college.id}/api-keys", json={"name": "教务系统"}, headers=headers
    )
    key = {"X-API-Key": created.json()["key"]}
    response = client.put(url(college.id), json={"rows": valid_rows()}, headers=key)
    assert response.status_code == 200, response.text
    assert response.json()["submitted_by"] == "api_key"


def test_history_is_private(client, db):
    college, headers = college_headers(client, db)
    client.put(url(college.id), json={"rows": valid_rows()}, headers=headers)
    _, other = college_headers(client, db)
    _, enterprise = org_headers(client, db, OrgType.enterprise)
    _, hr = department_headers(client, db, Department.hr)
    # Like `view=submitted`: 401 anonymous, 403 to whoever sees no submission at all, and
    # 404 to another college (it sees its own only).
    assert_problem(client.get(url(college.id) + "/history"), 401)
    assert_problem(client.get(url(college.id) + "/history", headers=other), 404)
    assert_problem(client.get(url(college.id) + "/history/1/rows", headers=other), 404)
    assert_problem(client.get(url(college.id) + "/history/1/rows", headers=enterprise), 403)
    assert client.get(url(college.id) + "/history", headers=hr).json()["total"] == 1
    # A period without a submission has no history (404), for the college itself too.
    assert_problem(client.get(url(college.id, "2020H1") + "/history", headers=headers), 404)


def test_submissions_are_not_public_until_published(client, db):
    college, headers = college_headers(client, db)
    client.put(url(college.id), json={"rows": valid_rows()}, headers=headers)
    assert client.get("/api/v1/student-distributions").json()["total"] == 0
    submitted = {"view": "submitted"}
    assert_problem(client.get("/api/v1/student-distributions", params=submitted), 401)
    _, enterprise = org_headers(client, db, OrgType.enterprise)
    assert_problem(
        client.get("/api/v1/student-distributions", params=submitted, headers=enterprise), 403
    )
    _, other = college_headers(client, db)
    mine = client.get("/api/v1/student-distributions", params=submitted, headers=headers)
    assert mine.json()["total"] == 4
    theirs = client.get("/api/v1/student-distributions", params=submitted, headers=other)
    assert theirs.json()["total"] == 0
    with db() as session:
        assert session.scalar(select(func.count()).select_from(DistributionSubmission)) == 1


def test_callers_who_may_see_submissions_see_them_by_default(client, db):
    """Without `view`: a college its own current submission, education, hr and platform
    admins every one, everyone else the published rows; `view` still chooses explicitly."""
    college, headers = college_headers(client, db)
    other, other_headers = college_headers(client, db)
    client.put(url(college.id), json={"rows": valid_rows()}, headers=headers)
    _, edu = department_headers(client, db, Department.education)
    _, hr = department_headers(client, db, Department.hr)
    admin = login(client, make_admin(db))
    _, enterprise = org_headers(client, db, OrgType.enterprise)
    rows, summary = "/api/v1/student-distributions", "/api/v1/student-distributions/summary"

    def seen(who: dict, **params: str) -> tuple[int, str, int]:
        listed = client.get(rows, params=params, headers=who)
        summed = client.get(summary, params={"group_by": "college", **params}, headers=who)
        assert listed.status_code == summed.status_code == 200, summed.text
        body = summed.json()
        return listed.json()["total"], body["view"], sum(i["headcount"] for i in body["items"])

    assert seen(headers) == (4, "submitted", 105)  # right after the upload
    for supervisor in (edu, hr, admin):
        assert seen(supervisor) == (4, "submitted", 105)
    assert seen(other_headers) == (0, "submitted", 0)  # its own: none
    assert seen({}) == seen(enterprise) == (0, "published", 0)
    assert seen(headers, view="published") == (0, "published", 0)

    assert (
        client.post(
            "/api/v1/publications",
            json={"dataset": "student_distribution", "period": P},
            headers=edu,
        ).status_code
        == 201
    )
    again = {"rows": [cohort(P, headcount=7, graduating_headcount=7)]}
    assert client.put(url(college.id), json=again, headers=headers).status_code == 200
    assert seen(headers) == (1, "submitted", 7)  # its newest submission
    assert seen(headers, view="published") == (4, "published", 105)
    assert seen(edu) == (1, "submitted", 7)
    assert seen(other_headers, view="published") == seen({}) == (4, "published", 105)
    assert_problem(client.get(rows, params={"view": "submitted"}, headers=enterprise), 403)
    assert_problem(client.get(summary, params={"view": "submitted"}), 401)
    assert_problem(client.get(rows, params={"view": "everything"}, headers=edu), 422)

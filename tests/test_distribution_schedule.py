"""The publishing calendar on a fixed clock, who has submitted, and summaries."""

import json
import subprocess
import sys
import textwrap
from datetime import date, timedelta

import pytest

from app.models.enums import Cadence, Department, OrgStatus, OrgType
from app.services.distribution.periods import parse_period
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
    org_headers,
    previous_period,
)

P = current_period()
SCHEDULE = "/api/v1/publications/schedule"


def schedule(client, as_of: date) -> dict[str, dict]:
    response = client.get(SCHEDULE, params={"as_of": as_of.isoformat()})
    assert response.status_code == 200, response.text
    assert response.json()["as_of"] == as_of.isoformat()
    return {item["dataset"]: item for item in response.json()["items"]}


def test_schedule_on_a_fixed_clock_with_nothing_published(client):
    before = schedule(client, date(2025, 7, 20))
    assert before["student_distribution"] | {} == before["student_distribution"]
    sd = before["student_distribution"]
    assert (sd["cadence"], sd["next_period"], sd["next_due_date"], sd["overdue"]) == (
        "half_yearly",
        "2025H1",
        "2025-07-30",
        False,
    )
    assert sd["available"] and sd["latest_period"] is None
    assert sd["departments"] == ["education", "hr"]
    after = schedule(client, date(2025, 7, 31))
    assert after["student_distribution"]["overdue"]
    assert after["social_service_projects"]["cadence"] == "half_yearly"
    assert all(item["available"] for item in after.values())
    directory = after["enterprise_directory"]
    assert (directory["cadence"], directory["next_period"], directory["overdue"]) == (
        "quarterly",
        "2025Q2",
        True,
    )
    assert directory["departments"] == ["education", "hr", "industry"]
    assert after["cooperation_projects"]["cadence"] == "quarterly"
    tech = after["tech_projects"]
    assert (tech["cadence"], tech["next_due_date"], tech["overdue"]) == ("continuous", None, False)


def test_the_schedule_alone_sees_every_dataset_available(tmp_path):
    """The dataset registry is static: importing the schedule alone, in a fresh
    interpreter, is enough for every dataset to have its row source."""
    script = textwrap.dedent(
        """
        import json, sys
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session
        import app.models
        from app.core.config import Settings
        from app.models.base import Base
        from app.services.publications import schedule

        assert "app.services.publications.service" not in sys.modules
        engine = create_engine("sqlite://")
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            items = schedule.get_schedule(session, Settings(app_env="development")).items
        print(json.dumps({item.dataset.value: item.available for item in items}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr
    available = json.loads(result.stdout.strip().splitlines()[-1])
    assert available == dict.fromkeys(
        [
            "student_distribution",
            "social_service_projects",
            "enterprise_directory",
            "cooperation_projects",
            "tech_projects",
        ],
        True,
    )


def test_schedule_after_publishing(client, db):
    _, edu = department_headers(client, db, Department.education)
    previous = previous_period(P)
    body = {"dataset": "student_distribution", "period": previous}
    assert client.post("/api/v1/publications", json=body, headers=edu).status_code == 201
    current = parse_period(P, Cadence.half_yearly)
    sd = schedule(client, current.start + timedelta(days=3))["student_distribution"]
    assert (sd["latest_period"], sd["latest_version"]) == (previous, 1)
    assert sd["next_period"] == P
    assert sd["next_due_date"] == (current.end + timedelta(days=30)).isoformat()
    assert not sd["overdue"]
    # A year on, the then last closed half-year is missing and overdue.
    later = schedule(client, current.end + timedelta(days=400))["student_distribution"]
    assert later["overdue"] and later["latest_period"] == previous


def test_schedule_rejects_a_bad_date(client):
    assert_problem(client.get(SCHEDULE, params={"as_of": "2025-13-01"}), 422)


def test_which_colleges_have_submitted(client, db):
    done, done_h = college_headers(client, db)
    missing, _ = college_headers(client, db)
    college_headers(client, db, status=OrgStatus.pending)
    url = f"/api/v1/colleges/{done.id}/student-distributions/{P}"
    client.put(url, json={"rows": [cohort(P)]}, headers=done_h)
    _, hr = department_headers(client, db, Department.hr)
    body = client.get(f"{SCHEDULE}/colleges", params={"period": P}, headers=hr).json()
    assert (body["period"], body["submitted_count"], body["missing_count"]) == (P, 1, 1)
    status = {c["college_id"]: c for c in body["colleges"]}
    assert set(status) == {done.id, missing.id}
    assert status[done.id]["submitted"] and status[done.id]["version"] == 1
    assert not status[missing.id]["submitted"] and status[missing.id]["version"] is None
    assert client.get(f"{SCHEDULE}/colleges", headers=hr).json()["period"] == P  # default
    assert_problem(client.get(f"{SCHEDULE}/colleges", params={"period": "2025H5"}, headers=hr), 422)
    assert_problem(client.get(f"{SCHEDULE}/colleges"), 401)
    assert_problem(client.get(f"{SCHEDULE}/colleges", headers=done_h), 403)
    _, tech = department_headers(client, db, Department.tech)
    assert_problem(client.get(f"{SCHEDULE}/colleges", headers=tech), 403)


def published_world(client, db):
    """Two colleges in two districts, submitted and published; totals for checking."""
    first, first_h = college_headers(client, db)
    second, second_h = college_headers(client, db, district_code="371003")
    rows_first = [
        cohort(P, HIGHER_MAJOR, headcount=40, graduating_headcount=30),
        cohort(P, HIGHER_MAJOR_2, headcount=3, graduating_headcount=3),
        cohort(P, SECONDARY_MAJOR, headcount=25, graduating_headcount=20),
    ]
    rows_second = [
        cohort(P, HIGHER_MAJOR, headcount=60, graduating_headcount=55),
        cohort(P, UNDERGRADUATE_MAJOR, headcount=12, graduating_headcount=12),
    ]
    for college, headers, rows in ((first, first_h, rows_first), (second, second_h, rows_second)):
        url = f"/api/v1/colleges/{college.id}/student-distributions/{P}"
        assert client.put(url, json={"rows": rows}, headers=headers).status_code == 200
    _, edu = department_headers(client, db, Department.education)
    body = {"dataset": "student_distribution", "period": P}
    assert client.post("/api/v1/publications", json=body, headers=edu).status_code == 201
    return first, second, rows_first + rows_second


@pytest.mark.parametrize("group_by", ["category", "class", "major", "college", "district"])
def test_summary_totals_equal_raw_totals(client, db, group_by):
    first, second, rows = published_world(client, db)
    response = client.get("/api/v1/student-distributions/summary", params={"group_by": group_by})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == P and body["view"] == "published"
    items = body["items"]
    assert sum(i["headcount"] for i in items) == sum(r["headcount"] for r in rows) == 140
    assert sum(i["graduating_headcount"] for i in items) == sum(
        r["graduating_headcount"] for r in rows
    )
    assert all(i["name"] for i in items)
    keys = [i["key"] for i in items]
    expected = {
        "category": {"46", "42", "61", "28"},
        "class": {"4603", "4208", "6101", "2801"},
        "major": {HIGHER_MAJOR, HIGHER_MAJOR_2, SECONDARY_MAJOR, UNDERGRADUATE_MAJOR},
        "college": {str(first.id), str(second.id)},
        "district": {"371002", "371003"},
    }[group_by]
    assert set(keys) == expected and len(keys) == len(expected)


def test_summary_and_list_filters(client, db):
    first, _, _ = published_world(client, db)
    summary = client.get(
        "/api/v1/student-distributions/summary",
        params={"group_by": "major", "major_prefix": "46"},
    ).json()
    assert [(i["key"], i["headcount"]) for i in summary["items"]] == [(HIGHER_MAJOR, 100)]
    listed = client.get(
        "/api/v1/student-distributions",
        params={"college_id": first.id, "level": "higher", "period": P},
    ).json()
    assert listed["total"] == 2
    by_district = client.get(
        "/api/v1/student-distributions", params={"district_code": "371003"}
    ).json()
    assert by_district["total"] == 2
    year = cohort(P)["graduation_year"]
    rows = "/api/v1/student-distributions"
    assert client.get(rows, params={"graduation_year": year}).json()["total"] == 5
    assert client.get(rows, params={"graduation_year": year + 1}).json()["total"] == 0
    for bad in ({"period": "2025"}, {"level": "phd"}, {"major_prefix": "4x"}):
        assert_problem(client.get("/api/v1/student-distributions", params=bad), 422)
    assert_problem(
        client.get("/api/v1/student-distributions/summary", params={"group_by": "city"}), 422
    )


def test_small_cells_are_suppressed_for_anonymous_callers(client, db, app):
    published_world(client, db)
    _, enterprise = org_headers(client, db, OrgType.enterprise)
    params = {"group_by": "major"}
    url = "/api/v1/student-distributions/summary"
    settings = app.state.settings
    assert settings.distribution_min_cell_size is None  # off by default
    settings.distribution_min_cell_size = 5
    try:
        anonymous = {i["key"]: i for i in client.get(url, params=params).json()["items"]}
        signed_in = {
            i["key"]: i for i in client.get(url, params=params, headers=enterprise).json()["items"]
        }
    finally:
        settings.distribution_min_cell_size = None
    assert anonymous[HIGHER_MAJOR_2] == {
        "key": HIGHER_MAJOR_2,
        "name": "环境监测技术",
        "headcount": None,
        "graduating_headcount": None,
        "suppressed": True,
    }
    assert anonymous[HIGHER_MAJOR]["headcount"] == 100
    assert signed_in[HIGHER_MAJOR_2]["headcount"] == 3
    assert not signed_in[HIGHER_MAJOR_2]["suppressed"]


def test_summary_is_a_list(client, db):
    """`items`, `total` (groups), `limit`, `offset`, honoured, in key order."""
    published_world(client, db)
    url = "/api/v1/student-distributions/summary"
    whole = client.get(url, params={"group_by": "major"}).json()
    assert (whole["limit"], whole["offset"], whole["total"]) == (20, 0, 4)
    keys = [i["key"] for i in whole["items"]]
    assert keys == sorted(keys) and len(keys) == 4
    first = client.get(url, params={"group_by": "major", "limit": 3}).json()
    rest = client.get(url, params={"group_by": "major", "limit": 3, "offset": 3}).json()
    assert [i["key"] for i in first["items"] + rest["items"]] == keys
    assert first["total"] == rest["total"] == 4 and rest["offset"] == 3
    assert rest["group_by"] == "major" and rest["period"] == P and rest["view"] == "published"
    for bad in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": "x"}):
        assert_problem(client.get(url, params={"group_by": "major", **bad}), 422)


def test_summary_of_submissions_for_supervisors(client, db):
    college, headers = college_headers(client, db)
    url = f"/api/v1/colleges/{college.id}/student-distributions/{P}"
    client.put(
        url, json={"rows": [cohort(P, headcount=9, graduating_headcount=9)]}, headers=headers
    )
    summary_url = "/api/v1/student-distributions/summary"
    assert client.get(summary_url).json()["items"] == []  # nothing published
    _, edu = department_headers(client, db, Department.education)
    params = {"view": "submitted", "group_by": "college"}
    body = client.get(summary_url, params=params, headers=edu).json()
    assert body["period"] == P and body["items"][0]["headcount"] == 9
    assert_problem(client.get(summary_url, params=params), 401)


def test_colleges_status_rejects_impossible_periods(client, db):
    from app.models.enums import Department
    from tests.factories import assert_problem, login, make_department, make_user

    headers = login(client, make_user(db, make_department(db, Department.education)))
    for period in ("0000H1", "1899H2", "2026H3"):
        response = client.get(
            "/api/v1/publications/schedule/colleges", params={"period": period}, headers=headers
        )
        assert_problem(response, 422)

"""One business clock (`app.core.clock`, `BUSINESS_TIMEZONE`): every "today" is a date in
Asia/Shanghai unless configured, whatever the host's time zone (the tests' host is UTC).

2027-06-30T16:30Z is 2027-07-01 00:30 in Shanghai: the first half-hour of 2027H2.
"""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from app.core import clock
from app.main import create_app
from app.models import Demand
from app.models.enums import Department, OrgType
from app.services.demands.service import expire_demands
from tests.conftest import settings_for
from tests.factories import (
    assert_problem,
    cohort,
    demand_body,
    key_headers,
    login,
    make_department,
    make_org,
    make_user,
    post_demand,
)

NEW_HALF_YEAR = "2027-06-30T16:30:00Z"  # 2027-07-01 00:30 in Shanghai
LAST_SECOND_OF_H1 = "2027-06-30T15:59:59Z"  # 2027-06-30 23:59:59 in Shanghai
APP = Path(__file__).parent.parent / "app"


def submit(client, db, college, period: str):
    url = f"/api/v1/colleges/{college.id}/student-distributions/{period}"
    rows = {"rows": [cohort(period)]}
    return client.put(url, json=rows, headers=key_headers(db, college))


def test_a_college_submits_for_the_new_half_year_from_its_first_minute(client, db, freeze_clock):
    freeze_clock(NEW_HALF_YEAR)
    college = make_org(db, OrgType.college)
    assert clock.today().isoformat() == "2027-07-01"
    assert submit(client, db, college, "2027H2").status_code == 200
    # DISTRIBUTION_OPEN_PERIODS = 2: the half-year before is still open, the one before not.
    assert submit(client, db, college, "2027H1").status_code == 200
    assert_problem(submit(client, db, college, "2026H2"), 422, "period_closed")
    assert_problem(submit(client, db, college, "2028H1"), 422, "period_not_open")


def test_the_last_second_of_a_half_year_is_still_that_half_year(client, db, freeze_clock):
    freeze_clock(LAST_SECOND_OF_H1)
    college = make_org(db, OrgType.college)
    assert_problem(submit(client, db, college, "2027H2"), 422, "period_not_open")
    assert submit(client, db, college, "2027H1").status_code == 200
    assert submit(client, db, college, "2026H2").status_code == 200


def test_open_periods_follow_the_setting_at_the_boundary(database_url, freeze_clock):
    """With DISTRIBUTION_OPEN_PERIODS=1, 2027H1 closes when 2027H2 starts in Shanghai."""
    freeze_clock(NEW_HALF_YEAR)
    app = create_app(settings_for(database_url, distribution_open_periods=1))
    try:
        with TestClient(app) as client:
            db = app.state.sessionmaker
            college = make_org(db, OrgType.college)
            assert submit(client, db, college, "2027H2").status_code == 200
            assert_problem(submit(client, db, college, "2027H1"), 422, "period_closed")
    finally:
        app.state.engine.dispose()


def test_the_business_time_zone_is_configurable(database_url, freeze_clock):
    """BUSINESS_TIMEZONE=UTC: at 16:30Z on 30 June it is still 2027H1."""
    freeze_clock(NEW_HALF_YEAR)
    app = create_app(settings_for(database_url, business_timezone="UTC"))
    try:
        with TestClient(app) as client:
            db = app.state.sessionmaker
            college = make_org(db, OrgType.college)
            assert clock.today().isoformat() == "2027-06-30"
            assert_problem(submit(client, db, college, "2027H2"), 422, "period_not_open")
            assert client.get("/api/v1/publications/schedule").json()["as_of"] == "2027-06-30"
    finally:
        app.state.engine.dispose()
        clock.configure(settings_for(database_url).business_timezone)
    assert clock.today().isoformat() == "2027-07-01"


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError, match="BUSINESS_TIMEZONE"):
        settings_for("sqlite://", business_timezone="Mars/Olympus_Mons")


def test_publications_and_the_schedule_use_the_same_today(client, db, freeze_clock):
    freeze_clock(NEW_HALF_YEAR)
    edu = key_headers(db, make_department(db, Department.education))
    college = make_org(db, OrgType.college)
    assert submit(client, db, college, "2027H2").status_code == 200
    body = {"dataset": "student_distribution", "period": "2027H2"}
    assert client.post("/api/v1/publications", json=body, headers=edu).status_code == 201
    body = {"dataset": "student_distribution", "period": "2028H1"}
    future = client.post("/api/v1/publications", json=body, headers=edu)
    assert_problem(future, 422, "period_in_future")
    assert client.get("/api/v1/publications/schedule").json()["as_of"] == "2027-07-01"


def test_demands_expire_and_refuse_the_past_by_the_same_today(client, db, freeze_clock):
    freeze_clock(LAST_SECOND_OF_H1)
    enterprise = make_org(db, OrgType.enterprise)
    headers = key_headers(db, enterprise)
    demand = post_demand(client, headers, valid_until="2027-06-30")
    assert client.get(f"/api/v1/demands/{demand['id']}").json()["status"] == "open"
    freeze_clock(NEW_HALF_YEAR)  # one half-hour later it is 1 July in Shanghai
    assert client.get(f"/api/v1/demands/{demand['id']}").json()["status"] == "closed"
    late = client.post(
        "/api/v1/demands", json=demand_body(valid_until="2027-06-30"), headers=headers
    )
    assert_problem(late, 422)
    with db() as session, session.begin():
        assert expire_demands(session) == 1
    with db() as session:
        stored = session.scalars(select(Demand)).one()
        assert (stored.status, stored.close_reason) == ("closed", "expired")


def test_tokens_live_by_the_same_clock(client, db, freeze_clock):
    freeze_clock("2027-06-30T16:30:00Z")
    headers = login(client, make_user(db, make_org(db, OrgType.enterprise)))
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    freeze_clock("2027-06-30T16:59:00Z")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    freeze_clock("2027-06-30T17:01:00Z")  # ACCESS_TOKEN_MINUTES = 30 later
    assert_problem(client.get("/api/v1/auth/me", headers=headers), 401)


def test_only_the_clock_module_reads_the_time():
    pattern = re.compile(r"date\.today|datetime\.now|utcnow|local_today|time\.time\(\)")
    readers = [
        f"{path.relative_to(APP)}:{n}"
        for path in APP.rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert {r.split(":")[0] for r in readers} == {"core/clock.py"}, readers

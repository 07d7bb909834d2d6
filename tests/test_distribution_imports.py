"""Student distribution uploads as CSV (UTF-8, UTF-8 with BOM, GB18030) and XLSX files."""

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from app.models import DistributionRow
from app.models.enums import OrgType
from tests.factories import (
    HIGHER_MAJOR,
    HIGHER_MAJOR_2,
    SECONDARY_MAJOR,
    assert_problem,
    cohort,
    college_headers,
    current_period,
    org_headers,
)

P = current_period()
FIELDS = [
    "major_code",
    "level",
    "enrollment_year",
    "graduation_year",
    "headcount",
    "graduating_headcount",
    "district_code",
]
CHINESE = [
    "专业代码",
    "专业名称",
    "层次",
    "入学年份",
    "毕业年份",
    "在校生人数",
    "应届毕业生人数",
    "所在区县代码",
]


def import_url(college_id: int, period: str = P) -> str:
    return f"/api/v1/colleges/{college_id}/student-distributions/{period}/import"


def chinese_rows() -> list[list[object]]:
    """Rows under the template's Chinese headers: a name column and Chinese level names."""
    a, b, c = cohort(P, HIGHER_MAJOR), cohort(P, HIGHER_MAJOR_2), cohort(P, SECONDARY_MAJOR)
    years = [(r["enrollment_year"], r["graduation_year"]) for r in (a, b, c)]
    return [
        [HIGHER_MAJOR, "工业过程自动化技术", "高职专科", *years[0], 40, 38, ""],
        [HIGHER_MAJOR_2, "环境监测技术", "higher", *years[1], 30, "", "371003"],
        [SECONDARY_MAJOR, "种子生产技术", "中职", *years[2], 20, 5, ""],
    ]


def csv_bytes(header: list[str], rows: list[list[object]], encoding: str) -> bytes:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(header: list[str], rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([None if v == "" else v for v in row])
    book.create_sheet("说明").append(["不会被导入"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, college_id, headers, content: bytes, name: str, **params):
    files = {"file": (name, content, "application/octet-stream")}
    return client.post(import_url(college_id), files=files, headers=headers, params=params)


def stored(db) -> list[tuple]:
    with db() as session:
        return session.execute(
            select(
                DistributionRow.major_code,
                DistributionRow.level,
                DistributionRow.headcount,
                DistributionRow.graduating_headcount,
                DistributionRow.district_code,
            ).order_by(DistributionRow.major_code)
        ).all()


EXPECTED = [
    ("420801", "higher", 30, 30, "371003"),
    ("460307", "higher", 40, 38, "371002"),
    ("610101", "secondary", 20, 5, "371002"),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding(client, db, encoding):
    college, headers = college_headers(client, db)
    content = csv_bytes(CHINESE, chinese_rows(), encoding)
    response = upload(client, college.id, headers, content, "学生分布.csv")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid"] and body["row_count"] == 3 and body["errors"] == []
    assert body["submission"]["source"] == "csv"
    assert body["submission"]["filename"] == "学生分布.csv"
    assert stored(db) == EXPECTED


def test_csv_with_field_names_and_blank_lines(client, db):
    college, headers = college_headers(client, db)
    rows = [
        [cohort(P, HIGHER_MAJOR)[f] for f in FIELDS[:5]] + ["", ""],
        ["", "", "", "", "", "", ""],
    ]
    content = csv_bytes(FIELDS, rows, "utf-8")
    response = upload(client, college.id, headers, content, "data.txt")
    assert response.status_code == 200, response.text
    assert response.json()["row_count"] == 1


def test_xlsx(client, db):
    college, headers = college_headers(client, db)
    response = upload(client, college.id, headers, xlsx_bytes(CHINESE, chinese_rows()), "a.xlsx")
    assert response.status_code == 200, response.text
    assert response.json()["submission"]["source"] == "xlsx"
    assert stored(db) == EXPECTED


def test_template_round_trip(client, db):
    college, headers = college_headers(client, db)
    template = client.get("/api/v1/student-distributions/template", params={"format": "xlsx"})
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == CHINESE
    for row in chinese_rows():
        sheet.append([None if v == "" else v for v in row])
    out = io.BytesIO()
    book.save(out)
    response = upload(client, college.id, headers, out.getvalue(), "template.xlsx")
    assert response.status_code == 200, response.text
    csv_template = client.get("/api/v1/student-distributions/template", params={"format": "csv"})
    assert csv_template.content.startswith(b"\xef\xbb\xbf")
    assert csv_template.content.decode("utf-8-sig").strip().split(",") == CHINESE
    assert_problem(client.get("/api/v1/student-distributions/template?format=pdf"), 422)


def test_bad_rows_are_all_reported_by_number_and_nothing_changes(client, db):
    college, headers = college_headers(client, db)
    upload(client, college.id, headers, xlsx_bytes(CHINESE, chinese_rows()), "a.xlsx")
    rows = chinese_rows()
    rows[0][0] = "123456"  # row 1: unknown major
    rows[1][5] = "三十"  # row 2: not a number
    rows.append(list(chinese_rows()[2]))  # row 4 repeats row 3
    rows.append(["", "", "", "", "", "", "", ""])  # row 5 blank: skipped
    rows.append([HIGHER_MAJOR_2, "", "高职", 2000, 2003, 1, 1, ""])  # row 6: years out of range
    for name, content in (
        ("bad.csv", csv_bytes(CHINESE, rows, "gb18030")),
        ("bad.xlsx", xlsx_bytes(CHINESE, rows)),
    ):
        body = assert_problem(
            upload(client, college.id, headers, content, name), 422, "invalid_rows"
        )
        assert sorted({e["row"] for e in body["errors"]}) == [1, 2, 4, 6]
        assert all(e["loc"][0] == "file" for e in body["errors"])
    assert stored(db) == EXPECTED


def test_dry_run_reports_without_writing(client, db):
    college, headers = college_headers(client, db)
    good = csv_bytes(CHINESE, chinese_rows(), "utf-8-sig")
    response = upload(client, college.id, headers, good, "a.csv", dry_run="true")
    assert response.status_code == 200
    assert response.json() == {
        "dry_run": True,
        "valid": True,
        "source": "csv",
        "row_count": 3,
        "error_count": 0,
        "errors": [],
        "submission": None,
    }
    rows = chinese_rows()
    rows[2][6] = 999  # more graduating than enrolled
    bad = xlsx_bytes(CHINESE, rows)
    report = upload(client, college.id, headers, bad, "a.xlsx", dry_run="true").json()
    assert not report["valid"] and report["error_count"] == 1
    assert report["errors"][0]["row"] == 3
    assert stored(db) == []


def zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return out.getvalue()


GARBAGE = [
    ("empty.csv", b"", 422),
    ("spaces.csv", b"   \r\n", 422),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 415),
    ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, 415),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, 415),
    ("junk.csv", bytes(range(256)) * 64, 415),
    ("text.xlsx", "专业代码,层次\r\n".encode(), 415),
    ("archive.xlsx", zip_without_workbook(), 422),
    ("truncated.xlsx", None, 422),
    ("header_only.csv", ",".join(FIELDS).encode(), 422),
    ("bad_header.csv", "姓名,年龄\r\n张三,20\r\n".encode(), 422),
    ("gbk_junk.csv", bytes(b % 0x7F + 0x80 for b in range(4000)), 422),
    ("quote.csv", ('major_code,level\r\n"460307' + "x" * 200_000).encode(), 422),
    ("utf16.csv", "major_code,level\r\n".encode("utf-16"), 415),
]


@pytest.mark.parametrize(("name", "content", "status"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_files_are_problems_not_crashes(client, db, name, content, status):
    college, headers = college_headers(client, db)
    if content is None:
        content = xlsx_bytes(CHINESE, chinese_rows())[:900]
    for dry_run in ("false", "true"):
        response = upload(client, college.id, headers, content, name, dry_run=dry_run)
        assert_problem(response, status)
    assert stored(db) == []


def test_upload_shape_and_size(client, db, app):
    college, headers = college_headers(client, db)
    assert_problem(client.post(import_url(college.id), headers=headers), 422)  # no file
    assert_problem(
        client.post(import_url(college.id), json={"rows": []}, headers=headers), 422
    )  # not multipart
    limit = app.state.settings.max_upload_bytes
    big = b"major_code\r\n" + b"4" * (limit + 10)
    assert_problem(upload(client, college.id, headers, big, "big.csv"), 413)


def test_only_the_college_imports(client, db):
    college, _ = college_headers(client, db)
    _, other = college_headers(client, db)
    _, enterprise = org_headers(client, db, OrgType.enterprise)
    content = csv_bytes(CHINESE, chinese_rows(), "utf-8")
    assert_problem(upload(client, college.id, {}, content, "a.csv"), 401)
    assert_problem(upload(client, college.id, other, content, "a.csv"), 403)
    assert_problem(upload(client, college.id, enterprise, content, "a.csv", dry_run="true"), 403)
    assert stored(db) == []

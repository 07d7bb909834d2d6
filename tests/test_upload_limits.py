"""Hostile workbooks: refused in time proportional to their real content, and no upload
holds the write lock while it is read (a dry run takes none at all)."""

import functools
import io
import sqlite3
import time
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.models.enums import OrgType
from tests.factories import PASSWORD, assert_problem, cohort, college_headers, make_user
from tests.live_server import serving
from tests.test_distribution_imports import CHINESE, P, chinese_rows, import_url, upload

WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
SHEET_OPEN = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"


def column_name(n: int) -> str:
    name = ""
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def cells_xml(number: int, values: Iterable[object]) -> str:
    cells = "".join(
        f'<c r="{column_name(i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def workbook(parts: Iterable[str]) -> bytes:
    """A minimal .xlsx whose first sheet's XML is the given pieces, streamed into the zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(SHEET_OPEN.encode())
            for part in parts:
                sheet.write(part.encode())
            sheet.write(SHEET_CLOSE.encode())
    return out.getvalue()


def far_row_workbook(row: int = 100_000_000) -> bytes:
    """A header and one data row numbered `row`: 1.6 KB that openpyxl walks for minutes."""
    data = chinese_rows()[0]
    return workbook([cells_xml(1, CHINESE), cells_xml(row, data)])


@functools.cache
def wide_blank_workbook(columns: int = 16_384, rows: int = 300) -> bytes:
    """Rows of styled blank cells out to column XFD: ~550 KB, 111 s in openpyxl."""

    def parts() -> Iterable[str]:
        yield cells_xml(1, CHINESE)
        for n in range(2, rows + 2):
            yield (
                f'<row r="{n}">'
                + "".join(f'<c r="{column_name(c)}{n}" s="1"/>' for c in range(1, columns + 1))
                + "</row>"
            )

    return workbook(parts())


def test_a_workbook_like_the_template_is_still_read(client, db):
    college, headers = college_headers(client, db)
    rows = [cells_xml(1, CHINESE)] + [cells_xml(n, r) for n, r in enumerate(chinese_rows(), 2)]
    response = upload(client, college.id, headers, workbook(rows), "a.xlsx", dry_run="true")
    assert response.status_code == 200, response.text
    assert response.json()["valid"] and response.json()["row_count"] == 3


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(lambda: far_row_workbook(100_000_000), id="row-100-million"),
        pytest.param(lambda: far_row_workbook(50_000), id="row-gap-50-thousand"),
        pytest.param(wide_blank_workbook, id="16384-columns-300-rows"),
        pytest.param(
            lambda: workbook([cells_xml(1, CHINESE), cells_xml(2, ["x"] * 300)]),
            id="data-beyond-column-256",
        ),
        pytest.param(
            lambda: workbook([cells_xml(1, CHINESE), cells_xml(2, ["x" * 40_000])]),
            id="cell-beyond-32767-characters",
        ),
        pytest.param(
            lambda: workbook(
                [cells_xml(1, CHINESE)]
                + ["<row>" + '<c s="1"/>' * 200 + "</row>" for _ in range(25_000)]
            ),
            id="five-million-cells",
        ),
    ],
)
def test_hostile_workbooks_are_refused_fast(client, db, content):
    college, headers = college_headers(client, db)
    body = content()
    started = time.monotonic()
    response = upload(client, college.id, headers, body, "a.xlsx", dry_run="true")
    assert time.monotonic() - started < 3
    problem = assert_problem(response, 413, "file_too_large")
    assert problem["detail"]


def test_declared_sizes_are_checked_before_inflating(client, db):
    """A part that declares a gigabyte (or inflates 1000:1) is refused before reading it."""
    college, headers = college_headers(client, db)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", RELS)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(64):
                sheet.write(b" " * (1 << 20))
    started = time.monotonic()
    response = upload(client, college.id, headers, out.getvalue(), "bomb.xlsx")
    assert time.monotonic() - started < 2
    assert_problem(response, 413, "file_too_large")


def test_entities_are_refused(client, db):
    college, headers = college_headers(client, db)
    laughs = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        book.writestr("xl/workbook.xml", laughs + WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", RELS)
        book.writestr("xl/worksheets/sheet1.xml", SHEET_OPEN + SHEET_CLOSE)
    assert_problem(upload(client, college.id, headers, out.getvalue(), "x.xlsx"), 422)


def test_a_dry_run_takes_no_write_lock(client, db, database_url):
    """While another connection holds SQLite's write lock, a dry run still answers."""
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("SQLite's single write lock")
    college, headers = college_headers(client, db)
    rows = [cells_xml(1, CHINESE)] + [cells_xml(n, r) for n, r in enumerate(chinese_rows(), 2)]
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = upload(client, college.id, headers, workbook(rows), "a.xlsx", dry_run="true")
        assert response.status_code == 200, response.text
        assert time.monotonic() - started < 2
    finally:
        holder.rollback()
        holder.close()


def big_csv(rows: int) -> bytes:
    """`rows` valid-looking rows (unknown majors: checked, never written)."""
    header = "major_code,level,enrollment_year,graduation_year,headcount,district_code"
    base = cohort(P)
    year, grad = base["enrollment_year"], base["graduation_year"]
    lines = [header] + [f"{n:06d},higher,{year},{grad},10,371002" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_hostile_uploads_never_stall_other_writes(tmp_path, database_url, db):
    """A live server on SQLite: hostile workbooks and a long dry run are uploaded while
    users sign in and an enterprise posts demands; none of those waits a second."""
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("the write lock that stalled is SQLite's")
    url = f"sqlite:///{tmp_path / 'live.db'}"
    env = {"RATE_LIMIT_PER_MINUTE": "0", "LOGIN_MAX_FAILURES_PER_ADDRESS": "1000"}
    with serving(url, tmp_path / "serve.log", **env) as base:
        from app.core.db import make_engine, make_sessionmaker
        from tests.factories import key_headers, make_org

        live = make_sessionmaker(make_engine(url))
        college = make_org(live, OrgType.college)
        college_key = key_headers(live, college)
        enterprise = make_org(live, OrgType.enterprise)
        enterprise_key = key_headers(live, enterprise)
        user = make_user(live, enterprise)
        hostile = [
            ("far.xlsx", far_row_workbook()),
            ("wide.xlsx", wide_blank_workbook()),
            ("big.csv", big_csv(30_000)),
        ]
        target = base + import_url(college.id)

        def attack(name: str, content: bytes) -> int:
            files = {"file": (name, content, "application/octet-stream")}
            with httpx.Client(timeout=120) as c:
                dry = c.post(target, files=files, headers=college_key, params={"dry_run": "true"})
                real = c.post(target, files=files, headers=college_key)
            return max(dry.status_code, real.status_code)

        def other_writes() -> list[tuple[int, float]]:
            timings = []
            with httpx.Client(timeout=30) as c:
                for n in range(8):
                    started = time.monotonic()
                    sign_in = c.post(
                        f"{base}/api/v1/auth/token",
                        data={"username": user.username, "password": PASSWORD},
                    )
                    timings.append((sign_in.status_code, time.monotonic() - started))
                    started = time.monotonic()
                    demand = c.post(
                        f"{base}/api/v1/demands",
                        json={
                            "kind": "employment",
                            "title": f"数控操作工{n}",
                            "major_codes": ["460307"],
                            "headcount": 3,
                            "valid_until": f"{time.gmtime().tm_year + 1}-06-30",
                        },
                        headers=enterprise_key,
                    )
                    timings.append((demand.status_code, time.monotonic() - started))
                    time.sleep(0.1)
            return timings

        with ThreadPoolExecutor(max_workers=4) as pool:
            attacks = [pool.submit(attack, *upload) for upload in hostile]
            time.sleep(0.2)
            writes = pool.submit(other_writes).result()
            statuses = [a.result() for a in attacks]
        assert all(s in (413, 422) for s in statuses), statuses
        assert all(status in (200, 201) for status, _ in writes), writes
        slow = [(n, status, round(s, 2)) for n, (status, s) in enumerate(writes) if s >= 1]
        assert slow == []

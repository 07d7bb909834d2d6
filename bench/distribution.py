"""Benchmark: 100,000 student distribution rows imported over HTTP (in-process) and published.

    .venv/bin/python bench/distribution.py [--db sqlite|postgresql] [--rows 100000]

One college can hold only so many distinct cohorts (major, level, enrolment year): about
1,600 majors × 5–6 plausible enrolment years for one half-year. The rows are therefore
spread over 25 colleges (4,000 rows each), every one a valid, distinct cohort; the
validation is not relaxed. Each college's file is imported once as CSV (UTF-8 with BOM,
Chinese headers, as Excel saves it) and once as XLSX, then the period is published.
A last pass sends the whole 100,000-row CSV and XLSX as ONE file for one college as a
dry run (everything parsed and checked, most rows reported as repeated cohorts) under
tracemalloc, to show the peak memory of a 100,000-row upload.

PostgreSQL: a throw-away database `wt4_bench_<random>` is created on BENCH_POSTGRES_URL
(default postgresql://postgres@127.0.0.1/postgres) and dropped afterwards.
"""

import argparse
import csv
import hashlib
import io
import resource
import time
import tracemalloc

import openpyxl
from alembic import command  # noqa: E402
from common import app_settings, scratch_database  # noqa: E402  (puts the project on sys.path)
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.cli import alembic_config  # noqa: E402
from app.core import clock  # noqa: E402
from app.core.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from app.core.security import hash_password  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import Major, Organization, User  # noqa: E402
from app.models.enums import Department, MajorKind, OrgStatus, OrgType, Role  # noqa: E402
from app.services.distribution.files import TEMPLATE_HEADERS  # noqa: E402
from app.services.distribution.periods import period_of  # noqa: E402
from app.services.distribution.rows import DURATION  # noqa: E402

ROWS_PER_COLLEGE = 4_000
PASSWORD = "bench-password-1"


def rate(rows: int, seconds: float) -> str:
    return f"{rows} rows in {seconds:.2f}s = {rows / seconds:,.0f} rows/s"


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(url: str, colleges: int) -> tuple[list[int], list[tuple[str, str, int, int]]]:
    """Migrate, load reference data, create colleges and an education user; the cohorts."""
    from app.seed.reference_data import load_reference_data

    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    password = hash_password(PASSWORD)
    with transaction(factory) as session:
        load_reference_data(session)
        majors = session.execute(
            select(Major.code, Major.level).where(Major.kind == MajorKind.major)
        ).all()
        orgs = [
            Organization(
                name=f"威海基准学院{i}",
                org_type=OrgType.college,
                district_code="371002",
                status=OrgStatus.approved,
                approved_at=clock.now(),
            )
            for i in range(colleges)
        ]
        edu = Organization(
            name="威海市教育局",
            org_type=OrgType.government,
            department=Department.education,
            district_code="371000",
            status=OrgStatus.approved,
        )
        session.add_all([*orgs, edu])
        session.flush()
        for org in [*orgs, edu]:
            session.add(
                User(
                    username=f"u{org.id}",
                    password_hash=password,
                    organization_id=org.id,
                    role=Role.admin,
                )
            )
        ids = [o.id for o in orgs] + [edu.id]
    engine.dispose()
    return ids, cohorts(majors)


def cohorts(majors: list) -> list[tuple[str, str, int, int]]:
    """Every valid (major, level, enrolment year, graduation year) for the current half-year."""
    period = period_of(clock.today(), "half_yearly")  # type: ignore[arg-type]
    second_half = period.start.month > 6
    latest = period.start.year if second_half else period.start.year - 1
    earliest_graduation = period.start.year + (1 if second_half else 0)
    result = []
    for code, level in majors:
        length = DURATION[level]
        for enrolled in range(latest - length - 1, latest + 1):
            graduates = enrolled + length
            if graduates >= earliest_graduation:
                result.append((code, level.value, enrolled, graduates))
    return result


def csv_file(rows: list[tuple[str, str, int, int]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    for n, (code, level, enrolled, graduates) in enumerate(rows):
        writer.writerow([code, "", level, enrolled, graduates, 30 + n % 50, 10 + n % 20, ""])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def xlsx_file(rows: list[tuple[str, str, int, int]]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("学生分布")
    sheet.append(TEMPLATE_HEADERS)
    for n, (code, level, enrolled, graduates) in enumerate(rows):
        sheet.append([code, None, level, enrolled, graduates, 30 + n % 50, 10 + n % 20, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def login(client: TestClient, org_id: int) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token", data={"username": f"u{org_id}", "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def upload(
    client: TestClient,
    org_id: int,
    headers: dict,
    period: str,
    name: str,
    content: bytes,
    dry_run: bool = False,
) -> dict:
    response = client.post(
        f"/api/v1/colleges/{org_id}/student-distributions/{period}/import",
        files={"file": (name, content, "application/octet-stream")},
        params={"dry_run": str(dry_run).lower()},
        headers=headers,
    )
    if response.status_code != 200:
        raise SystemExit(f"import failed: {response.status_code} {response.text[:500]}")
    return response.json()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    colleges = -(-args.rows // ROWS_PER_COLLEGE)
    with scratch_database(args.db) as url:
        run(url, args.rows, colleges, args.db)


def run(url: str, total: int, colleges: int, kind: str) -> None:
    ids, all_cohorts = setup(url, colleges)
    college_ids, edu_id = ids[:-1], ids[-1]
    per_college = -(-total // colleges)
    if per_college > len(all_cohorts):
        raise SystemExit(f"only {len(all_cohorts)} distinct cohorts per college")
    shares = [min(per_college, total - i * per_college) for i in range(colleges)]
    rows_for = [all_cohorts[:n] for n in shares]
    print(f"database: {kind}; {total} rows = {colleges} colleges × up to {per_college} rows")
    t = time.perf_counter()
    csvs = [csv_file(r) for r in rows_for]
    xlsxs = [xlsx_file(r) for r in rows_for]
    sizes = f"CSV {sum(map(len, csvs)) / 1e6:.1f} MB, XLSX {sum(map(len, xlsxs)) / 1e6:.1f} MB"
    print(f"generated files in {time.perf_counter() - t:.1f}s: {sizes}")
    settings = app_settings(url)
    period = period_of(clock.today(), "half_yearly").label  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        headers = {cid: login(client, cid) for cid in [*college_ids, edu_id]}
        for label, files, name in (("CSV", csvs, "学生分布.csv"), ("XLSX", xlsxs, "学生分布.xlsx")):
            t = time.perf_counter()
            for cid, content in zip(college_ids, files, strict=True):
                report = upload(client, cid, headers[cid], period, name, content)
                assert report["valid"], report
            elapsed = time.perf_counter() - t
            print(f"{label} import: {rate(total, elapsed)}; maxrss {maxrss_mb():.0f} MB")
        t = time.perf_counter()
        response = client.post(
            "/api/v1/publications",
            json={"dataset": "student_distribution", "period": period},
            headers=headers[edu_id],
        )
        response.raise_for_status()
        publication = response.json()
        elapsed = time.perf_counter() - t
        count = publication["row_count"]
        print(f"publish: {rate(count, elapsed)}; maxrss {maxrss_mb():.0f} MB")
        t = time.perf_counter()
        export = client.get(f"/api/v1/publications/{publication['id']}/export")
        assert hashlib.sha256(export.content).hexdigest() == publication["sha256"]
        size, elapsed = len(export.content) / 1e6, time.perf_counter() - t
        print(f"CSV export: {size:.1f} MB in {elapsed:.2f}s, sha256 matches")
        one_file(client, college_ids[0], headers[college_ids[0]], period, rows_for)


def one_file(client: TestClient, cid: int, headers: dict, period: str, rows_for: list) -> None:
    """The whole set as ONE file for one college, dry run, under tracemalloc."""
    everything = [row for rows in rows_for for row in rows]
    for label, content in (("CSV", csv_file(everything)), ("XLSX", xlsx_file(everything))):
        tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        t = time.perf_counter()
        report = upload(client, cid, headers, period, f"all.{label.lower()}", content, dry_run=True)
        elapsed = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1] - baseline
        tracemalloc.stop()
        print(
            f"one {label} file of {report['row_count']} rows "
            f"(dry run, {len(content) / 1e6:.1f} MB, "
            f"{report['error_count']} repeated-cohort errors reported): {elapsed:.2f}s, "
            f"peak traced memory {peak / 1e6:.0f} MB above baseline (includes the file bytes "
            f"in the client); maxrss {maxrss_mb():.0f} MB"
        )


if __name__ == "__main__":
    main()

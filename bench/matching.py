"""Benchmark: matching both ways and the supply–demand analytics on a city-scale world.

    .venv/bin/python bench/matching.py [--db sqlite|postgresql] [--rows 200000]
                                       [--demands 20000] [--open-share 0.3] [--requests 200]

The world: 30 colleges × N majors × 4 cohorts (graduation years) × 6 half-year periods,
N chosen so that the supply has about `--rows` rows (300 majors give 216,000); every period
published (submissions linked to a publication; the frozen copy in publication_rows is
not made, matching does not read it). 500 enterprises post `--demands` demands, of which
`--open-share` are open (the rest closed: a platform's history); codes are 70% one major,
20% one class, 10% a major and a class; levels, graduation years, districts and
headcounts at random (seeded). Everything is written with SQLAlchemy Core bulk inserts,
then ANALYZE runs (as autovacuum would on PostgreSQL).

Requests go through HTTP in-process (TestClient): `GET /demands/{id}/matches` for random
open demands (as an enterprise), `GET /colleges/{id}/matches` for random colleges (as that
college) and `GET /analytics/supply-demand` for every grouping. Figures are milliseconds.

PostgreSQL: a throw-away database `wt5_bench_<random>` is created on BENCH_POSTGRES_URL
(default postgresql://postgres@127.0.0.1/postgres) and dropped afterwards.
"""

import argparse
import random
import statistics
import time
from datetime import timedelta

from alembic import command  # noqa: E402
from common import app_settings, scratch_database  # noqa: E402  (puts the project on sys.path)
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text

from app.cli import alembic_config  # noqa: E402
from app.core import clock  # noqa: E402
from app.core.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from app.core.security import hash_password  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models import (  # noqa: E402
    Demand,
    DemandMajor,
    DistributionRow,
    DistributionSubmission,
    Major,
    Organization,
    Publication,
    PublishedSubmission,
    User,
)
from app.models.demand import LEVEL_BITS  # noqa: E402
from app.models.enums import (  # noqa: E402
    Cadence,  # noqa: E402
    MajorKind,
    MajorLevel,
    OrgStatus,
    OrgType,
    Role,
)
from app.services.demands.service import _shares  # noqa: E402
from app.services.demands.totals import recount  # noqa: E402
from app.services.distribution.periods import period_of  # noqa: E402
from app.services.distribution.reports import total_supply  # noqa: E402

COLLEGES, ENTERPRISES, COHORTS, PERIODS = 30, 500, 4, 6
DISTRICTS = ["371002", "371003", "371071", "371072", "371073", "371082", "371083"]
PASSWORD = "bench-password-1"


def periods() -> list[str]:
    current = period_of(clock.today(), Cadence.half_yearly)
    labels = []
    for _ in range(PERIODS):
        labels.append(current.label)
        current = current.previous()
    return sorted(labels)


def organizations(session, rng: random.Random) -> tuple[list[int], list[int]]:
    password = hash_password(PASSWORD)
    orgs = [
        Organization(
            name=f"基准学院{i}",
            org_type=OrgType.college,
            district_code=rng.choice(DISTRICTS),
            status=OrgStatus.approved,
            approved_at=clock.now(),
        )
        for i in range(COLLEGES)
    ] + [
        Organization(
            name=f"基准企业{i}",
            org_type=OrgType.enterprise,
            district_code=rng.choice(DISTRICTS),
            status=OrgStatus.approved,
            approved_at=clock.now(),
            credit_code=None,
        )
        for i in range(ENTERPRISES)
    ]
    session.add_all(orgs)
    session.flush()
    for org in orgs[: COLLEGES + 1]:
        session.add(
            User(
                username=f"u{org.id}",
                password_hash=password,
                organization_id=org.id,
                role=Role.admin,
            )
        )
    ids = [o.id for o in orgs]
    return ids[:COLLEGES], ids[COLLEGES:]


def supply(session, rng, colleges, majors, per_college) -> int:
    """Submissions, rows and one publication per period; returns the row count."""
    labels = periods()
    rows_total = 0
    for label in labels:
        year = int(label[:4]) + (0 if label.endswith("H1") else 1)
        publication = Publication(
            dataset="student_distribution", period=label, version=1, columns=[], row_count=0
        )
        session.add(publication)
        session.flush()
        for college in colleges:
            submission = DistributionSubmission(
                college_id=college,
                period=label,
                version=1,
                is_current=True,
                source="json",
                row_count=0,
                headcount=0,
                graduating_headcount=0,
            )
            session.add(submission)
            session.flush()
            session.add(
                PublishedSubmission(publication_id=publication.id, submission_id=submission.id)
            )
            district = rng.choice(DISTRICTS)
            rows = []
            for code, level in rng.sample(majors, per_college):
                length = 4 if level == MajorLevel.undergraduate else 3
                for k in range(COHORTS):
                    count = rng.randint(20, 120)
                    rows.append(
                        {
                            "submission_id": submission.id,
                            "college_id": college,
                            "period": label,
                            "major_code": code,
                            "level": level,
                            "enrollment_year": year - length + k,
                            "graduation_year": year + k,
                            "headcount": count,
                            "graduating_headcount": count if k == 0 else count,
                            "district_code": district,
                        }
                    )
            session.execute(insert(DistributionRow), rows)
            rows_total += len(rows)
        total_supply(session, publication.id, label)  # as publishing does
    return rows_total


def demands(session, rng, enterprises, majors, count, open_share) -> list[int]:
    classes = sorted({code[:4] for code, _ in majors})
    today = clock.today()
    year = int(periods()[-1][:4])
    rows, links = [], []
    for i in range(1, count + 1):
        roll = rng.random()
        codes = [rng.choice(majors)[0]] if roll < 0.7 else [rng.choice(classes)]
        if roll >= 0.9:
            codes = [rng.choice(majors)[0], rng.choice(classes)]
        codes = sorted(set(codes))
        levels = rng.sample(list(MajorLevel), rng.choice([0, 1, 1, 2]))
        is_open = rng.random() < open_share
        headcount = rng.randint(1, 50)
        rows.append(
            {
                "id": i,
                "enterprise_id": rng.choice(enterprises),
                "kind": "employment",
                "status": "open" if is_open else "closed",
                "title": f"基准需求{i}",
                "major_codes": codes,
                "level_mask": sum(LEVEL_BITS[lv] for lv in levels),
                "headcount": headcount,
                "graduation_years": [year + rng.choice([0, 0, 1])],
                "district_code": rng.choice([None, *DISTRICTS]),
                "certificates": [],
                "valid_until": today + timedelta(days=rng.randint(30, 180)),
                "accepted_headcount": 0,
                "close_reason": None if is_open else "filled_elsewhere",
                "created_at": clock.now(),
                "updated_at": clock.now(),
                "opened_at": clock.now(),  # once opened, a demand is public for good
            }
        )
        links += [{"demand_id": i, "code": c, "share": s} for c, s in _shares(codes, headcount)]
    session.execute(insert(Demand), rows)
    session.execute(insert(DemandMajor), links)
    return [r["id"] for r in rows if r["status"] == "open"]


def build(url: str, rows: int, demand_count: int, open_share: float) -> dict:
    from app.seed.reference_data import load_reference_data

    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    rng = random.Random(20261129)
    started = time.perf_counter()
    with transaction(make_sessionmaker(engine)) as session:
        load_reference_data(session)
        majors = [
            (code, level)
            for code, level in session.execute(
                select(Major.code, Major.level)
                .where(Major.kind == MajorKind.major)
                .order_by(Major.code)
            )
        ]
        colleges, enterprises = organizations(session, rng)
        per_college = max(1, min(len(majors), round(rows / (COLLEGES * COHORTS * PERIODS))))
        supplied = supply(session, rng, colleges, majors, per_college)
        open_ids = demands(session, rng, enterprises, majors, demand_count, open_share)
        recount(session)  # the demands were inserted in bulk, not through the service
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("SELECT setval('demands_id_seq', (SELECT max(id) FROM demands))"))
    engine.dispose()
    return {
        "rows": supplied,
        "majors_per_college": per_college,
        "colleges": colleges,
        "enterprise": enterprises[0],
        "open": open_ids,
        "seconds": time.perf_counter() - started,
    }


def timed(client: TestClient, urls: list[str], headers) -> list[float]:
    for url in urls[:5]:  # warm-up
        client.get(url, headers=headers(url))
    times = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url, headers=headers(url))
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return times


def report(name: str, times: list[float]) -> str:
    quantiles = statistics.quantiles(times, n=100)
    return (
        f"  {name:<36} n={len(times):<4} p50={quantiles[49]:7.1f} ms  "
        f"p95={quantiles[94]:7.1f} ms  max={max(times):7.1f} ms"
    )


def login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--demands", type=int, default=20_000)
    parser.add_argument("--open-share", type=float, default=0.3)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with scratch_database(args.db) as url:
        run(url, args)


def run(url: str, args: argparse.Namespace) -> None:
    world = build(url, args.rows, args.demands, args.open_share)
    print(
        f"{args.db}: {world['rows']:,} supply rows ({COLLEGES} colleges × "
        f"{world['majors_per_college']} majors × {COHORTS} cohorts × {PERIODS} periods), "
        f"{args.demands:,} demands ({len(world['open']):,} open); built in {world['seconds']:.1f}s"
    )
    settings = app_settings(url)
    rng = random.Random(7)
    app = create_app(settings)
    with TestClient(app) as client:
        enterprise = login(client, f"u{world['colleges'][-1] + 1}")
        college_headers = {c: login(client, f"u{c}") for c in world["colleges"]}
        forward = [
            f"/api/v1/demands/{rng.choice(world['open'])}/matches" for _ in range(args.requests)
        ]
        reverse = [
            f"/api/v1/colleges/{rng.choice(world['colleges'])}/matches"
            for _ in range(args.requests)
        ]
        groups = ["category", "class", "major", "cluster", "district"] * 10
        analytics = [f"/api/v1/analytics/supply-demand?group_by={g}" for g in groups]
        print(report("GET /demands/{id}/matches", timed(client, forward, lambda u: enterprise)))
        print(
            report(
                "GET /colleges/{id}/matches",
                timed(client, reverse, lambda u: college_headers[int(u.split("/")[4])]),
            )
        )
        print(report("GET /analytics/supply-demand", timed(client, analytics, lambda u: {})))
    app.state.engine.dispose()


if __name__ == "__main__":
    main()

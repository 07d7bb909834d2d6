"""Benchmark: every figure of issue 12 with its target: matching, analytics and imports at
province scale (items 4 and 5), then the served product against the bare reference
(items 2 and 3, `bench/http.py`: per-request cost, lists and searches at 1,000 and 100,000
items).

    .venv/bin/python bench/scale.py [--db sqlite|postgresql|both] [--requests 100]
                                    [--only matching|imports|http] [--keep NAME]
                                    [--phase city|province|both]

`--keep NAME` builds the matching world once into a database that stays afterwards (a
SQLite file `NAME.db` in the system's temp directory, or the PostgreSQL database `NAME`)
and reuses it when it is there: a rerun measures in a minute or two instead of building
for a quarter of an hour. `--phase` measures only the city or the province world
(growth needs both). Drop a kept world with `--drop NAME`.

Matching world (Shandong-sized): 500 colleges × 150 majors × 4 cohorts = 300,000 supply
rows per half-year period, 4 periods published (1.2 million rows), 2,000 enterprises and
50,000 demands (built with the world builders of `bench/matching.py`). The demands are
first measured with 6,000 of them open (the city world: the rest closed, as a platform's
history) and then with all 50,000 open (the province world); "growth" is the province
p95 over the city p95. Requests go through HTTP in-process (TestClient):
`GET /demands/{id}/matches` for random open demands (as an enterprise),
`GET /colleges/{id}/matches` for random colleges (as that college, 40 of them) and
`GET /analytics/supply-demand` for every grouping.

Imports (the files of `bench/distribution.py`): 100,000 rows as 25 CSV files of 4,000
rows (one college each), then the same as XLSX, then one 100,000-row CSV and XLSX file
as a dry run under tracemalloc (its peak is the memory figure). Each import figure comes
with the same rows per CPU second (the CPU time of this process and, on PostgreSQL, of
the server's backends for the database, read from /proc: the server must be local) and
the CPU time per file on each side: a shared machine's load blurs wall times, not these.

Each figure is printed with its target and the 1-minute load average at that moment
(the machine is shared: a figure taken under load is worth repeating). PostgreSQL: a
throw-away database is created on BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1/postgres) and dropped afterwards.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import nullcontext
from datetime import date
from pathlib import Path

import distribution
import matching
import psycopg
from alembic import command
from common import app_settings, percentile, scratch_database, server_cpu, server_seconds
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.cli import alembic_config
from app.main import create_app
from app.services.distribution.periods import period_of

COLLEGES, MAJORS_PER_COLLEGE, PERIODS = 500, 150, 4
ENTERPRISES, DEMANDS, CITY_OPEN = 2_000, 50_000, 6_000
IMPORT_ROWS = 100_000


def figure(db: str, name: str, value: float, unit: str, target: str, ok: bool) -> None:
    load = os.getloadavg()[0]
    verdict = "ok" if ok else "MISS"
    print(
        f"{db:<10} {name:<44} {value:>10,.1f} {unit:<6} target {target:<12} {verdict:<4} "
        f"load {load:.2f}",
        flush=True,
    )


def build_world(url: str) -> dict:
    """The province world, every demand open; see `bench/matching.py` for its shape."""
    matching.COLLEGES, matching.ENTERPRISES, matching.PERIODS = COLLEGES, ENTERPRISES, PERIODS
    rows = COLLEGES * MAJORS_PER_COLLEGE * matching.COHORTS * PERIODS
    return matching.build(url, rows, DEMANDS, 1.0)


def set_open(url: str, count: int) -> None:
    """Demands 1..count open, the others closed, counted afresh in the open demands'
    totals (a bulk change the demand service does not see); then fresh planner statistics."""
    from app.core.db import make_engine, make_sessionmaker, transaction
    from app.services.demands.totals import recount

    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as session:
        session.execute(
            text(
                "UPDATE demands SET status = CASE WHEN id <= :n THEN 'open' ELSE 'closed' END, "
                "close_reason = CASE WHEN id <= :n THEN NULL ELSE 'filled_elsewhere' END"
            ),
            {"n": count},
        )
        recount(session)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def measure_matching(url: str, world: dict, db: str, requests: int, label: str) -> dict:
    rng = random.Random(7)
    open_ids = world["open"][: CITY_OPEN if label == "city" else None]
    colleges = rng.sample(world["colleges"], 40)
    app = create_app(app_settings(url))
    p95 = {}
    with TestClient(app) as client:
        enterprise = matching.login(client, f"u{world['colleges'][-1] + 1}")
        college_headers = {c: matching.login(client, f"u{c}") for c in colleges}
        forward = [f"/api/v1/demands/{rng.choice(open_ids)}/matches" for _ in range(requests)]
        reverse = [f"/api/v1/colleges/{rng.choice(colleges)}/matches" for _ in range(requests)]
        groups = ["category", "class", "major", "cluster", "district", "occupation"]
        analytics = [f"/api/v1/analytics/supply-demand?group_by={g}" for g in groups * 10]
        runs = [
            ("forward", forward, lambda u: enterprise, 20),
            ("reverse", reverse, lambda u: college_headers[int(u.split("/")[4])], 25),
            ("analytics", analytics, lambda u: {}, 50),
        ]
        for name, urls, headers, target in runs:
            p95[name] = percentile(matching.timed(client, urls, headers), 95)
            figure(
                db,
                f"{label} {name} p95 ({len(open_ids):,} open demands)",
                p95[name],
                "ms",
                f"≤ {target} ms",
                p95[name] <= target,
            )
    app.state.engine.dispose()
    return p95


def kept_url(db: str, name: str) -> str:
    """The URL of the kept database `name` (see `--keep`); created empty when missing."""
    if db == "sqlite":
        return f"sqlite:///{Path(tempfile.gettempdir()) / name}.db"
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def drop_kept(db: str, name: str) -> None:
    if db == "sqlite":
        for suffix in (".db", ".db-wal", ".db-shm"):
            (Path(tempfile.gettempdir()) / f"{name}{suffix}").unlink(missing_ok=True)
        return
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/postgres")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def existing_world(url: str) -> dict | None:
    """The world a kept database holds (None when it was never completely built)."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            demands = list(conn.scalars(text("SELECT id FROM demands ORDER BY id")))
            if len(demands) < DEMANDS:
                return None
            colleges = list(
                conn.scalars(text("SELECT id FROM organizations WHERE org_type = 'college'"))
            )
            rows = conn.scalar(text("SELECT count(*) FROM distribution_rows"))
    except Exception:  # no schema yet
        return None
    finally:
        engine.dispose()
    return {"rows": rows, "colleges": sorted(colleges), "open": demands, "seconds": 0.0}


def run_matching(db: str, requests: int, keep: str | None, phase: str) -> None:
    with scratch_database(db) if keep is None else nullcontext(kept_url(db, keep)) as url:
        world = existing_world(url) if keep else None
        if world is None:
            world = build_world(url)
        else:  # a kept world built before a new migration gets it (and its backfill)
            command.upgrade(alembic_config(url), "head")
        print(
            f"{db}: {world['rows']:,} supply rows, {COLLEGES} colleges, {PERIODS} periods, "
            f"{DEMANDS:,} demands; built in {world['seconds']:.0f}s",
            flush=True,
        )
        p95 = {}
        for label, count in (("city", CITY_OPEN), ("province", DEMANDS)):
            if phase in (label, "both"):
                set_open(url, count)
                p95[label] = measure_matching(url, world, db, requests, label)
        if phase == "both":
            for name in ("forward", "reverse"):
                growth = p95["province"][name] / p95["city"][name]
                figure(db, f"{name} growth city → province", growth, "×", "≤ 1.5×", growth <= 1.5)


def run_imports(db: str) -> None:
    colleges = -(-IMPORT_ROWS // distribution.ROWS_PER_COLLEGE)
    with scratch_database(db) as url:
        ids, cohorts = distribution.setup(url, colleges)
        rows = [cohorts[: distribution.ROWS_PER_COLLEGE]] * colleges
        files = {
            "CSV": [distribution.csv_file(r) for r in rows],
            "XLSX": [distribution.xlsx_file(r) for r in rows],
        }
        period = period_of(date.today(), "half_yearly").label  # type: ignore[arg-type]
        targets = {("CSV", "sqlite"): 50_000, ("CSV", "postgresql"): 40_000}
        with TestClient(create_app(app_settings(url))) as client:
            headers = {cid: distribution.login(client, cid) for cid in ids[:-1]}
            for kind, contents in files.items():
                started, cpu, server = time.perf_counter(), time.process_time(), server_cpu(url)
                for cid, content in zip(ids[:-1], contents, strict=True):
                    name = f"rows.{kind.lower()}"
                    assert distribution.upload(client, cid, headers[cid], period, name, content)[
                        "valid"
                    ]
                rate = IMPORT_ROWS / (time.perf_counter() - started)
                cpu, server = time.process_time() - cpu, server_seconds(server, server_cpu(url))
                target = targets.get((kind, db), 25_000)
                name = f"{kind} import ({colleges} files of 4,000 rows)"
                figure(db, name, rate, "rows/s", f"≥ {target:,}", rate >= target)
                # Rows per CPU second (this process and the database server's backends): what
                # the wall figure would be on an idle machine, which load does not blur.
                per_cpu = IMPORT_ROWS / (cpu + server)
                figure(
                    db,
                    f"{kind} import, rows per CPU second",
                    per_cpu,
                    "rows/s",
                    f"≥ {target:,}",
                    per_cpu >= target,
                )
                each = [seconds / colleges * 1000 for seconds in (cpu, server)]
                print(
                    f"{db:<10} {kind} import, CPU per file of 4,000 rows: this process "
                    f"{each[0]:.0f} ms, database server {each[1]:.0f} ms",
                    flush=True,
                )
            one_file_memory(client, ids[0], headers[ids[0]], period, rows, db)


def one_file_memory(client, cid: int, headers: dict, period: str, rows: list, db: str) -> None:
    everything = [row for part in rows for row in part]
    for kind, content in (
        ("CSV", distribution.csv_file(everything)),
        ("XLSX", distribution.xlsx_file(everything)),
    ):
        tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        report = distribution.upload(
            client, cid, headers, period, f"all.{kind.lower()}", content, dry_run=True
        )
        peak = (tracemalloc.get_traced_memory()[1] - baseline) / 1e6
        tracemalloc.stop()
        name = f"{kind} {report['row_count']:,}-row file, peak memory"
        figure(db, name, peak, "MB", "< 200 MB", peak < 200)


def run_http(db: str) -> None:
    """The per-request and O(page) figures (items 2 and 3): `bench/http.py`, which starts
    the served product and the bare reference and loads them with wrk."""
    http = Path(__file__).with_name("http.py")
    subprocess.run([sys.executable, str(http), "--db", db], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--only", choices=["matching", "imports", "http"])
    parser.add_argument("--keep", metavar="NAME", help="build the matching world once, keep it")
    parser.add_argument("--phase", choices=["city", "province", "both"], default="both")
    parser.add_argument("--drop", metavar="NAME", help="drop a kept world and stop")
    args = parser.parse_args()
    for db in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        if args.drop:
            drop_kept(db, args.drop)
            continue
        if args.only in (None, "matching"):
            run_matching(db, args.requests, args.keep, args.phase)
        if args.only in (None, "imports"):
            run_imports(db)
        if args.only in (None, "http"):
            run_http(db)


if __name__ == "__main__":
    main()

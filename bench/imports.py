"""Benchmark: where an import's CPU time goes, stage by stage (issue 12, item 5).

    .venv/bin/python bench/imports.py [--db sqlite|postgresql] [--rounds 7]

One college's file of 4,000 rows (the files of `bench/distribution.py`), as CSV and as
XLSX: the CPU time (best of `--rounds`) of reading it (`files.open_rows`), of checking
its rows (`RowChecker`), and of a whole import through the service, as a dry run and for
real (this process and, on PostgreSQL, the server's backends; the commit included). What
the real import costs beyond the dry run is writing. CPU time, not wall time: the machine
is shared, and other processes' load stretches wall times, not these.
"""

import argparse
import io
import time
from collections.abc import Callable

import distribution
from common import app_settings, scratch_database, server_cpu, server_seconds
from sqlalchemy import select

from app.core import clock
from app.core.db import make_engine, make_sessionmaker
from app.models import Organization, User
from app.services.distribution.files import open_rows
from app.services.distribution.periods import period_of
from app.services.distribution.rows import RowChecker
from app.services.distribution.submissions import import_distribution
from app.services.permissions import Principal


def best_cpu(work: Callable[[], object], rounds: int, url: str = "") -> float:
    """The least CPU milliseconds (this process and the database server) of `rounds` runs."""
    best = float("inf")
    for _ in range(rounds):
        cpu, server = time.process_time(), server_cpu(url)
        work()
        best = min(best, time.process_time() - cpu + server_seconds(server, server_cpu(url)))
    return best * 1000


def stages(url: str, ids: list[int], kind: str, content: bytes, rounds: int) -> dict:
    """CPU milliseconds of each stage of importing `content`; real imports use `ids`."""
    settings = app_settings(url)
    factory = make_sessionmaker(make_engine(url))
    period = period_of(clock.today(), "half_yearly")  # type: ignore[arg-type]
    name = f"rows.{kind}"
    colleges = iter(ids)

    def read() -> list:
        return list(open_rows(io.BytesIO(content), name)[1])

    def submit(dry_run: bool) -> None:
        college_id = ids[0] if dry_run else next(colleges)
        with factory() as session:
            college = session.get(Organization, college_id)
            user = session.scalar(select(User).where(User.organization_id == college_id))
            principal = Principal(user=user, organization=college, auth_method="token")
            report = import_distribution(
                session,
                principal,
                college_id,
                period.label,
                io.BytesIO(content),
                name,
                settings=settings,
                dry_run=dry_run,
            )
            assert report["valid"], report["errors"][:3]
            session.commit()

    parsed = read()
    with factory() as session:
        checker = RowChecker(session, period, "371002", loc=("file",), max_errors=100)

    def check() -> None:
        checker.seen.clear()
        for number, raw in parsed:
            checker.check(number, raw)

    figures = {
        "read": best_cpu(read, rounds),
        "check": best_cpu(check, rounds),
        "dry run": best_cpu(lambda: submit(True), rounds, url),
        "import": best_cpu(lambda: submit(False), rounds, url),
    }
    figures["writing"] = figures["import"] - figures["dry run"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with scratch_database(args.db) as url:
        ids, cohorts = distribution.setup(url, 2 * args.rounds + 1)
        rows = cohorts[: distribution.ROWS_PER_COLLEGE]
        files = {"csv": distribution.csv_file(rows), "xlsx": distribution.xlsx_file(rows)}
        colleges = ids[:-1]
        for n, (kind, content) in enumerate(files.items()):
            share = colleges[n * args.rounds : (n + 1) * args.rounds]
            figures = stages(url, share, kind, content, args.rounds)
            shown = ", ".join(f"{stage} {ms:.1f}" for stage, ms in figures.items())
            rate = len(rows) / figures["import"] * 1000
            print(
                f"{args.db:<10} {kind.upper():<4} 4,000 rows, CPU ms: {shown}; "
                f"{rate:,.0f} rows per CPU second",
                flush=True,
            )


if __name__ == "__main__":
    main()

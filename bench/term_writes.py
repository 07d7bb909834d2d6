"""What the search term counts (migration 0016) add to a feed item's writes.

    .venv/bin/python bench/term_writes.py [--db sqlite|postgresql] [--items 300]

On a scratch database migrated to 0015 (no counts), then to head (the counts' triggers,
0016, locked per feed on PostgreSQL since 0018), it writes the search terms of `--items`
tech projects with the benchmark's texts, one transaction per step and item, as the app
does: create (insert the item's terms, with the app's statement), publish (their copied
status changes) and delete.
It prints the wall and CPU milliseconds per item of each step: this process's CPU (all of
SQLite's work) and, on PostgreSQL, the server's (its backends on this machine), the
figure least disturbed by the other processes of a shared machine.
"""

import argparse
import os
import random
import time
from datetime import UTC, datetime
from typing import Any

from alembic import command
from common import scratch_database, server_cpu, server_seconds  # noqa: E402
from feeds import sentence, title
from sqlalchemy import Engine, delete, update

from app.cli import alembic_config  # noqa: E402
from app.core.db import make_engine  # noqa: E402
from app.models import SearchTerm  # noqa: E402
from app.services.feeds.search import insert_terms, term_rows  # noqa: E402


def terms(items: int, first_id: int) -> list[list[dict[str, Any]]]:
    """Each item's term rows: a title and a summary as `bench/feeds.py` writes them."""
    rng, now = random.Random(7), datetime.now(UTC)
    rows = []
    for i in range(first_id, first_id + items):
        item = {"id": i, "status": "draft", "owner_organization_id": 1, "updated_at": now}
        rows.append(term_rows("tech_project", item, [title(rng), sentence(rng, 6), None]))
    return rows


def steps(
    url: str, engine: Engine, rows: list[list[dict[str, Any]]]
) -> dict[str, tuple[float, float, float]]:
    """Wall, CPU and server CPU ms per item of each step."""
    items = len(rows)
    mine = [
        (SearchTerm.resource == "tech_project", SearchTerm.item_id == r[0]["item_id"]) for r in rows
    ]
    work = {
        "create": lambda n: insert_terms(engine.dialect.name, rows[n]),
        "publish": lambda n: (update(SearchTerm).where(*mine[n]).values(status="published"), {}),
        "delete": lambda n: (delete(SearchTerm).where(*mine[n]), {}),
    }
    figures = {}
    for step, statement in work.items():
        server = server_cpu(url)
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(items):
            with engine.begin() as conn:
                conn.execute(*statement(n))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        served = server_seconds(server, server_cpu(url))
        figures[step] = (wall / items * 1000, cpu / items * 1000, served / items * 1000)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--items", type=int, default=300)
    args = parser.parse_args()
    for db in args.db or ["sqlite", "postgresql"]:
        with scratch_database(db) as url:
            config = alembic_config(url)
            engine = make_engine(url)
            results = {}
            for revision in ("0015_demand_district", "head"):
                command.upgrade(config, revision)
                rows = terms(args.items, 1_000_000 * len(results))
                results[revision] = steps(url, engine, rows)
            engine.dispose()
        each = sum(map(len, rows)) // len(rows)
        print(
            f"{db}, {args.items} items ({each} terms each), ms per item, "
            f"wall (CPU, server CPU), load {os.getloadavg()[0]:.2f}:"
        )
        for step in ("create", "publish", "delete"):
            before, after = (results[r][step] for r in results)
            print(
                f"  {step:8} without counts {before[0]:6.2f} ({before[1]:5.2f}, {before[2]:5.2f})"
                f"   with counts {after[0]:6.2f} ({after[1]:5.2f}, {after[2]:5.2f})",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""What every benchmark needs: a scratch database, in-process settings and percentiles.

PostgreSQL benchmarks create a database on the server of `BENCH_POSTGRES_URL`
(default: the local server's `postgres` database) and drop it afterwards.
"""

import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# A script run from bench/ has bench/ first on sys.path, where `http.py` would shadow the
# standard library's `http` (which Starlette's test client imports): load the real one now.
if "http" not in sys.modules:
    _bench = [p for p in sys.path if Path(p or ".").resolve() == ROOT / "bench"]
    sys.path[:] = [p for p in sys.path if p not in _bench]
    import http.client  # noqa: E402, F401

    sys.path[:0] = _bench


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """The URL of a new, empty database of `kind` (sqlite or postgresql), removed after."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench_") as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1/postgres")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (1–99) of `values`, interpolated."""
    return statistics.quantiles(values, n=100, method="inclusive")[round(p) - 1]


def app_settings(url: str) -> Any:
    """Settings for the app served in-process by a benchmark: no worker, no rate limit
    (a benchmark is one client sending thousands of requests a minute on purpose)."""
    from app.core.config import Settings

    return Settings(
        app_env="test",
        database_url=url,
        secret_key="benchmark-secret-key-that-is-long-enough-0123",
        app_run_worker=False,
        rate_limit_per_minute=0,
    )


def server_cpu(url: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving this database, by process
    id (none on SQLite, or when the server's processes are not on this machine)."""
    if not url.startswith("postgresql"):
        return {}
    with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(False)) as c:
        pids = [
            pid
            for (pid,) in c.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        ]
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # user, sys
    return used


def server_seconds(before: dict[int, float], after: dict[int, float]) -> float:
    """The server's CPU seconds between two `server_cpu` readings (a backend that ended
    in between is not counted; one that started is, whole)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())

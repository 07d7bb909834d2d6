"""HTTP benchmark: the product against a bare reference doing the same work (`bench/bare.py`).

    .venv/bin/python bench/http.py [--db sqlite|postgresql] [--items 1000,100000]
                                   [--duration 5] [--rounds 2] [--case list ...]

Needs `wrk` (Debian: `apt-get install -y wrk`). For each database (default: SQLite, then a
scratch PostgreSQL database on $BENCH_POSTGRES_URL, created and dropped) and each size, it
seeds that many tech projects (90 % published), starts the product (`python -m app serve`,
production mode, rate limit off, one worker) and the bare app on 127.0.0.1, and runs
`wrk -t2 -c32` for `--duration` seconds against each in turn, product then bare, `--rounds`
times per case. It prints req/s, p50 and p99 of each and the ratio product/bare (requests
summed over the rounds), the load average with every run, then the product's 1-row read
against its /healthz and, with two sizes, each list's throughput at the larger size against
the smaller. The machine is shared: read the ratios, not the absolute figures.

`BENCH_PRODUCT_ROOT=/path/to/another/checkout` serves (and migrates the database with)
that checkout's product instead: before/after figures of one change.
"""

import sys
from pathlib import Path

# This file shares its name with the standard library's `http`: look for that one first.
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if p not in (HERE, "")] + [HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from collections import defaultdict  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from urllib.parse import quote  # noqa: E402

from argon2 import PasswordHasher  # noqa: E402
from common import ROOT, scratch_database  # noqa: E402  (puts the project on sys.path)
from feeds import Seeder, analyze  # noqa: E402
from sqlalchemy import Engine, create_engine, insert  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.core.db import make_engine  # noqa: E402
from app.core.security import create_access_token  # noqa: E402
from app.models import User  # noqa: E402
from app.models.enums import Role  # noqa: E402

SECRET = "benchmark-secret-key-that-is-long-enough-0123"
LUA = Path(__file__).with_name("wrk.lua")
# Another checkout of the product to serve (e.g. an older commit, for before/after figures).
PRODUCT = Path(os.environ.get("BENCH_PRODUCT_ROOT", ROOT))
LOGS = Path(tempfile.mkdtemp(prefix="bench_http_"))  # the servers' output, for a post-mortem
BODY = json.dumps(
    {"kind": "tech_info", "title": "海洋生物酶制剂技术需求", "summary": "征集合作团队海洋牧场"},
    ensure_ascii=False,
)


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    signed_in: bool = False
    method: str = "GET"


def cases(item_id: int) -> list[Case]:
    feed = "/api/v1/tech-projects"
    return [
        Case("healthz", "/healthz"),
        Case("list", f"{feed}?limit=20"),
        Case("filtered", f"{feed}?limit=20&cluster_code=C03"),
        Case("signed-list", f"{feed}?limit=20", signed_in=True),
        Case("q2", f"{feed}?limit=20&q={quote('海洋')}"),
        Case("q4", f"{feed}?limit=20&q={quote('海洋牧场')}"),
        Case("get", f"{feed}/{item_id}"),
        Case("me", "/api/v1/auth/me", signed_in=True),
        Case("write", feed, signed_in=True, method="POST"),
    ]


class TechSeeder(Seeder):
    """Only the tech-project feed (the one every case reads)."""

    def seed(self, start: int, stop: int, batch: int = 5_000) -> None:
        for low in range(start, stop, batch):
            with self.engine.begin() as conn:
                self._tech(conn, range(low + 1, min(low + batch, stop) + 1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(
    argv: list[str], env: dict[str, str], port: int, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    log = open(LOGS / f"{port}.log", "wb")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        argv, cwd=cwd, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            if process.poll() is not None:
                sys.exit(f"{argv} stopped: {(LOGS / f'{port}.log').read_text()[-2000:]}")
            time.sleep(0.3)
    process.terminate()
    sys.exit(f"{argv} did not answer within 120 s")


def servers(url: str) -> dict[str, tuple[subprocess.Popen[bytes], int]]:
    """The product and the bare app on free ports, both answering."""
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    product_port, bare_port = free_port(), free_port()
    product_env = {**env, "APP_ENV": "production", "RATE_LIMIT_PER_MINUTE": "0"}
    product_env["PYTHONPATH"] = str(PRODUCT)
    product = [sys.executable, "-m", "app", "serve", "--port", str(product_port)]
    bare = [sys.executable, "-m", "uvicorn", "--factory", "bench.bare:create_app", "--port"]
    bare += [str(bare_port), "--no-access-log", "--log-level", "warning"]
    return {
        "product": (start(product, product_env, product_port, PRODUCT), product_port),
        "bare": (start(bare, env, bare_port), bare_port),
    }


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(port: int, case: Case, token: str, args: argparse.Namespace) -> dict[str, float]:
    env = {"WRK_METHOD": case.method, "WRK_BODY": BODY if case.method == "POST" else ""}
    env["WRK_AUTH"] = f"Bearer {token}" if case.signed_in else ""
    argv = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s"]
    argv += ["-s", str(LUA)]
    argv.append(f"http://127.0.0.1:{port}{case.path}")
    out = subprocess.run(
        argv, env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    # Requests wrk gave up on may still be queued in the server: let it finish them first.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=120):
        pass
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    figures: dict[str, float] = json.loads(line.removeprefix("WRK "))
    if figures["non2xx"] or figures["errors"]:
        print(f"    ! {figures['non2xx']:.0f} non-2xx, {figures['errors']:.0f} socket errors")
    return figures


def prepare(url: str, seeder_box: list[TechSeeder], seeded: int, size: int) -> tuple[str, int]:
    """Seed up to `size` items; a token of a tech-bureau user and a published item's id."""
    engine = make_engine(url)
    if not seeder_box:  # the product's own migrations and reference data
        migrate = [sys.executable, "-m", "app", "migrate"]
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "PYTHONPATH": str(PRODUCT)}
        subprocess.run(migrate, cwd=PRODUCT, env=env, check=True, capture_output=True)
        seeder_box.append(TechSeeder(engine))
        with engine.begin() as conn:
            hashed = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("bench-pass")
            org = seeder_box[0].orgs["tech"][0]
            user = {"username": "bench", "password_hash": hashed, "organization_id": org}
            conn.execute(insert(User), [{**user, "role": Role.admin}])
    seeder = seeder_box[0]
    with engine.begin() as conn:  # what the last run's writes added goes
        conn.exec_driver_sql(f"DELETE FROM search_terms WHERE item_id > {seeded}")
        conn.exec_driver_sql(f"DELETE FROM tech_projects WHERE id > {seeded}")
    if engine.dialect.name == "postgresql":
        # The counting triggers, fired per seeded statement, made a 100,000-item load take
        # hours: seed with triggers off (a replica session), then count once.
        off = {"options": "-c session_replication_role=replica"}
        seeder.engine = create_engine(engine.url, connect_args=off)
        seeder.seed(seeded, size)
        seeder.engine.dispose()
        recount(engine)
    else:
        seeder.engine = engine
        seeder.seed(seeded, size)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # the seeder wrote explicit ids
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('tech_projects', 'id'), {size})"
            )
    analyze(engine)
    engine.dispose()
    settings = Settings(app_env="test", database_url=url, secret_key=SECRET)
    with make_engine(url).connect() as conn:
        user_id = conn.exec_driver_sql("SELECT id FROM users WHERE username = 'bench'").scalar()
        item = conn.exec_driver_sql(
            "SELECT min(id) FROM tech_projects WHERE status = 'published'"
        ).scalar()
    return create_access_token(settings, str(user_id))[0], int(item)


FEED_TABLES = {
    "tech_project": "tech_projects",
    "enterprise_directory": "directory_entries",
    "cooperation_project": "cooperation_projects",
    "social_service_project": "social_service_projects",
}


def recount(engine: Engine) -> None:
    """What the counting triggers keep, counted afresh (after a seed with triggers off):
    the feeds' items per owner and status, the search terms' per owner (and every owner,
    -1) and status."""
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM feed_counts")
        for resource, table in FEED_TABLES.items():
            conn.exec_driver_sql(
                "INSERT INTO feed_counts (resource, owner_key, status, items) "
                f"SELECT '{resource}', coalesce(owner_organization_id, 0), status, count(*) "
                f"FROM {table} GROUP BY 2, 3"
            )
        conn.exec_driver_sql("DELETE FROM search_term_counts")
        conn.exec_driver_sql(
            "INSERT INTO search_term_counts (resource, term, owner_key, status, items) "
            "SELECT resource, term, owners.owner_key, status, count(*) FROM search_terms "
            "CROSS JOIN LATERAL (VALUES (search_terms.owner_key), (-1)) AS owners (owner_key) "
            "GROUP BY resource, term, owners.owner_key, status"
        )


def run_size(url: str, token: str, item_id: int, args: argparse.Namespace) -> dict[str, float]:
    """Every case, product and bare interleaved; the product's req/s per case."""
    running = servers(url)
    product_rps: dict[str, float] = {}
    try:
        for case in cases(item_id):
            if args.case and case.name not in args.case:
                continue
            sums: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0])
            for _ in range(args.rounds):
                for name, (process, port) in running.items():
                    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                    cpu = cpu_seconds(process.pid)
                    f = wrk(port, case, token, args)
                    cpu = cpu_seconds(process.pid) - cpu
                    rps = f["requests"] / (f["duration_us"] / 1e6)
                    sums[name][0] += f["requests"]
                    sums[name][1] += f["duration_us"] / 1e6
                    sums[name][2] += cpu
                    print(
                        f"  {case.name:12} {name:8} {rps:8.0f} req/s"
                        f"  p50 {f['p50_us'] / 1000:6.1f} ms  p99 {f['p99_us'] / 1000:6.1f} ms"
                        f"  cpu {cpu / max(1, f['requests']) * 1e6:6.0f} us/req   load {load}",
                        flush=True,
                    )
            rate = {name: s[0] / s[1] for name, s in sums.items()}
            cost = {name: s[2] / max(1, s[0]) for name, s in sums.items()}
            product_rps[case.name] = rate["product"]
            by_cpu = cost["bare"] / max(cost["product"], 1e-9)
            verdict = "" if case.name in ("healthz", "write") else verdict_of(by_cpu, 0.9)
            print(
                f"  {case.name:12} product/bare"
                f" {rate['product'] / max(rate['bare'], 1e-9):.2f} req/s,"
                f" {by_cpu:.2f} by CPU per request{verdict}",
                flush=True,
            )
    finally:
        for process, _port in running.values():
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return product_rps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--items", default="1000,100000", help="comma-separated sizes")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--case", action="append", help="only these cases (default: all)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    sizes = sorted(int(s) for s in args.items.split(","))
    for db in args.db or ["sqlite", "postgresql"]:
        with scratch_database(db) as url:
            box: list[TechSeeder] = []
            seeded, by_size = 0, {}
            for size in sizes:
                token, item_id = prepare(url, box, seeded, size)
                seeded = size
                print(f"{db}, {size:,} tech projects:", flush=True)
                by_size[size] = run_size(url, token, item_id, args)
            summarize(db, sizes, by_size)


def verdict_of(ratio: float, target: float) -> str:
    """The target of a ratio and whether it is met, as the figures print it."""
    return f"  target ≥ {target}  {'ok' if ratio >= target else 'MISS'}"


def summarize(db: str, sizes: list[int], by_size: dict[int, dict[str, float]]) -> None:
    for size, rps in by_size.items():
        if "get" in rps and "healthz" in rps:
            ratio = rps["get"] / rps["healthz"]
            print(f"{db} {size:,}: 1-row read / healthz {ratio:.2f}{verdict_of(ratio, 0.6)}")
    if len(sizes) > 1:
        low, high = by_size[sizes[0]], by_size[sizes[-1]]
        for name in ("list", "filtered", "q2", "q4"):
            if name in low:
                ratio = high[name] / low[name]
                print(
                    f"{db} {name:9} {sizes[-1]:,} / {sizes[0]:,} items:"
                    f" {ratio:.2f}{verdict_of(ratio, 0.8)}"
                )


if __name__ == "__main__":
    main()

"""Pool sizing: the served product's throughput at several thread pools, transaction slots
and database pools, measured side by side.

    .venv/bin/python bench/pools.py [--db sqlite|postgresql] [--items 1000]
                                    [--config 12/10/12 ...] [--case list ...]
                                    [--duration 5] [--rounds 2]

A configuration is `threads/slots/pool`: `REQUEST_THREADS` (AnyIO's thread pool, which runs
the sync endpoints; FastAPI's default is 40), `SESSION_SLOTS` (transactions at once) and
`DB_POOL_SIZE` (connections kept open). For each database (default: SQLite, then a scratch
PostgreSQL database on $BENCH_POSTGRES_URL) it seeds `--items` tech projects as
`bench/http.py` does, starts one product server per configuration on 127.0.0.1 (production
mode, rate limit and webhook worker off), all at once, and runs `wrk -t2 -c32` against each
in turn, case by case, `--rounds` times: the configurations interleaved, so that a change of
the machine's load falls on all of them alike. Each line shows req/s, p50, p99, the server's
CPU time per request and the load average; then a table per case, summed over the rounds.
The machine is shared: compare the configurations of one run, not runs.
"""

import argparse
import importlib.util
import os
import shutil
import sys
from collections import defaultdict
from pathlib import Path

from common import scratch_database

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_http", HERE / "http.py")
assert _spec and _spec.loader
bench_http = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_http)

# threads/slots/pool: FastAPI's default thread pool (a connection per thread), then smaller.
CONFIGS = ["40/38/40", "16/14/16", "12/10/12", "8/6/8", "4/2/4", "12/4/6"]
CASES = ["list", "get", "write"]


def start(url: str, config: str) -> tuple[object, int]:
    threads, slots, pool = config.split("/")
    port = bench_http.free_port()
    env = {"DATABASE_URL": url, "SECRET_KEY": bench_http.SECRET, "APP_ENV": "production"}
    env |= {"RATE_LIMIT_PER_MINUTE": "0", "APP_RUN_WORKER": "false"}
    env |= {"REQUEST_THREADS": threads, "SESSION_SLOTS": slots, "DB_POOL_SIZE": pool}
    env["PYTHONPATH"] = str(bench_http.PRODUCT)
    argv = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    return bench_http.start(argv, env, port, bench_http.PRODUCT), port


def run(url: str, token: str, item_id: int, args: argparse.Namespace) -> None:
    running = {config: start(url, config) for config in args.config}
    try:
        for case in bench_http.cases(item_id):
            if case.name not in args.case:
                continue
            sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
            p99s: dict[str, list[float]] = defaultdict(list)
            for _ in range(args.rounds):
                for config, (process, port) in running.items():
                    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                    cpu = bench_http.cpu_seconds(process.pid)  # type: ignore[attr-defined]
                    f = bench_http.wrk(port, case, token, args)
                    cpu = bench_http.cpu_seconds(process.pid) - cpu  # type: ignore[attr-defined]
                    seconds = f["duration_us"] / 1e6
                    sums[config][0] += f["requests"]
                    sums[config][1] += seconds
                    sums[config][2] += cpu
                    p99s[config].append(f["p99_us"] / 1000)
                    print(
                        f"  {case.name:8} {config:9} {f['requests'] / seconds:7.0f} req/s"
                        f"  p50 {f['p50_us'] / 1000:6.1f} ms  p99 {f['p99_us'] / 1000:6.1f} ms"
                        f"  cpu {cpu / max(1, f['requests']) * 1e6:6.0f} us/req  load {load}",
                        flush=True,
                    )
            print(f"  {case.name}: threads/slots/pool  req/s  p99 (ms, each round)  cpu us/req")
            for config, (requests, seconds, cpu) in sums.items():
                rounds = " ".join(f"{p:.0f}" for p in p99s[config])
                print(
                    f"    {config:9} {requests / seconds:7.0f}  {rounds:>14}"
                    f"  {cpu / max(1, requests) * 1e6:6.0f}",
                    flush=True,
                )
    finally:
        for process, _port in running.values():
            process.terminate()  # type: ignore[attr-defined]
            process.wait(timeout=30)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--config", action="append", help="threads/slots/pool (repeatable)")
    parser.add_argument("--case", action="append", help=f"default: {' '.join(CASES)}")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    args.config = args.config or CONFIGS
    args.case = args.case or CASES
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    for db in args.db or ["sqlite", "postgresql"]:
        with scratch_database(db) as url:
            token, item_id = bench_http.prepare(url, [], 0, args.items)
            print(f"{db}, {args.items:,} tech projects, wrk -t2 -c{args.connections}:", flush=True)
            run(url, token, item_id, args)


if __name__ == "__main__":
    main()

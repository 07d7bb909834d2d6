"""Matching's cost per request on a kept world: wall p50/p95, CPU of this process and of
the PostgreSQL server, and SQL statements per request (load-independent but for the wall).

    .venv/bin/python bench/matching_cpu.py --db sqlite|postgresql --keep NAME
        [--open 6000|50000] [--requests 60] [--only forward,reverse,analytics]

NAME is a world kept by `bench/scale.py --only matching --keep NAME` (built once there).
`--open` sets that many demands open first (as scale.py's city and province phases do);
without it the world is measured as it is. Same requests as scale.py (seed 7).
"""

import argparse
import os
import random
import time

import matching
import scale
from common import app_settings, percentile, server_cpu, server_seconds
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.main import create_app


def measure(client, url: str, name: str, urls: list[str], headers, statements: list[int]) -> None:
    for u in urls[:5]:  # warm-up
        client.get(u, headers=headers(u))
    walls, cpus = [], []
    count0, server0 = statements[0], server_cpu(url)
    for u in urls:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(u, headers=headers(u))
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        assert response.status_code == 200, response.text
    server = server_seconds(server0, server_cpu(url)) * 1000 / len(urls)
    print(
        f"{name:<10} wall p50 {percentile(walls, 50):6.1f} p95 {percentile(walls, 95):6.1f} ms"
        f"  cpu p50 {percentile(cpus, 50):6.1f} p95 {percentile(cpus, 95):6.1f} ms"
        f"  server {server:5.1f} ms/req  statements {(statements[0] - count0) / len(urls):5.1f}"
        f"  load {os.getloadavg()[0]:.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], required=True)
    parser.add_argument("--keep", required=True)
    parser.add_argument("--open", type=int)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--only", default="forward,reverse,analytics")
    args = parser.parse_args()
    url = scale.kept_url(args.db, args.keep)
    world = scale.existing_world(url)
    assert world is not None, f"no world kept as {args.keep}: build it with scale.py --keep"
    if args.open:
        scale.set_open(url, args.open)
    rng = random.Random(7)
    open_ids = world["open"][: args.open]
    colleges = rng.sample(world["colleges"], 40)
    app = create_app(app_settings(url))
    statements = [0]

    def count(*_: object) -> None:
        statements[0] += 1

    with TestClient(app) as client:
        event.listen(app.state.engine, "before_cursor_execute", count)
        enterprise = matching.login(client, f"u{world['colleges'][-1] + 1}")
        college_headers = {c: matching.login(client, f"u{c}") for c in colleges}
        n = args.requests
        forward = [f"/api/v1/demands/{rng.choice(open_ids)}/matches" for _ in range(n)]
        reverse = [f"/api/v1/colleges/{rng.choice(colleges)}/matches" for _ in range(n)]
        groups = ["category", "class", "major", "cluster", "district", "occupation"]
        analytics = [f"/api/v1/analytics/supply-demand?group_by={g}" for g in groups * 10]
        runs = {
            "forward": (forward, lambda u: enterprise),
            "reverse": (reverse, lambda u: college_headers[int(u.split("/")[4])]),
            "analytics": (analytics, lambda u: {}),
        }
        for name in args.only.split(","):
            urls, headers = runs[name]
            measure(client, url, name, urls, headers, statements)
    app.state.engine.dispose()


if __name__ == "__main__":
    main()

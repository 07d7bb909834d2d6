"""Benchmark: the event outbox, the change feed and webhook latency, over real HTTP.

    .venv/bin/python bench/docking.py [--db sqlite|postgresql] [--events 20000]

1. Event writes: `--writers` threads each commit transactions that record one event
   through `record_event` (on PostgreSQL under the event-order advisory lock).
2. Feed reads: the platform is started as `python -m app serve` (one process, its
   webhook dispatcher in-process) and a platform admin reads every event through
   `GET /api/v1/events` pages of `--page` events, following `next_cursor`.
3. Webhook latency: a webhook receiver listens on 127.0.0.1; events are committed at
   `--rate` per second and the delay from each commit to the first try reaching the
   receiver is measured (target: p95 under 2 s with the default 0.5 s poll interval).

PostgreSQL: a throw-away database `<BENCH_DB_PREFIX><random>` (prefix default
`bench_docking_`) is created on BENCH_POSTGRES_URL (default
postgresql://postgres@127.0.0.1/postgres) and dropped afterwards.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from common import ROOT, percentile, scratch_database  # noqa: E402  (puts the project on sys.path)
from sqlalchemy import func, select

from app.core import clock  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from app.models import DispatchCursor, Event, Organization, Subscription  # noqa: E402
from app.models.enums import OrgStatus, OrgType  # noqa: E402
from app.services.auth import create_platform_admin  # noqa: E402
from app.services.events import record_event  # noqa: E402
from tests.webhook_receiver import Receiver  # noqa: E402

PASSWORD = "bench-password-1"
SECRET = "bench-secret-key-0123456789-abcdefghijklmnop"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development"}
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True,
        capture_output=True,
    )  # fmt: skip


def write_events(factory, total: int, writers: int) -> float:
    """Commit `total` one-event transactions from `writers` threads; events per second."""

    def work(n: int) -> None:
        for i in range(n, total, writers):
            with transaction(factory) as session:
                record_event(
                    session,
                    "bench.written",
                    resource_id=i,
                    data={"id": i, "title": "基准测试事件", "major_codes": ["460101"]},
                )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return total / (time.perf_counter() - started)


def serve(url: str, port: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_ENV": "production",
        "SECRET_KEY": SECRET,
        "WEBHOOK_ALLOW_PRIVATE": "true",
    }
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    sys.exit("the server did not start:\n" + log_path.read_text())


def read_feed(base: str, headers: dict[str, str], page: int) -> tuple[int, int, float]:
    """Follow the whole feed; (events, pages, seconds)."""
    events = pages = 0
    cursor = None
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        started = time.perf_counter()
        while True:
            params = {"limit": page, **({"after": cursor} if cursor else {})}
            body = client.get("/api/v1/events", params=params).json()
            events += len(body["items"])
            pages += 1
            cursor = body["next_cursor"]
            if not body["has_more"]:
                return events, pages, time.perf_counter() - started


def wait_for_fan_out(factory) -> None:
    """Until the dispatcher has fanned out every event so far (there is no subscriber yet)."""
    with factory() as session:
        latest = session.scalar(select(func.max(Event.id)))
    while True:
        with factory() as session:
            done = session.get(DispatchCursor, "webhooks")
            if done is not None and done.last_event_id >= (latest or 0):
                return
        time.sleep(0.2)


def webhook_latency(factory, receiver: Receiver, count: int, rate: float) -> list[float]:
    with transaction(factory) as session:
        org = Organization(
            name="基准测试企业", org_type=OrgType.college, status=OrgStatus.approved,
            approved_at=clock.now(),
        )  # fmt: skip
        session.add(org)
        session.flush()
        latest = session.scalar(select(func.max(Event.id))) or 0
        session.add(
            Subscription(
                organization_id=org.id, url=receiver.url, event_types=["bench.*"],
                secret="bench", after_event_id=latest,
            )
        )  # fmt: skip
    committed: dict[str, float] = {}
    for i in range(count):
        with transaction(factory) as session:
            event = record_event(session, "bench.latency", resource_id=i, data={"id": i})
        committed[str(event.id)] = time.time()
        time.sleep(1 / rate)
    receiver.wait_for(count, timeout=60)
    first: dict[str, float] = {}
    for request in receiver.received:
        first.setdefault(request.headers["x-webhook-id"], request.at)
    missing = set(committed) - set(first)
    if missing:
        print(f"  !! {len(missing)} events were not delivered within 60 s")
    return [first[k] - committed[k] for k in committed if k in first]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--latency-events", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50.0, help="events/s in the latency run")
    args = parser.parse_args()

    with scratch_database(args.db) as url, tempfile.TemporaryDirectory() as tmpdir:
        run(args, url, Path(tmpdir))


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    print(f"database: {args.db}; {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    migrate(url)
    settings = Settings(database_url=url, app_env="development")
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as session:
        create_platform_admin(session, "bench", PASSWORD)

    per_second = write_events(factory, args.events, args.writers)
    print(f"event writes: {args.events} one-event transactions from {args.writers} threads: "
          f"{per_second:,.0f} events/s")  # fmt: skip

    port = free_port()
    process = serve(url, port, tmp / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "bench", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for page in (args.page, 100):
            events, pages, seconds = read_feed(base, headers, page)
            print(f"feed reads: {events} events in {pages} pages of {page} over HTTP in "
                  f"{seconds:.2f}s = {events / seconds:,.0f} events/s, "
                  f"{pages / seconds:,.1f} pages/s")  # fmt: skip

        wait_for_fan_out(factory)
        with Receiver() as receiver:
            delays = webhook_latency(factory, receiver, args.latency_events, args.rate)
        print(f"webhook delay, commit to first try received ({len(delays)} events at "
              f"{args.rate:g}/s, poll 0.5 s): p50 {percentile(delays, 50) * 1000:.0f} ms, "
              f"p95 {percentile(delays, 95) * 1000:.0f} ms, "
              f"max {max(delays) * 1000:.0f} ms")  # fmt: skip
        print(f"  mean {statistics.mean(delays) * 1000:.0f} ms")
    finally:
        process.terminate()
        process.wait(timeout=60)
        engine.dispose()


if __name__ == "__main__":
    main()

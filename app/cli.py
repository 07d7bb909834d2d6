"""Command line: `python -m app serve|worker|migrate|create-admin|seed-demo|backup`."""

import argparse
import getpass
import logging
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path

import uvicorn
from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.core.backup import BackupError, backup
from app.core.config import DatabaseSettings, LoggingSettings, Settings, get_settings
from app.core.db import make_engine, make_sessionmaker, transaction
from app.core.logs import configure_logging
from app.seed.demo import seed_demo
from app.seed.demo_content import seed_demo_content
from app.seed.reference_data import load_reference_data
from app.services.auth import create_platform_admin
from app.services.webhooks import dispatcher

log = logging.getLogger("app")
MIGRATION_LOCK = 724_019_001  # PostgreSQL advisory lock id: one migrator at a time


def _project_root() -> Path:
    """Where alembic.ini lives: the source checkout, else the working directory (Docker)."""
    checkout = Path(__file__).resolve().parents[1]
    return checkout if (checkout / "alembic.ini").exists() else Path.cwd()


def alembic_config(database_url: str | None = None) -> Config:
    root = _project_root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    return config


def migrate(settings: Settings) -> None:
    """Bring the schema to the latest revision and load the reference data, atomically.

    On PostgreSQL an advisory lock makes processes that start together (several
    containers behind a load balancer) migrate one after the other.
    """
    engine = make_engine(settings.database_url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
        config = alembic_config(settings.database_url)
        config.attributes["connection"] = conn
        config.attributes["configure_logger"] = False  # keep the app's logging (LOG_FORMAT)
        command.upgrade(config, "head")
        with Session(bind=conn) as session:
            written = load_reference_data(session)
    engine.dispose()
    log.info("reference data: %s rows written", ", ".join(f"{k} {v}" for k, v in written.items()))


def _seed(settings: Settings) -> list[str]:
    """Load the demo world; returns what to tell the person who asked."""
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        sign_ins = seed_demo(session)
    lines = []
    with transaction(make_sessionmaker(engine)) as session:
        if seed_demo_content(session, settings):
            lines.append(
                "demo content: feeds, two published half-years of students and open demands"
            )
    engine.dispose()
    if sign_ins:
        lines.append("demo sign-ins (username / password / organisation):")
        lines += [f"  {username:10} {password}  {org}" for username, password, org in sign_ins]
    else:
        lines.append("demo data already present; every demo user's password is 'demo-pass-2026'")
    return lines


def _prepare_multiprocess_metrics() -> None:
    """Several workers write their metrics to files in one folder, which every /metrics
    scrape sums (Prometheus' multiprocess mode). The folder is emptied at each start."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()
    else:
        folder = tempfile.mkdtemp(prefix="xqhz-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # inherited by the workers


def serve(args: argparse.Namespace) -> None:
    settings = get_settings()
    migrate(settings)
    if args.demo:
        for line in _seed(settings):
            log.info("%s", line)
    if args.workers > 1:
        _prepare_multiprocess_metrics()
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    log.info(
        "校企合作信息服务平台 is at http://%s:%s/  (API docs: http://%s:%s/docs)",
        shown,
        args.port,
        shown,
        args.port,
    )
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=settings.trust_forwarded_for,
        log_config=None,  # the app sets up logging (LOG_FORMAT), its own access log included
        access_log=False,
        server_header=False,  # no `Server: uvicorn`: nothing to tell attackers
    )


def worker(_args: argparse.Namespace) -> None:
    """The webhook dispatcher alone, until SIGTERM or Ctrl-C (any number may run at once)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    dispatcher.run_worker(make_sessionmaker(engine), settings, stop)
    engine.dispose()


def create_admin(args: argparse.Namespace) -> None:
    settings = get_settings()
    password = args.password or os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 8:
        sys.exit("the password must have at least 8 characters")
    engine = make_engine(settings.database_url)
    with transaction(make_sessionmaker(engine)) as session:
        create_platform_admin(session, args.username, password)
    engine.dispose()
    print(f"created platform admin {args.username!r}")


def run_backup(args: argparse.Namespace) -> None:
    try:
        print(backup(DatabaseSettings().database_url, args.path))
    except BackupError as exc:
        sys.exit(f"backup failed: {exc}")


def main(argv: list[str] | None = None) -> None:
    logs = LoggingSettings()
    configure_logging(logs.log_format, logs.log_level)
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="migrate, load reference data and serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--demo", action="store_true", help="also load the demo world")
    p.set_defaults(func=serve)

    p = sub.add_parser("worker", help="run the webhook dispatcher alone")
    p.set_defaults(func=worker)

    p = sub.add_parser("migrate", help="upgrade the database and load reference data")
    p.set_defaults(func=lambda _a: migrate(get_settings()))

    p = sub.add_parser("create-admin", help="create a platform admin")
    p.add_argument("--username", default="admin")
    p.add_argument("--password", help="default: $ADMIN_PASSWORD, else asked for")
    p.set_defaults(func=create_admin)

    p = sub.add_parser("backup", help="write a consistent copy of the database, while serving")
    p.add_argument("path", type=Path, help="the file to write (replaced if it exists)")
    p.set_defaults(func=run_backup)

    p = sub.add_parser("seed-demo", help="load the demo world (idempotent)")
    p.set_defaults(func=lambda _a: print("\n".join(_seed(get_settings()))))

    args = parser.parse_args(argv)
    args.func(args)

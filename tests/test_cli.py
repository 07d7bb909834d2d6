"""The command line: migrate and seed-demo on a fresh database, twice (idempotent)."""

import os
import subprocess
import sys

from sqlalchemy import func, select

from app.core.db import make_engine, make_sessionmaker
from app.models import (
    Demand,
    DistributionRow,
    EnterpriseDirectoryEntry,
    Organization,
    Publication,
    TechProject,
    User,
)
from app.services.credit_code import credit_code_error


def run(*args: str, url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "development"}
    result = subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_migrate_and_seed_demo_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run("migrate", url=url)
    first = run("seed-demo", url=url)
    assert "ent01" in first and "college05" in first and "admin" in first
    second = run("seed-demo", url=url)
    assert "already present" in second
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        orgs = session.scalars(select(Organization)).all()
        users = session.scalar(select(func.count()).select_from(User))
    engine.dispose()
    by_type: dict[str, int] = {}
    for org in orgs:
        by_type[org.org_type] = by_type.get(org.org_type, 0) + 1
    assert by_type == {"government": 4, "enterprise": 10, "college": 5, "training_institution": 1}
    assert users == len(orgs) + 1
    assert all(credit_code_error(o.credit_code) is None for o in orgs if o.credit_code)
    engine = make_engine(url)
    with make_sessionmaker(engine)() as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (
                TechProject,
                EnterpriseDirectoryEntry,
                Demand,
                Publication,
                DistributionRow,
            )
        }
    engine.dispose()
    assert counts == {
        "tech_projects": 3,
        "directory_entries": 10,
        "demands": 4,
        "publications": 2,  # the student distribution of this half-year and the one before
        "distribution_rows": 26,
    }


def test_create_admin(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    run("migrate", url=url)
    out = run("create-admin", "--username", "root2", "--password", "long-enough-1", url=url)
    assert "root2" in out

"""`python -m app backup PATH`: a copy that restores with every row, on both databases."""

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.core.db import make_engine
from app.models import Base
from tests.conftest import PG_URL, _create_pg_database, _drop_pg_database, fresh_database
from tests.test_cli import run


@pytest.fixture
def source(database_url: str) -> Iterator[str]:
    """A fresh database of the same backend, migrated and holding the demo world."""
    with fresh_database(database_url) as url:
        run("migrate", url=url)
        run("seed-demo", url=url)
        yield url


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
    engine.dispose()
    return counts


def test_backup_restores_every_row(source, tmp_path):
    target = tmp_path / "backups" / "platform.backup"
    out = run("backup", str(target), url=source)
    assert str(target) in out and target.stat().st_size > 0
    if make_url(source).get_backend_name() == "sqlite":
        restored, admin = f"sqlite:///{target}", None
    else:
        assert PG_URL
        restored, admin = _create_pg_database(PG_URL)
        plain = make_url(restored).set(drivername="postgresql").render_as_string(False)
        subprocess.run(
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--dbname",
                plain,
                str(target),
            ],
            check=True,
            capture_output=True,
        )
    try:
        counts = _counts(source)
        assert counts["organizations"] > 0 and counts["distribution_rows"] > 0
        assert _counts(restored) == counts
    finally:
        if admin:
            _drop_pg_database(admin, restored)


def test_backup_of_a_missing_sqlite_file_fails_clearly(tmp_path):
    import os
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "app", "backup", str(tmp_path / "x.backup")],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "no SQLite database file" in result.stderr

"""Backups of the whole database: SQLite's online backup API, or `pg_dump` on PostgreSQL."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup could not be made (the message says why)."""


def backup(database_url: str, target: Path) -> str:
    """Write a consistent copy of the database to `target`; returns what was written.

    SQLite: a page-by-page online backup, safe while the platform serves and writes.
    PostgreSQL: `pg_dump --format=custom` (restore with `pg_restore`), also consistent
    while serving, since pg_dump reads one snapshot.
    """
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source_path = url.database
        if not source_path or source_path == ":memory:" or not Path(source_path).exists():
            raise BackupError(f"no SQLite database file at {source_path!r}")
        tmp = target.with_name(target.name + ".partial")
        tmp.unlink(missing_ok=True)
        with sqlite3.connect(source_path) as source, sqlite3.connect(tmp) as copy:
            source.backup(copy, pages=4096)
        source.close()
        copy.close()
        tmp.replace(target)
        return f"SQLite database {source_path} copied to {target}"
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if not pg_dump:
            raise BackupError(
                "pg_dump is not installed (Debian: apt-get install postgresql-client)"
            )
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(
            [pg_dump, "--format=custom", "--no-owner", "--file", str(target), plain],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return f"PostgreSQL database {url.database} dumped to {target} (restore: pg_restore)"
    raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")

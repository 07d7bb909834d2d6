"""Engine and session factory.

SQLite is driven in the way its documentation recommends for a web server:
foreign keys on, WAL so readers never block the writer, a busy timeout so a
writer waits for the lock instead of failing, and write transactions opened
with ``BEGIN IMMEDIATE``: a deferred transaction that later upgrades its read
lock to a write lock can fail with "database is locked" without waiting.
"""

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Reads of up to this much of an SQLite file go through a memory map (shared with the OS
# page cache) rather than a read() call per page: lists and searches that visit thousands
# of rows of a large file run about a third faster (bench/feeds.py).
SQLITE_MMAP_BYTES = 1 << 30
WRITE = {"sqlite_begin": "BEGIN IMMEDIATE"}
# A pooled PostgreSQL connection idle for longer than this is pinged (a round trip) before
# use, and replaced if the server dropped it (a restart). One in steady use is not: a ping
# on every checkout cost a round trip per request (bench/instructions.py). Should the server
# restart under load, the first request on a dropped connection answers 503 (an outage,
# `errors._outage`) and SQLAlchemy discards every connection opened before it.
PING_IDLE_SECONDS = 10.0


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and run them through psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if not url.startswith("sqlite"):
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
        engine = create_engine(url, **kwargs)
        _ping_when_idle(engine)
        return engine

    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "isolation_level": None},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # The driver runs in autocommit mode; we emit BEGIN ourselves so that
        # SQLite's transactions follow SQLAlchemy's, and write transactions
        # take the write lock up front. Straight to the driver: through SQLAlchemy's
        # statement machinery, this one word cost a tenth of a 1-row read (bench/http.py).
        begin = conn.get_execution_options().get("sqlite_begin", "BEGIN")
        try:
            conn.connection.driver_connection.execute(begin)
        except sqlite3.Error as exc:  # as SQLAlchemy would raise it ("database is locked": 503)
            raise DBAPIError.instance(begin, None, exc, sqlite3.Error) from exc

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a connection that waited in the pool past `PING_IDLE_SECONDS` before its use."""

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc  # the pool connects anew


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


def begin_write(session: Session) -> None:
    """Open the session's transaction as a write transaction (BEGIN IMMEDIATE on SQLite)."""
    session.connection(execution_options=WRITE)
    session.info["write"] = True


def start_writing(session: Session) -> None:
    """Make the session's transaction a write one before its first change.

    A request that reads and checks for long before it writes (an import) runs in a read
    transaction, which holds no lock: SQLite's single writer lock is taken here, for the
    writes only. The read transaction ends first (it changed nothing): upgrading it in
    place could fail at once with "database is locked" if another writer committed
    meanwhile. Rules that must hold at the moment of writing are checked after this.
    """
    if session.info.get("write"):
        return
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("start_writing after a change: the change would be committed alone")
    session.commit()
    begin_write(session)


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """One unit of work outside a request (CLI, worker): commit on success, roll back on error."""
    session = factory()
    try:
        if write:
            begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""Concurrent writes that change the same counts in opposite orders never deadlock.

Two transactions run at once on their own connections, each in two statements as the app
writes them, and each waits (up to a bound) for the other to finish its first statement
before it runs its second: without a common lock order the second statements wait for each
other and PostgreSQL aborts one (a 503 to its client). The counting triggers take one lock
per feed before any count row (migration 0018), so the second transaction waits at its
first statement instead and both commit. On SQLite a write transaction holds the database's
single write lock from `BEGIN IMMEDIATE` to commit: the same outcome, by design.
"""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from app.core.db import WRITE
from tests.factories import make_org
from tests.test_search_term_counts import check_table

WAIT = 2  # seconds a transaction waits for the other's first statement (it never comes
# when the other is blocked behind this one's lock, as it should be)
TERM = (
    "INSERT INTO search_terms (resource, term, item_id, weight, status, owner_key, "
    "updated_at) VALUES ('tech_project', :term, :item, 1, 'draft', :owner, :now)"
)
DROP_TERM = "DELETE FROM search_terms WHERE resource = 'tech_project' AND item_id = :item"
ITEM = (
    "INSERT INTO tech_projects (id, kind, title, summary, cluster_code, status, "
    "owner_organization_id, contact, version, created_at, updated_at) VALUES "
    "(:item, 'school_locality_project', '题', '要', 'C05', 'draft', :owner, '联系人', 1, "
    ":now, :now)"
)
DROP_ITEM = "DELETE FROM tech_projects WHERE id = :item"


def run_crossed(engine: Engine, first: list[tuple[str, dict]], second: list[tuple[str, dict]]):
    """Run two two-statement transactions at once, each pausing after its first statement
    until the other has run its own (or `WAIT` has passed); the errors they raised."""
    done = [threading.Event(), threading.Event()]
    errors: list[BaseException] = []

    def work(me: int, statements: list[tuple[str, dict]]) -> None:
        try:
            with engine.connect().execution_options(**WRITE) as conn, conn.begin():
                conn.execute(text(statements[0][0]), statements[0][1])
                done[me].set()
                done[1 - me].wait(WAIT)
                conn.execute(text(statements[1][0]), statements[1][1])
        except BaseException as exc:  # noqa: BLE001  (reported by the test)
            errors.append(exc)
        finally:
            done[me].set()

    threads = [threading.Thread(target=work, args=(n, s)) for n, s in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


@pytest.fixture
def owner(db):
    return make_org(db).id


def setup(engine: Engine, owner: int, items: dict[int, list[str]]) -> dict:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for item, terms in items.items():
            conn.execute(text(ITEM), {"item": item, "owner": owner, "now": now})
            for term in terms:
                conn.execute(text(TERM), {"term": term, "item": item, "owner": owner, "now": now})
    return {"owner": owner, "now": now}


def test_crossing_term_edits_both_commit(engine, owner):
    """A removes term 海洋 and adds 牧场 while B removes 牧场 and adds 海洋 (an edit is
    a delete of its gone terms, then an insert of its new ones)."""
    common = setup(engine, owner, {9001: ["海洋", "食品"], 9002: ["牧场", "食品"]})
    remove = "DELETE FROM search_terms WHERE resource = 'tech_project' AND item_id = :item "
    remove += "AND term = :term"
    a = [(remove, {"item": 9001, "term": "海洋"}), (TERM, {**common, "item": 9001, "term": "牧场"})]
    b = [(remove, {"item": 9002, "term": "牧场"}), (TERM, {**common, "item": 9002, "term": "海洋"})]
    assert run_crossed(engine, a, b) == []
    check_table(engine)


def test_create_crossing_delete_both_commit(engine, owner):
    """A creates an item (its feed count, then its terms) while B deletes another of the
    same owner and status (its terms, then the item and its feed count)."""
    common = setup(engine, owner, {9002: ["海洋"]})
    a = [(ITEM, {**common, "item": 9001}), (TERM, {**common, "item": 9001, "term": "海洋"})]
    b = [(DROP_TERM, {"item": 9002}), (DROP_ITEM, {"item": 9002})]
    assert run_crossed(engine, a, b) == []
    check_table(engine)
    with engine.connect() as conn:
        counted = conn.scalar(
            text("SELECT items FROM feed_counts WHERE owner_key = :o AND status = 'draft'"),
            {"o": owner},
        )
    assert counted == 1

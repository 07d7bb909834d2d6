"""The migrations are the schema: they build it from nothing and agree with the models."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.cli import alembic_config
from app.models import Base


def test_models_and_migrations_agree(engine):
    # `database_url` was built by `alembic upgrade head` alone (see conftest).
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], diff


def test_every_table_is_created_by_a_migration(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_downgrade_to_base_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")


def test_existing_webhook_secrets_are_encrypted_and_decrypted_back(database_url, monkeypatch):
    """0008 encrypts the plain secrets of existing subscriptions with the app's key, and its
    downgrade gives them back; without a key it refuses rather than lose them."""
    import pytest
    from sqlalchemy import text

    from app.core.crypto import SecretBox, parse_keys
    from app.core.db import make_engine
    from tests.conftest import fresh_database

    key = "migration-test-secret-key-0123456789abcdef"
    with fresh_database(database_url) as url:
        config = alembic_config(url)
        command.upgrade(config, "0007")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organizations (name, org_type, status, created_at, updated_at) "
                    "VALUES ('订阅方', 'enterprise', 'approved', '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO subscriptions (organization_id, url, event_types, filters,"
                    " secret, active, after_event_id, consecutive_failures, created_at,"
                    " updated_at) SELECT id, 'https://a.example/h', :types, '{}',"
                    " 'whsec_plain', true, 0, 0, '2026-01-01', '2026-01-01' FROM organizations"
                ),
                {"types": '["*"]'},
            )
        monkeypatch.delenv("SECRET_KEY", raising=False)
        monkeypatch.delenv("WEBHOOK_SECRET_KEYS", raising=False)
        monkeypatch.delenv("APP_ENV", raising=False)
        with pytest.raises(RuntimeError, match="needs SECRET_KEY"):
            command.upgrade(config, "0008")
        monkeypatch.setenv("SECRET_KEY", key)
        command.upgrade(config, "0008")
        with engine.connect() as conn:
            stored = conn.scalar(text("SELECT secret_encrypted FROM subscriptions"))
        assert "whsec_plain" not in stored
        assert SecretBox(parse_keys(None, key)).decrypt(stored) == "whsec_plain"
        command.downgrade(config, "0007")
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT secret FROM subscriptions")) == "whsec_plain"
        engine.dispose()


def test_0012_renames_the_enterprise_directory_s_stored_resource_both_ways(database_url):
    """0012 renames `enterprise` to `enterprise_directory` in the events, the audit trail,
    the search index and the feed counts, and the counting triggers count under the new
    name; its downgrade gives the old names back, triggers included."""
    from sqlalchemy import text

    from app.core.db import make_engine
    from tests.conftest import fresh_database

    now = "2026-01-01 00:00:00"

    def add_entry(conn, n):
        conn.execute(
            text(
                "INSERT INTO directory_entries (name, credit_code, industry_code, district_code,"
                " size, integration_level, status, version, created_at, updated_at)"
                " VALUES (:name, :code, '1361', '371002', 'small', 'none', 'published', 1,"
                " :now, :now)"
            ),
            {"name": f"企业{n}", "code": f"91371002MA000000{n}X", "now": now},
        )

    def stored(engine):
        with engine.connect() as conn:
            return {
                "events": conn.execute(
                    text("SELECT type, resource_type FROM events ORDER BY id")
                ).all(),
                "audit": conn.execute(
                    text("SELECT action, resource_type FROM audit_events ORDER BY id")
                ).all(),
                "terms": conn.execute(text("SELECT DISTINCT resource FROM search_terms")).all(),
                "counts": conn.execute(
                    text("SELECT resource, items FROM feed_counts ORDER BY resource")
                ).all(),
            }

    with fresh_database(database_url) as url:
        config = alembic_config(url)
        command.upgrade(config, "0011_cohort_index")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO districts (code, name, level, code_type)"
                    " VALUES ('371002', '环翠区', 'county', 'county')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO industries (code, name, level, section)"
                    " VALUES ('1361', '水产品加工', 'class', 'C')"
                )
            )
            add_entry(conn, 1)
            for type_, resource in (
                ("enterprise.published", "enterprise"),
                ("tech_project.published", "tech_project"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO events (type, resource_type, resource_id, occurred_at,"
                        " public, data) VALUES (:type, :resource, '1', :now, true, '{}')"
                    ),
                    {"type": type_, "resource": resource, "now": now},
                )
                conn.execute(
                    text(
                        "INSERT INTO audit_events (occurred_at, action, resource_type, summary)"
                        " VALUES (:now, :action, :resource, '{}')"
                    ),
                    {
                        "action": type_.replace("published", "publish"),
                        "resource": resource,
                        "now": now,
                    },
                )
            conn.execute(
                text("INSERT INTO search_terms (resource, term, item_id) VALUES (:r, '企业', 1)"),
                {"r": "enterprise"},
            )
        old = {
            "events": [("enterprise.published", "enterprise"),
                       ("tech_project.published", "tech_project")],
            "audit": [("enterprise.publish", "enterprise"),
                      ("tech_project.publish", "tech_project")],
            "terms": [("enterprise",)],
            "counts": [("enterprise", 1)],
        }  # fmt: skip
        assert stored(engine) == old

        command.upgrade(config, "0012_enterprise_directory")
        with engine.begin() as conn:
            add_entry(conn, 2)  # counted by the new triggers, under the new name
        assert stored(engine) == {
            "events": [("enterprise_directory.published", "enterprise_directory"),
                       ("tech_project.published", "tech_project")],
            "audit": [("enterprise_directory.publish", "enterprise_directory"),
                      ("tech_project.publish", "tech_project")],
            "terms": [("enterprise_directory",)],
            "counts": [("enterprise_directory", 2)],
        }  # fmt: skip

        command.downgrade(config, "0011_cohort_index")
        with engine.begin() as conn:
            add_entry(conn, 3)
        assert stored(engine) == {**old, "counts": [("enterprise", 3)]}
        engine.dispose()


def test_demands_without_a_district_take_their_enterprises(database_url):
    """0015 fills a demand's missing district from its enterprise, as new demands store it;
    an enterprise without a district leaves it null."""
    from sqlalchemy import text

    from app.core.db import make_engine
    from tests.conftest import fresh_database

    with fresh_database(database_url) as url:
        config = alembic_config(url)
        command.upgrade(config, "0011_cohort_index")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO districts (code, name, level, code_type)"
                    " VALUES ('371002', '环翠区', 'county', 'GB/T 2260')"
                )
            )
            for name, district in (("有区县", "371002"), ("无区县", None)):
                conn.execute(
                    text(
                        "INSERT INTO organizations (name, org_type, status, district_code,"
                        " created_at, updated_at) VALUES (:name, 'enterprise', 'approved',"
                        " :district, '2026-01-01', '2026-01-01')"
                    ),
                    {"name": name, "district": district},
                )
            for district in (None, "371002"):
                conn.execute(
                    text(
                        "INSERT INTO demands (enterprise_id, kind, status, title, major_codes,"
                        " level_mask, headcount, graduation_years, district_code, certificates,"
                        " valid_until, accepted_headcount, created_at, updated_at)"
                        " SELECT id, 'employment', 'open', '招聘', '[]', 0, 1, '[]',"
                        " :district, '[]', '2027-01-01', 0, '2026-01-01', '2026-01-01'"
                        " FROM organizations"
                    ),
                    {"district": district},
                )
        command.upgrade(config, "0015_demand_district")
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT o.name, d.district_code FROM demands d"
                    " JOIN organizations o ON o.id = d.enterprise_id ORDER BY d.id"
                )
            ).all()
        engine.dispose()
    assert sorted(map(tuple, rows), key=str) == sorted(
        [("有区县", "371002"), ("无区县", None), ("有区县", "371002"), ("无区县", "371002")],
        key=str,
    )


def test_0016_counts_the_existing_search_terms_and_keeps_counting(database_url):
    """0016 counts the terms already indexed under each owner and every owner; its
    triggers then follow inserts, status and owner changes and deletes of term rows."""
    from sqlalchemy import text

    from app.core.db import make_engine
    from tests.conftest import fresh_database
    from tests.test_search_term_counts import check_table

    row = (
        "INSERT INTO search_terms VALUES"
        " ('tech_project', :term, :item, 1, :status, :owner, '2026-01-01')"
    )
    with fresh_database(database_url) as url:
        config = alembic_config(url)
        command.upgrade(config, "0015_demand_district")
        engine = make_engine(url)
        with engine.begin() as conn:
            for item, (status, owner) in enumerate(
                [("published", 1), ("draft", 1), ("published", 2)]
            ):
                for term in ("海洋", "牧场", "海洋牧场"):
                    conn.execute(
                        text(row), {"term": term, "item": item, "status": status, "owner": owner}
                    )
        command.upgrade(config, "0016_search_term_counts")
        with engine.connect() as conn:
            every = conn.execute(
                text(
                    "SELECT status, items FROM search_term_counts"
                    " WHERE term = '海洋' AND owner_key = -1 ORDER BY status"
                )
            ).all()
        assert [tuple(r) for r in every] == [("draft", 1), ("published", 2)]
        check_table(engine)
        with engine.begin() as conn:
            conn.execute(text(row), {"term": "海洋", "item": 9, "status": "draft", "owner": 2})
            conn.execute(text("UPDATE search_terms SET status = 'withdrawn' WHERE item_id = 0"))
            conn.execute(text("UPDATE search_terms SET owner_key = 3 WHERE item_id = 1"))
            conn.execute(text("DELETE FROM search_terms WHERE item_id = 2 AND term = '牧场'"))
        check_table(engine)
        command.downgrade(config, "0015_demand_district")
        command.upgrade(config, "head")
        check_table(engine)
        engine.dispose()


def test_rows_keep_their_submission_and_must_agree_with_it(database_url):
    """0019 keys each distribution row to its submission's (id, college, period): rows stored
    before it stay, and a row whose college differs from its submission's is refused."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from app.core.db import make_engine
    from tests.conftest import fresh_database

    row = (
        "INSERT INTO distribution_rows (submission_id, college_id, period, major_code, level,"
        " enrollment_year, graduation_year, headcount, graduating_headcount, district_code)"
        " SELECT s.id, {college}, s.period, m.code, m.level, {year}, {year} + 3, 30, 10, d.code"
        " FROM distribution_submissions s, majors m, districts d"
        " WHERE m.code = '460103' AND d.code = '371002'"
    )
    with fresh_database(database_url) as url:
        config = alembic_config(url)
        command.upgrade(config, "0018_count_locks")
        engine = make_engine(url)
        with engine.begin() as conn:
            for name in ("学院甲", "学院乙"):
                conn.execute(
                    text(
                        "INSERT INTO organizations (name, org_type, status, created_at,"
                        " updated_at) VALUES (:name, 'college', 'approved', '2026-01-01',"
                        " '2026-01-01')"
                    ),
                    {"name": name},
                )
            conn.execute(
                text(
                    "INSERT INTO majors (code, name, kind, level, category_code,"
                    " state_controlled, catalog) VALUES ('460103', '测试专业', 'major',"
                    " 'higher', '46', false, '2021')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO districts (code, name, level, code_type) VALUES"
                    " ('371002', '环翠区', 'county', 'county')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO distribution_submissions (college_id, period, version,"
                    " is_current, source, row_count, headcount, graduating_headcount,"
                    " submitted_at) SELECT min(id), '2026H1', 1, true, 'csv', 1, 30, 10,"
                    " '2026-01-01' FROM organizations"
                )
            )
            conn.execute(text(row.format(college="s.college_id", year=2024)))
        command.upgrade(config, "head")
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM distribution_rows")) == 1
        with pytest.raises(IntegrityError), engine.begin() as conn:
            other = "(SELECT max(id) FROM organizations)"
            conn.execute(text(row.format(college=other, year=2023)))
        engine.dispose()
